"""caitien: a Telegram assistant for a school's quality-improvement plan.

`bot/` holds the application and its domain: settings, parsing, the criteria catalog,
plans, chat state, rendering and the command line. Nothing in the domain modules imports
`telegram`; `bot.app` wires the Telegram side from `conversations/`.
"""

__version__ = "0.1.0"
