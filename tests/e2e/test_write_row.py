"""A principal writes a complete row through the emulator; the bot is killed twice mid-way."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

from bot.domain.schoolyear import current_school_year
from tests.conftest import TOKEN
from tests.e2e.conftest import DEFAULT_NOW

USER = 7001

EXPECTED = (
    "Thực hiện hiệu quả các chuyên đề của các tổ chuyên môn góp phần nâng cao chất lượng giáo dục."
)
TASKS = (
    "- Các tổ xây dựng kế hoạch thực hiện chuyên đề <STEM> & chương trình GDPT 2018;\n"
    "- Họp tổ chuyên môn 2 lần/tháng.\n\n"
    "- Tổng kết, rút kinh nghiệm cuối năm."
)
LEAD = "PHT phụ trách chuyên môn, TTCM và giáo viên bộ môn."
TIMELINE = "Tháng 9/2026 –\n5/2027"
BUDGET = "Từ nguồn hoạt động thường xuyên của đơn vị; Dự kiến 5.000.000/năm học."
SUPPORT = "Sắp xếp thời gian sinh hoạt tổ bộ môn hợp lý, nhất là các tổ bộ môn ghép."


def text_of(message: dict) -> str:
    return message.get("text", "")


async def say(core, text: str, count: int = 1, user: int = USER) -> list[dict]:
    core.send_text(TOKEN, user, text)
    return await core.wait_for_bot_messages(TOKEN, user, count=count, timeout=20)


async def press(core, button_text: str, count: int = 1, user: int = USER) -> list[dict]:
    core.press(TOKEN, user, button_text=button_text)
    return await core.wait_for_bot_messages(TOKEN, user, count=count, timeout=20)


async def test_write_a_row_across_two_crashes_and_export_it(server, bot):
    core = server.core
    core.user(USER, first_name="Hà", language_code="vi")
    school = bot.cli("school", "create", "--name", "THCS Lê Quý Đôn", "--level", "thcs")
    await bot.start()

    [welcome] = await say(core, f"/start {school['principal_code']}")
    assert "THCS Lê Quý Đôn" in text_of(welcome) and "hiệu trưởng" in text_of(welcome)

    year = current_school_year(ZoneInfo("Asia/Ho_Chi_Minh"), dt.datetime.fromisoformat(DEFAULT_NOW))
    notice, standards = await say(core, "/add", count=2)
    assert year in text_of(notice)
    assert "Chọn tiêu chuẩn" in text_of(standards)
    await press(core, "Tiêu chuẩn 1")
    picked, question = await press(core, "1.4 ", count=2)
    assert text_of(picked).startswith("✅ Đã chọn: 1.4 ")
    assert "Kết quả cần đạt" in text_of(question)
    await say(core, EXPECTED)
    [lead_question] = await say(core, TASKS)
    assert "chủ trì" in text_of(lead_question).lower()

    # Crash 1: the bot dies; the principal answers while it is down.
    bot.kill()
    core.send_text(TOKEN, USER, LEAD)
    await bot.start()
    # If the bot died before confirming the tasks update, Telegram delivers it again: it is
    # recognised (not applied twice) and the lead question asked again; then the lead answer.
    [reply] = await core.wait_for_bot_messages(TOKEN, USER, timeout=20)
    if "Thời gian" not in text_of(reply):
        assert "Ai chủ trì" in text_of(reply)
        [reply] = await core.wait_for_bot_messages(TOKEN, USER, timeout=20)
    assert "Thời gian" in text_of(reply)

    await say(core, TIMELINE)
    await say(core, BUDGET)
    await say(core, SUPPORT)
    [card] = await say(core, "/skip")
    card_text = text_of(card)
    assert "01/09/2026 – 31/05/2027" in card_text
    assert "5.000.000 đồng" in card_text
    assert "<STEM> & chương trình" in card_text  # shown verbatim, escaped on the wire
    assert any(
        b["text"] == "💾 Lưu" for row in card["reply_markup"]["inline_keyboard"] for b in row
    )

    # Crash 2: between the summary card and the save button.
    bot.kill()
    await bot.start()
    await bot.settled()  # a /skip left in the inbox, if any, re-sends the card: let it pass
    core.mark(TOKEN, USER)
    saved, row_card = await press(core, "💾 Lưu", count=2)
    assert "Đã lưu 1.4 — " in text_of(saved)
    assert "Tiêu chí 1.4" in text_of(row_card)

    export = bot.cli(
        "plan", "export", "--school", str(school["school_id"]), "--year", year, "--format", "json"
    )
    assert export["school_year"] == year and export["regulation"] == "TT18-2018"
    [row] = export["rows"]
    assert row["position"] == 1 and row["block"] == "M123" and row["criterion"] == "1.4"
    assert row["criterion_title"] == "Hiệu trưởng, phó hiệu trưởng, tổ chuyên môn và tổ văn phòng"
    assert row["expected_result"] == EXPECTED
    assert row["tasks"] == TASKS
    assert row["lead"] == LEAD
    assert row["timeline"] == {
        "text": TIMELINE,
        "start": "2026-09-01",
        "due": "2027-05-31",
        "flags": [],
    }
    assert row["budget"]["text"] == BUDGET and row["budget"]["amount_vnd"] == 5_000_000
    assert row["support"] == SUPPORT
    assert row["notes"] is None
    # What went over the wire was escaped HTML, never raw user text.
    sent = [c["params"]["text"] for c in core.calls(TOKEN, "sendMessage")]
    with_tasks = [text for text in sent if "STEM" in text]
    assert with_tasks and all("&lt;STEM&gt; &amp; chương trình" in text for text in with_tasks)


async def test_an_answer_lost_between_the_commit_and_the_send_is_asked_again(server, bot, db_url):
    """The bot dies after storing an answer and before its reply reaches Telegram (the batch
    was confirmed already): at the next start the answer is not applied twice, and the next
    question is asked again instead of the principal waiting for a reply that never comes."""
    core = server.core
    core.user(USER, first_name="Hà", language_code="vi")
    school = bot.cli("school", "create", "--name", "THCS Lê Quý Đôn", "--level", "thcs")
    await bot.start()
    await say(core, f"/start {school['principal_code']}")
    await say(core, "/add", count=2)
    await press(core, "Tiêu chuẩn 1")
    await press(core, "1.4 ", count=2)

    core.hold(TOKEN, "sendMessage")  # the reply hangs: the turn has committed, nothing is sent
    update = core.send_text(TOKEN, USER, EXPECTED)
    for _ in range(400):
        if core.held_calls(TOKEN) and update["update_id"] not in core.pending_updates(TOKEN):
            break
        await asyncio.sleep(0.05)
    assert core.held_calls(TOKEN), "the reply was never attempted"
    assert update["update_id"] not in core.pending_updates(TOKEN), "the batch was not confirmed"
    bot.kill()
    core.drop(TOKEN, "sendMessage")

    await bot.start()
    [again] = await core.wait_for_bot_messages(TOKEN, USER, timeout=20)
    assert "Công việc/giải pháp" in text_of(again)
    [lead_question] = await say(core, TASKS)  # the flow goes on from where the answer left it
    assert "Ai chủ trì" in text_of(lead_question)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        drafts = conn.execute(text("SELECT expected_result, tasks FROM plan_rows")).all()
    engine.dispose()
    assert [tuple(d) for d in drafts] == [(EXPECTED, TASKS)]  # one row, each answer once
