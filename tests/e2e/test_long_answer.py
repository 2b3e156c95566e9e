"""A 5000-character answer through `caitien run` and the emulator: stored whole, shown split
or shortened with a note, and no message the emulator (like Telegram, 4096 characters)
refuses."""

from __future__ import annotations

from sqlalchemy import select

from db.models import PlanRow, RowStatus
from db.session import Database
from tests.conftest import TOKEN
from tests.e2e import test_write_row as write_row
from tests.emulator.core import MAX_TEXT

USER = 7101
LONG = ("Tổ chức chuyên đề cấp trường, họp tổ chuyên môn 2 lần/tháng, rà soát minh chứng. " * 70)[
    :5000
]


async def say(core, text: str, count: int = 1) -> list[dict]:
    return await write_row.say(core, text, count, USER)


async def press(core, button_text: str, count: int = 1) -> list[dict]:
    return await write_row.press(core, button_text, count, USER)


def fits(messages: list[dict]) -> bool:
    return all(len(m.get("text", "").encode("utf-16-le")) // 2 <= MAX_TEXT for m in messages)


async def test_a_5000_character_answer_is_stored_whole_and_never_refused(server, bot, db_url):
    core = server.core
    core.user(USER, first_name="Hà", language_code="vi")
    school = bot.cli("school", "create", "--name", "THCS Long Biên", "--level", "thcs")
    await bot.start()
    await say(core, f"/start {school['principal_code']}")
    await say(core, "/add", count=2)
    await press(core, "Tiêu chuẩn 1")
    await press(core, "1.4 ", count=2)  # "Đã chọn: 1.4 …", then the first question
    await say(core, "Giữ vững Mức 2")
    [lead] = await say(core, LONG)
    assert "Ai chủ trì" in lead["text"]
    [again] = await say(core, "/back")
    assert "(đã lưu đủ 5.000 ký tự)" in again["text"] and fits([again])
    for answer in (LONG, "HT", "Tháng 9/2026 – 5/2027", "/skip", "/skip"):
        await say(core, answer)
    core.send_text(TOKEN, USER, "/skip")
    card = await core.wait_for_bot_messages(TOKEN, USER, count=2, timeout=20)
    assert fits(card) and "Tóm tắt dòng kế hoạch mới" in card[0]["text"]
    saved = await press(core, "💾 Lưu", count=3)  # the notice, then the card in two messages
    assert fits(saved) and "Đã lưu 1.4 — Giữ vững Mức 2" in saved[0]["text"]
    assert core.refused(TOKEN) == []  # nothing the emulator (Telegram) would refuse
    bot.stop()
    with Database(db_url).transaction() as session:
        [tasks] = session.scalars(select(PlanRow.tasks).where(PlanRow.status == RowStatus.ACTIVE))
    assert tasks == LONG
