"""The baseline of the throughput benchmark: a bare python-telegram-bot echo bot.

Same library, same emulator, same polling settings as caitien; it only echoes texts and
answers buttons, with no database, so the ratio measures what caitien's work costs.

With ECHO_STORE=PATH it first stores each text in an SQLite file, as caitien stores every
answer before replying (WAL, synchronous=FULL, one transaction per update, in a worker
thread, one writer at a time): the least any bot that loses no answer must do, measured in
the same run as a second reference.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters


class Store:
    """One SQLite file, written as caitien writes its database (see db/session.py)."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=10000"):
            self.connection.execute(f"PRAGMA {pragma}")
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS answers (chat INTEGER, update_id INTEGER, text TEXT)"
        )
        self.lock = threading.Lock()

    def put(self, chat: int, update_id: int, text: str) -> None:
        with self.lock:
            self.connection.execute("BEGIN")
            self.connection.execute("INSERT INTO answers VALUES (?, ?, ?)", (chat, update_id, text))
            self.connection.execute("COMMIT")


STORE = Store(os.environ["ECHO_STORE"]) if os.environ.get("ECHO_STORE") else None


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    text = update.message.text or ""
    if STORE is not None:
        await asyncio.to_thread(STORE.put, update.message.chat_id, update.update_id, text)
    await update.message.reply_text(text)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await context.bot.send_message(update.effective_chat.id, update.callback_query.data or "")


def main() -> None:
    app = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .base_file_url(os.environ["TELEGRAM_API_BASE_FILE_URL"])
        .concurrent_updates(64)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(answer))
    app.run_polling(timeout=1, poll_interval=0.0)


if __name__ == "__main__":
    main()
