"""An update python-telegram-bot cannot parse is logged on one line, skipped and confirmed: the
bot keeps handling the others, and does not fail on it again after a restart."""

from __future__ import annotations

import asyncio
import re

from tests.conftest import TOKEN

USER = 7101
PRIVATE = {"id": USER, "type": "private", "first_name": "Hà"}
# What Update.de_json raises on: AttributeError, KeyError, TypeError, OverflowError.
MALFORMED = [
    {"message": "not an object"},
    {"message": {"message_id": 1, "chat": PRIVATE}},  # no date
    {"message": {"message_id": 1, "date": 1, "chat": "x"}},
    {"message": {"message_id": 1, "date": 1e30, "chat": PRIVATE}},
    {"callback_query": {"id": "1", "data": "r:o:1"}},  # no from, no chat_instance
    {"message": {"message_id": 1, "date": 1, "chat": PRIVATE, "from": {"id": USER}}},
]
UNREADABLE = len(MALFORMED)


async def say(core, text: str) -> list[dict]:
    core.send_text(TOKEN, USER, text)
    return await core.wait_for_bot_messages(TOKEN, USER, timeout=20)


async def confirmed(core) -> None:
    """Wait until the bot has confirmed every update (its next getUpdates moved the offset)."""
    for _ in range(200):
        if not core.pending_updates(TOKEN):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not confirmed: {core.pending_updates(TOKEN)}")


def log_of(bot) -> str:
    return bot.log_path.read_text(errors="replace")


def assert_clean(log: str) -> None:
    assert "Traceback" not in log, log
    assert not re.search(r"\b(ERROR|CRITICAL)\b", log), log


async def test_malformed_updates_are_skipped_and_confirmed_across_restarts(server, bot):
    core = server.core
    core.user(USER, first_name="Hà", language_code="vi")
    school = bot.cli("school", "create", "--name", "THCS Lê Quý Đôn", "--level", "thcs")
    await bot.start()
    [welcome] = await say(core, f"/start {school['principal_code']}")
    assert "hiệu trưởng" in welcome["text"]

    # While running: malformed updates in a batch with good ones.
    for raw in MALFORMED:
        core.push_raw(TOKEN, raw)
    [help_] = await say(core, "/help")
    assert "/plan" in help_["text"]
    await confirmed(core)
    assert bot.proc.poll() is None
    assert log_of(bot).count("could not be read") == UNREADABLE

    # While stopped: the first batch after the start holds them (before, the bot died on it at
    # every start, the offset never confirmed).
    bot.stop()
    for raw in MALFORMED:
        core.push_raw(TOKEN, raw)
    core.send_text(TOKEN, USER, "/help")
    await bot.start()
    [help_] = await core.wait_for_bot_messages(TOKEN, USER, timeout=20)
    assert "/plan" in help_["text"]
    await confirmed(core)

    # Killed before it could confirm anything, it starts again on the same batch.
    bot.kill()
    for raw in MALFORMED:
        core.push_raw(TOKEN, raw)
    await bot.start()
    await confirmed(core)
    [help_] = await say(core, "/help")
    assert "/plan" in help_["text"]
    assert bot.proc.poll() is None

    log = log_of(bot)
    lines = [line for line in log.splitlines() if "could not be read" in line]
    assert len(lines) == 3 * UNREADABLE
    assert re.search(r"update \d+ could not be read \(AttributeError: .+\); skipped", lines[0])
    assert_clean(log)
    assert core.refused(TOKEN) == []
