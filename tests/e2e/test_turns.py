"""Turns never wait on each other: an export in one chat does not hold up another chat's answer,
and an update received but not handled before a crash is handled at the next start, once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time

from sqlalchemy import create_engine, text

from benchmarks.documents import seed_rows
from bot.services import plans
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, add_member, upsert_person
from bot.services.schools import create_school
from db.session import Database
from tests.conftest import TOKEN

PRINCIPAL, TEACHER = 8101, 8102
JOINED = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _school_with_a_plan(db_url: str, rows: int) -> tuple[str, str]:
    """A school whose 2026-2027 plan has `rows` rows; the principal's account is bound, the
    teacher gets a personal code."""
    db = Database(db_url)
    db.upgrade()
    with db.transaction() as session:
        school, invite = create_school(session, "THCS A", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(PRINCIPAL, "Hà"))
        plan = plans.ensure_plan(session, school, "2026-2027")
        principal = join_with_code(session, person, invite.code, JOINED).member
        assert principal is not None
        seed_rows(session, school, plan, principal, rows)
        teacher_code = add_member(session, school, "Lan", "council", None)[1].code
    db.dispose()
    return invite.code, teacher_code


async def test_an_export_does_not_hold_up_another_chats_answer(server, bot, db_url):
    core = server.core
    core.user(PRINCIPAL, "Hà")
    core.user(TEACHER, "Lan")
    _, teacher_code = _school_with_a_plan(db_url, rows=60)
    await bot.start()
    core.send_text(TOKEN, TEACHER, f"/start {teacher_code}")
    await core.wait_for_bot_messages(TOKEN, TEACHER, timeout=20)
    [joined] = await core.wait_for_bot_messages(TOKEN, PRINCIPAL, timeout=20)  # issue 11
    assert "Lan đã tham gia THCS A" in joined["text"]

    arrived: dict[str, float] = {}
    core.send_text(TOKEN, PRINCIPAL, "/export")  # a 60-row plan as DOCX and XLSX
    core.send_text(TOKEN, TEACHER, "/mine")
    [mine] = await core.wait_for_bot_messages(TOKEN, TEACHER, timeout=20)
    arrived["teacher"] = time.monotonic()
    docx, xlsx = await core.wait_for_bot_messages(TOKEN, PRINCIPAL, count=2, timeout=30)
    arrived["export"] = time.monotonic()
    assert docx["document"]["file_name"].endswith(".docx")
    assert xlsx["document"]["file_name"].endswith(".xlsx")
    assert mine["text"]
    assert arrived["teacher"] < arrived["export"], "the teacher's answer waited for the export"


async def test_an_update_stored_but_not_handled_is_handled_at_the_next_start(server, bot, db_url):
    core = server.core
    core.user(PRINCIPAL, "Hà")
    _school_with_a_plan(db_url, rows=1)
    # As if the bot had stored a batch and died before handling it: the update is in the inbox
    # (already confirmed to Telegram, so only the inbox has it).
    raw = {
        "update_id": 900_001,
        "message": {
            "message_id": 1,
            "date": 1_764_576_000,
            "chat": {"id": PRINCIPAL, "type": "private", "first_name": "Hà"},
            "from": {"id": PRINCIPAL, "is_bot": False, "first_name": "Hà", "language_code": "vi"},
            "text": "/plan",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO inbox (update_id, payload, received_at) VALUES (:i, :p, :r)"),
            {"i": 900_001, "p": json.dumps(raw), "r": "2026-12-01 02:30:00.000000"},
        )
    await bot.start()
    [plan] = await core.wait_for_bot_messages(TOKEN, PRINCIPAL, timeout=20)
    assert "Kế hoạch" in plan["text"] or "kế hoạch" in plan["text"]
    for _ in range(200):  # forgotten once answered, with the next batch's commit
        with engine.connect() as conn:
            left = conn.execute(text("SELECT count(*) FROM inbox")).scalar()
        if not left:
            break
        await asyncio.sleep(0.05)
    assert left == 0
    engine.dispose()
    bot.stop()
    await bot.start()  # handled once: nothing comes again
    await asyncio.sleep(1.0)
    assert len(core.bot(TOKEN).events.get(PRINCIPAL, [])) == 1
