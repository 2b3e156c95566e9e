"""caitien: a Telegram assistant for a school's quality-improvement plan.

`bot/` holds the application and its domain: settings, parsing, the criteria catalog,
plans, chat state, rendering and the command line. Nothing in the domain modules imports
`telegram`; `bot.runtime.app` wires the Telegram side from `conversations/`.
"""

__version__ = "0.1.0"

import os

# python-telegram-bot 22 warns that durations such as RetryAfter.retry_after become
# `datetime.timedelta` in its next major version; the sender and the poller accept both, so
# opt in now (no warning, and nothing changes when PTB 23 comes).
os.environ.setdefault("PTB_TIMEDELTA", "1")
