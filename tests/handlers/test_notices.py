"""Notices that arrive (issue 11): a difficulty at any hour (silently at night), the owner told
of an assignment once, the principal told of a newcomer; and catch-up that never doubles or goes
stale (no mid-year prompt after downtime into May, no second reminder about a row in 24 hours).

Each test sets the moment it needs (the harness starts at Tuesday 01/12/2026 09:30)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.services import members, outbox
from bot.services.menus import MENU
from db.models import Member, OutboxItem, School
from tests.conftest import TOKEN
from tests.handlers.conftest import START, buttons, text
from tests.handlers.test_reminders import LAN, at, chat, seed, states
from tests.handlers.test_rows import write_row
from tests.handlers.test_team import invite

P, OWNER, VICE, NEW = 30, 61, 63, 64  # write_row works for principal 30
NIGHT = START.replace(hour=22, minute=30)


async def drain(harness) -> int:
    """The notices sent (the sender drained), leaving out the command menus it also sets
    whenever someone joins (issue 11, point 5): those have tests of their own."""

    def menus_sent() -> int:
        with harness.db.transaction() as session:
            return len(
                session.scalars(
                    select(OutboxItem.id).where(OutboxItem.kind == MENU, OutboxItem.state == "sent")
                ).all()
            )

    before = menus_sent()
    sent = await harness.sender.drain()
    return sent - (menus_sent() - before)


async def school_with_owner(harness):
    """Principal Hà, one row (1.4, due 31/05/2027) owned by Lan, a vice-principal Bình; both
    joined with their personal codes (the principal's join notices are drained here)."""
    await harness.principal(P)
    await write_row(harness)
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        _, lan_code = members.add_member(session, school, "Đặng Thị Lan", "staff", "Kế toán")
        _, vice_code = members.add_member(
            session, school, "Trần Văn Bình", "vice_principal", "Phó hiệu trưởng"
        )
        codes = (lan_code.code, vice_code.code)
    for user, code in zip((OWNER, VICE), codes, strict=True):
        harness.user(user, name=("Lan", "Bình")[user != OWNER])
        await harness.send(user, f"/start {code}")
    assert await drain(harness) == 2  # "… đã tham gia …" twice, to the principal


async def make_owner(harness):
    await harness.send(P, "/plan")
    await harness.press(P, "1.4 —")
    await harness.press(P, "👥 Người phụ trách")
    await harness.press(P, "☐ Đặng Thị Lan")
    await harness.press(P, "✅ Xong")


def kinds(harness, kind):
    return [s for s in states(harness) if s[0] == kind]


async def test_a_difficulty_at_night_reaches_the_managers_at_once_silently(harness):
    await school_with_owner(harness)
    await make_owner(harness)
    assert await drain(harness) == 1  # Lan hears of her row
    harness.running_at(NIGHT)
    await harness.send(OWNER, "/report")
    await harness.press(OWNER, "1.4 —")
    [question] = await harness.press(OWNER, "Gặp khó khăn")
    assert "Thầy/cô đang gặp khó khăn gì? (hoặc gõ /skip)" in question["text"]
    for user in (P, VICE):
        harness.core.mark(TOKEN, user)
    passed_on, ask_files = await harness.send(OWNER, "Thiếu kinh phí mua máy chiếu.")
    assert "Khó khăn của thầy/cô đã được chuyển ngay tới" in passed_on["text"]
    assert "Hà" in passed_on["text"] and "Trần Văn Bình" in passed_on["text"]
    assert "minh chứng" in ask_files["text"]
    # A scheduled notice made at the same moment waits for 07:00; the alerts do not.
    with harness.db.transaction() as session:
        principal = session.scalar(select(Member).where(Member.role == "principal"))
        outbox.enqueue(
            session,
            key="unreachable:test:night",
            school_id=principal.school_id,
            kind=outbox.UNREACHABLE,
            day=NIGHT.date(),
            send_at=NIGHT,
            member_id=principal.id,
            data={"member_id": principal.id},
        )
    assert await drain(harness) == 3
    for user in (P, VICE):
        [alert] = await harness.core.wait_for_bot_messages(TOKEN, user, timeout=2)
        assert "Đặng Thị Lan báo gặp khó khăn ở 1.4 — KQ" in alert["text"]
        assert "Thiếu kinh phí mua máy chiếu." in alert["text"]
        assert harness.core.is_silent(TOKEN, user, alert["message_id"])  # no sound at 22:30
    assert [s[2:] for s in kinds(harness, "difficulty")] == [("sent", None), ("sent", None)]
    assert kinds(harness, "unreachable")[0][2:] == ("pending", "quiet_hours")


async def test_a_difficulty_by_day_rings_and_goes_even_after_skip(harness):
    await school_with_owner(harness)
    await make_owner(harness)
    await drain(harness)
    await harness.send(OWNER, "/report")
    await harness.press(OWNER, "1.4 —")
    await harness.press(OWNER, "Gặp khó khăn")
    harness.core.mark(TOKEN, P)
    [passed_on, _] = await harness.send(OWNER, "/skip")
    assert "đã được chuyển ngay tới" in passed_on["text"]
    assert await drain(harness) == 2
    [alert] = await harness.core.wait_for_bot_messages(TOKEN, P, timeout=2)
    assert "báo gặp khó khăn ở 1.4 — KQ" in alert["text"]
    assert not harness.core.is_silent(TOKEN, P, alert["message_id"])  # 09:30: with sound


async def test_an_owner_added_in_the_chat_is_told_once_with_a_report_button(harness):
    await school_with_owner(harness)
    await harness.send(P, "/plan")
    await harness.press(P, "1.4 —")
    await harness.press(P, "👥 Người phụ trách")
    await harness.press(P, "☐ Đặng Thị Lan")
    await harness.press(P, "☑ Đặng Thị Lan")  # a slip: off again…
    await harness.press(P, "☐ Đặng Thị Lan")  # …and on: still one notice
    await harness.press(P, "☐ Hà")  # the principal adds herself: nobody to tell
    await harness.press(P, "✅ Xong")
    assert await drain(harness) == 1
    [notice] = chat(harness, OWNER)[-1:]
    assert "Thầy/cô được giao chủ trì 1.4 — KQ trong kế hoạch năm học 2026-2027" in notice["text"]
    assert "1.4 — " in notice["text"] and "KQ" in notice["text"]
    assert "Thời hạn: 31/05/2027." in notice["text"]
    assert buttons(notice) == ["📝 /report"]
    [status] = await harness.press(OWNER, "📝 /report")
    assert buttons(status) == ["Chưa thực hiện", "Đang thực hiện", "Hoàn thành", "Gặp khó khăn"]
    # Removed and added again later: she was told already.
    await harness.send(P, "/plan")
    await harness.press(P, "1.4 —")
    await harness.press(P, "👥 Người phụ trách")
    await harness.press(P, "☑ Đặng Thị Lan")
    await harness.press(P, "☐ Đặng Thị Lan")
    assert await drain(harness) == 0
    assert [(s[2], s[3]) for s in kinds(harness, "assigned")] == [("sent", None)]


async def test_owners_of_a_new_row_are_told_when_it_is_saved(harness):
    await school_with_owner(harness)
    await harness.send(P, "/add")
    await harness.press(P, "Tiêu chuẩn 1")
    await harness.press(P, "1.6")
    for answer in ("KQ mới", "CV", "Kế toán chủ trì", "Tháng 3/2027", "/skip", "/skip", "/skip"):
        await harness.send(P, answer)
    await harness.press(P, "👥 Người phụ trách")
    await harness.press(P, "☐ Đặng Thị Lan")
    await harness.press(P, "✅ Xong")
    assert await drain(harness) == 0  # a draft: nobody told yet
    await harness.press(P, "💾 Lưu")
    assert await drain(harness) == 1
    assert "Thời hạn: 31/03/2027." in chat(harness, OWNER)[-1]["text"]


async def test_the_principal_is_told_who_joined_with_an_invite(harness):
    await harness.principal(P)
    code = await invite(harness, "Giáo viên")
    harness.user(NEW, name="Mai")
    await harness.send(NEW, f"/start {code}")
    assert await drain(harness) == 0  # still giving name and position
    await harness.send(NEW, "Lê Thị Mai")
    await harness.send(NEW, "Tổ trưởng tổ Toán - Tin")
    assert await drain(harness) == 1
    [notice] = chat(harness, P)[-1:]
    assert "Lê Thị Mai đã tham gia THCS Lê Quý Đôn với vai trò" in notice["text"]
    assert "Chức vụ: Tổ trưởng tổ Toán - Tin." in notice["text"]
    # Someone who stops after /start is told of too, a little later, with what is known.
    code = await invite(harness, "Giáo viên")
    harness.user(NEW + 1, name="Tuấn")
    await harness.send(NEW + 1, f"/start {code}")
    assert await drain(harness) == 0
    harness.clock.advance(minutes=11)
    assert await drain(harness) == 1
    assert "Tuấn đã tham gia" in text(chat(harness, P)[-1:])
    assert "Chức vụ: chưa khai báo." in text(chat(harness, P)[-1:])
    assert len(kinds(harness, "joined")) == 2


async def test_no_stale_mid_year_prompt_after_downtime_into_may(harness):
    await seed(harness, ("trước 31/03/2027",))
    harness.running_at(at(2027, 1, 5, 9))
    await harness.tick()
    harness.clock.set(at(2027, 5, 20, 9))  # down from 05/01 to 20/05
    await harness.tick()
    with harness.db.transaction() as session:
        lan = session.scalar(select(Member).where(Member.display_name == "Đặng Thị Lan"))
    assert ("mid_year", lan.id, "skipped", "period_ended") in states(harness)
    assert ("end_year", lan.id, "sent", None) in states(harness)
    prompts = [m["text"] for m in chat(harness, LAN) if "năm học 2026-2027" in m.get("text", "")]
    assert not any("Sơ kết" in p for p in prompts)
    assert sum("Tổng kết cuối năm học 2026-2027" in p for p in prompts) == 1


async def test_no_second_reminder_about_a_row_within_24_hours(harness):
    await seed(harness)
    harness.running_at(at(2026, 12, 17, 7, 59))
    await harness.tick(minutes=2)  # 14 days before: sent
    [reminder] = [m for m in chat(harness, LAN) if "còn 14 ngày" in m["text"]]
    # Ten days later Lan presses "remind me tomorrow" on that old reminder: 28/12 08:00, the
    # moment the 3-day reminder is due too. She gets one message about the row, not two.
    harness.running_at(at(2026, 12, 27, 10))
    await harness.press(LAN, "⏰ Nhắc lại ngày mai", message_id=reminder["message_id"])
    harness.running_at(at(2026, 12, 28, 7, 59))
    before = len(chat(harness, LAN))
    await harness.tick(minutes=2)
    about_row = [m for m in chat(harness, LAN)[before:] if "Kết quả 1" in m["text"]]
    assert len(about_row) == 1 and "còn 3 ngày đến hạn" in about_row[0]["text"]
    with harness.db.transaction() as session:
        lan = session.scalar(select(Member).where(Member.display_name == "Đặng Thị Lan"))
        items = session.scalars(
            select(OutboxItem).where(
                OutboxItem.member_id == lan.id, OutboxItem.day == dt.date(2026, 12, 28)
            )
        ).all()
    assert sorted((i.kind, i.state, i.reason) for i in items) == [
        ("due_soon", "skipped", "reminded_recently"),
        ("snooze", "sent", None),
    ]
    # A day later the due-day reminder is more than 24 hours after: it comes.
    harness.running_at(at(2026, 12, 31, 7, 59))
    await harness.tick(minutes=2)
    assert "hôm nay (31/12/2026) là hạn" in chat(harness, LAN)[-1]["text"]
