"""Notices through a real `caitien run --now …` at 22:30 (quiet hours) and the emulator over HTTP:
`caitien row assign`, run twice, tells the teacher once (silently at that hour), with a /report
button; she reports "gặp khó khăn" from it, and the principal has the alert at once, without
sound, while the teacher is told it was passed on."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from db.session import Database
from tests.conftest import TOKEN
from tests.e2e.test_reminders import PRINCIPAL, TEACHERS, seed, wait_until

TEACHER, NEWCOMER = TEACHERS[0], TEACHERS[1]
NIGHT = "2026-12-01T22:30:00+07:00"


def ids(db_url: str) -> tuple[int, int]:
    db = Database(db_url)
    with db.engine.connect() as conn:
        school_id, member_id = conn.execute(
            text("SELECT school_id, id FROM members WHERE display_name = :name"),
            {"name": f"Giáo viên {NEWCOMER}"},
        ).one()
    db.dispose()
    return int(school_id), int(member_id)


def bot_messages(core, user: int) -> list[dict]:
    return [m for m in core.messages(TOKEN, user) if m.get("from", {}).get("is_bot")]


async def test_assignment_and_a_night_difficulty_arrive_at_once_silently(server, bot, db_url):
    core = server.core
    core.user(PRINCIPAL, "Hà")
    for user in TEACHERS[:2]:
        core.user(user, f"GV{user}")
    seed(db_url, teachers=TEACHERS[:2], rows_each=1, due="trước 31/03/2027")
    school_id, member_id = ids(db_url)
    await bot.start(now=NIGHT)
    # Row 1 belongs to the first teacher; the second is added to it twice from the command line.
    assign = ("row", "assign", "--school", str(school_id), "--row", "1")
    first = bot.cli(*assign, "--member", str(member_id), "--now", NIGHT)
    again = bot.cli(*assign, "--member", str(member_id), "--lead", "--now", NIGHT)
    assert (first["notified"], again["notified"]) == (True, False)
    await wait_until(lambda: len(bot_messages(core, NEWCOMER)) >= 1)
    await asyncio.sleep(1.5)  # a second notice would have arrived by now
    [notice] = bot_messages(core, NEWCOMER)
    # Lead or not is read at send time (the second command may come first): either way, 1.1.
    assert "Thầy/cô được giao" in notice["text"]
    assert "1.1 — Việc số 1 trong kế hoạch năm học 2026-2027" in notice["text"]
    assert "Thời hạn: 31/03/2027." in notice["text"] and "Việc số 1" in notice["text"]
    assert core.is_silent(TOKEN, NEWCOMER, notice["message_id"])  # 22:30: no sound

    # From the notice's button: report "gặp khó khăn" on that row.
    core.mark(TOKEN, NEWCOMER)
    core.press(TOKEN, NEWCOMER, button_text="📝 /report", message_id=notice["message_id"])
    [statuses] = await core.wait_for_bot_messages(TOKEN, NEWCOMER, timeout=20)
    core.press(TOKEN, NEWCOMER, button_text="Gặp khó khăn", message_id=statuses["message_id"])
    [question] = await core.wait_for_bot_messages(TOKEN, NEWCOMER, timeout=20)
    assert "Thầy/cô đang gặp khó khăn gì?" in question["text"]
    core.mark(TOKEN, PRINCIPAL)
    core.send_text(TOKEN, NEWCOMER, "Phòng máy chưa có điện.")
    passed_on, _ = await core.wait_for_bot_messages(TOKEN, NEWCOMER, count=2, timeout=20)
    assert "Khó khăn của thầy/cô đã được chuyển ngay tới Hà." in passed_on["text"]
    [alert] = await core.wait_for_bot_messages(TOKEN, PRINCIPAL, timeout=20)
    assert f"Giáo viên {NEWCOMER} báo gặp khó khăn ở 1.1 — Việc số 1" in alert["text"]
    assert "Phòng máy chưa có điện." in alert["text"]
    assert core.is_silent(TOKEN, PRINCIPAL, alert["message_id"])
    bot.kill()
    assert "Traceback" not in bot.log_path.read_text()
