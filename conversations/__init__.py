"""Telegram glue: one module per conversation, each thin, calling the domain in `bot/`."""
