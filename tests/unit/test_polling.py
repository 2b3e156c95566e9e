"""polling.fetch: each update of a batch parsed on its own, the batch confirmed as a whole."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from telegram.error import TelegramError

from bot.runtime.polling import fetch

PRIVATE = {"id": 5, "type": "private", "first_name": "Hà"}
GOOD = {"message_id": 1, "date": 1, "chat": PRIVATE, "text": "/help"}


class RawBot:
    """What fetch uses of the bot: the raw getUpdates answer."""

    def __init__(self, answer: Any) -> None:
        self.answer, self.asked = answer, []

    async def do_api_request(self, endpoint: str, api_kwargs: dict, read_timeout: float) -> Any:
        self.asked.append((endpoint, api_kwargs, read_timeout))
        return self.answer

    def insert_callback_data(self, update: object) -> None:
        return None


async def test_a_batch_with_unreadable_updates(caplog):
    caplog.set_level(logging.INFO)
    bot = RawBot(
        [
            {"update_id": 10, "message": GOOD},
            {"update_id": 11, "message": "not an object"},
            {"update_id": 12, "message": {"message_id": 2, "chat": PRIVATE}},
            {"update_id": 13, "message": {**GOOD, "message_id": 3}},
        ]
    )
    updates, offset = await fetch(bot, 10, 30)  # type: ignore[arg-type]
    assert [u.update_id for _, u in updates] == [10, 13] and offset == 14
    assert bot.asked == [
        (
            "getUpdates",
            {"offset": 10, "timeout": 30, "allowed_updates": ["message", "callback_query"]},
            35.0,
        )
    ]
    assert [r.getMessage() for r in caplog.records] == [
        "update 11 could not be read (AttributeError: 'str' object has no attribute 'copy'); "
        "skipped",
        "update 12 could not be read (KeyError: 'date'); skipped",
    ]


async def test_nothing_new():
    assert await fetch(RawBot([]), None, 30) == ([], None)  # type: ignore[arg-type]


@pytest.mark.parametrize("answer", [{"update_id": 1}, [{"message": GOOD}], ["x"]])
async def test_an_answer_that_cannot_be_confirmed_backs_off(answer):
    with pytest.raises(TelegramError):
        await fetch(RawBot(answer), None, 30)  # type: ignore[arg-type]
