"""Small things a user sees every day (issue 11, point 5): the language, the menus and /help of
each role, the criterion picker saying what was picked, the owners picker, a command after an
unfinished /settings."""

from __future__ import annotations

from sqlalchemy import select

from bot.services import members
from db.models import Member, OutboxItem
from tests.conftest import TOKEN
from tests.handlers.conftest import buttons, text
from tests.handlers.test_permissions import build_school, join_all

P = 9100
PRINCIPAL_ONLY = {"invite", "import", "export", "report_year", "digest"}


def menu(harness, chat_id: int) -> list[str]:
    """The commands the person sees in their chat's menu (resolved as Telegram's apps do)."""
    return [c["command"] for c in harness.core.menu(TOKEN, chat_id)["commands"]]


async def test_vietnamese_for_telegram_english_until_language_en(harness):
    await harness.principal(P, language="en")  # what most Vietnamese phones report
    [plan] = await harness.send(P, "/plan")
    assert "Kế hoạch cải tiến chất lượng giáo dục năm học" in plan["text"]
    await harness.sender.drain()
    chat_menu = harness.core.menu(TOKEN, P)
    assert chat_menu["scope"] == f"chat:{P}::"  # the chat's own menu, whatever the language
    assert chat_menu["commands"][1] == {"command": "add", "description": "viết dòng kế hoạch mới"}
    [choose] = await harness.send(P, "/language")
    assert buttons(choose) == ["Tiếng Việt", "English"]
    [done] = await harness.press(P, "English")
    assert done["text"] == "Language set: English."
    [plan] = await harness.send(P, "/plan")
    assert "Quality-improvement plan, school year" in plan["text"]
    await harness.sender.drain()  # the menu follows the language
    assert harness.core.menu(TOKEN, P)["commands"][1]["description"] == "write a new row"
    with harness.db.transaction() as session:
        assert session.scalar(select(OutboxItem.state).where(OutboxItem.kind == "menu")) == "sent"


async def test_each_role_sees_its_own_commands_in_help_and_menu(harness):
    school = build_school(harness, "THCS Vai Trò", "VT")
    users = await join_all(harness, school, 9200)
    await harness.sender.drain()
    principal, staff = users["principal"], users["staff"]
    assert set(menu(harness, principal)) >= PRINCIPAL_ONLY
    assert "add" in menu(harness, users["council"])
    assert not PRINCIPAL_ONLY & set(menu(harness, users["council"]))
    assert menu(harness, staff) == [
        "plan",
        "mine",
        "report",
        "team",
        "settings",
        "language",
        "help",
        "cancel",
    ]
    assert "export" in menu(harness, users["monitor"])
    assert "add" not in menu(harness, users["monitor"])
    # /help says the same.
    [help_principal] = await harness.send(principal, "/help")
    assert "/digest" in help_principal["text"] and "/invite" in help_principal["text"]
    [help_staff] = await harness.send(staff, "/help")
    for refused in ("/add", "/digest", "/invite", "/import", "/export", "/report_year"):
        assert refused not in help_staff["text"], refused
    assert "/report" in help_staff["text"] and "/settings — nghỉ phép" in help_staff["text"]
    # A stranger gets the strangers' menu (no chat menu of their own).
    harness.user(9299)
    await harness.send(9299, "/start")
    await harness.sender.drain()
    assert harness.core.menu(TOKEN, 9299)["scope"] == "all_private_chats:::"
    assert menu(harness, 9299) == ["start", "help", "language"]


async def test_menu_follows_a_role_change_and_leaving(harness):
    school = build_school(harness, "THCS Đổi Vai", "ĐV")
    users = await join_all(harness, school, 9300)
    await harness.sender.drain()
    staff = users["staff"]
    assert "add" not in menu(harness, staff)
    with harness.db.transaction() as session:
        principal = session.get(Member, school["ids"]["principal"])
        members.change_role(
            session,
            school["school_id"],
            school["ids"]["staff"],
            "council",
            principal,
            harness.clock.now(),
        )
    await harness.sender.drain()
    assert "add" in menu(harness, staff)
    with harness.db.transaction() as session:
        principal = session.get(Member, school["ids"]["principal"])
        members.remove_member(
            session, school["school_id"], school["ids"]["staff"], principal, harness.clock.now()
        )
    await harness.sender.drain()
    assert harness.core.menu(TOKEN, staff)["scope"] == "all_private_chats:::"
    assert menu(harness, staff) == ["start", "help", "language"]
    # Nothing the emulator refused on the way.
    assert harness.core.refused(TOKEN) == []


async def test_the_criterion_picker_says_what_was_picked(harness):
    await harness.principal(P)
    await harness.send(P, "/add")
    [criteria] = await harness.press(P, "Tiêu chuẩn 2")
    picked, question = await harness.press(P, "2.2 ")
    assert picked["message_id"] == criteria["message_id"]  # the picker itself, edited
    assert picked["text"].startswith("✅ Đã chọn: 2.2 ")
    assert "reply_markup" not in picked or not buttons(picked)
    assert "Kết quả cần đạt" in question["text"]


async def test_owners_picker_shows_each_person_once_with_position(harness):
    school = build_school(harness, "THCS Phụ Trách", "PT")
    users = await join_all(harness, school, 9400)
    with harness.db.transaction() as session:
        lan = session.get(Member, school["ids"]["staff"])
        lan.display_name, lan.title = "Đặng Thị Lan", "Kế toán"  # the others have no position
    principal = users["principal"]
    await harness.send(principal, "/add")
    await harness.press(principal, "Tiêu chuẩn 1")
    await harness.press(principal, "1.6")
    for answer in ("KQ", "CV", "Kế toán chủ trì", "Tháng 9/2026", "/skip", "/skip", "/skip"):
        await harness.send(principal, answer)
    [picker] = await harness.press(principal, "👥 Người phụ trách")
    names = [b for b in buttons(picker) if b[:2] in ("☐ ", "☑ ")]
    assert names[0] == "☐ Đặng Thị Lan · Kế toán 💡"  # suggested: first, once
    assert sum("Đặng Thị Lan" in b for b in buttons(picker)) == 1
    assert "Gợi ý theo nội dung chủ trì: Đặng Thị Lan (Kế toán)" in picker["text"]
    assert "None" not in picker["text"] and not any("None" in b for b in buttons(picker))
    assert "☐ PT council" in names  # no position: the name alone
    assert len(names) == len(set(names)) == len(school["ids"]) + 1  # everyone, once


async def test_a_command_after_an_unfinished_settings_question_is_a_command(harness):
    await harness.principal(P)
    await harness.send(P, "/settings")
    [question] = await harness.press(P, "Giờ gửi")
    assert "Gửi nhắc việc lúc mấy giờ" in question["text"]
    [mine] = await harness.send(P, "/mine")
    assert "chưa được giao" in mine["text"]
    # The question is gone: a time typed now is not taken as the answer.
    replies = await harness.send(P, "7:30")
    assert "✅ Đã lưu." not in text(replies)
    assert replies[0]["text"] == "Tôi chưa hiểu tin nhắn này."
    [menu_view] = await harness.send(P, "/settings")
    assert "Giờ gửi nhắc việc: 08:00" in menu_view["text"]
    # An unknown command is bad input: the same question again, as everywhere.
    await harness.press(P, "Giờ gửi")
    notice, again = await harness.send(P, "/giogui")
    assert "Không có lệnh /giogui" in notice["text"] and "Gửi nhắc việc" in again["text"]
    [_, saved_menu] = await harness.send(P, "7:30")
    assert "Giờ gửi nhắc việc: 07:30" in saved_menu["text"]
