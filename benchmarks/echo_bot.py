"""The baseline of the throughput benchmark: a bare python-telegram-bot echo bot.

Same library, same emulator, same polling settings as caitien; it only echoes texts and
answers buttons, with no database, so the ratio measures what caitien's work costs.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(update.message.text or "")


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
