"""Invitations, joining with name and position, /team management, owners, /mine, audit."""

import datetime as dt

from sqlalchemy import select

from bot.services import members
from bot.services.schools import create_school
from db.models import Invite, Member, MembershipHistory, PlanRow, RowHistory
from tests.handlers.conftest import buttons, text
from tests.handlers.test_rows import write_row

P = 30  # write_row works for this principal
NEW, THIRD = 31, 32


def link_code(message: dict) -> str:
    return message["text"].split("?start=")[1].split()[0]


async def invite(harness, role_label: str) -> str:
    await harness.send(P, "/invite")
    [link] = await harness.press(P, role_label)
    return link_code(link)


async def test_invite_join_with_name_and_position(harness):
    await harness.principal(P)
    [menu] = await harness.send(P, "/invite")
    assert buttons(menu)[:4] == [
        "Phó hiệu trưởng",
        "Thành viên hội đồng / tổ trưởng",
        "Giáo viên, nhân viên",
        "Thành viên tổ giám sát",
    ]
    [link] = await harness.press(P, "Giáo viên, nhân viên")
    assert "https://t.me/caitien_test_bot?start=" in link["text"]
    code = link_code(link)
    assert len(code) <= 64 and code.replace("-", "").replace("_", "").isalnum()
    harness.user(NEW, name="Lan")
    welcome, ask_name = await harness.send(NEW, f"/start {code}")
    assert "với vai trò giáo viên, nhân viên" in welcome["text"]
    assert "họ và tên" in ask_name["text"]
    [ask_title] = await harness.send(NEW, "Đặng Thị Lan")
    assert "Chức vụ" in ask_title["text"]
    [done] = await harness.send(NEW, "Kế toán")
    assert (
        "Đặng Thị Lan (Kế toán) đã tham gia THCS Lê Quý Đôn với vai trò giáo viên, nhân viên."
        in done["text"]
    )
    # The one-use link is now used up.
    harness.user(THIRD)
    refused = text(await harness.send(THIRD, f"/start {code}"))
    assert "Lời mời này đã được sử dụng." in refused
    [team] = await harness.send(P, "/team")
    assert "Đặng Thị Lan — giáo viên, nhân viên, Kế toán" in team["text"]


async def test_expired_and_revoked_links_are_refused(harness):
    await harness.principal(P)
    code = await invite(harness, "Giáo viên")
    with harness.db.transaction() as session:
        session.scalar(select(Invite).where(Invite.code == code)).expires_at = dt.datetime(
            2020, 1, 1, tzinfo=dt.UTC
        )
    harness.user(NEW)
    assert "Lời mời này đã hết hạn." in text(await harness.send(NEW, f"/start {code}"))
    code = await invite(harness, "Giáo viên")
    [revoked] = await harness.press(P, "🚫 Thu hồi link này")
    assert revoked["text"] == "🚫 Đã thu hồi link."
    assert "Lời mời này đã bị thu hồi." in text(await harness.send(NEW, f"/start {code}"))


async def test_whole_staff_link_serves_many(harness):
    await harness.principal(P)
    code = await invite(harness, "Cả tập thể")
    for user in (40, 41, 42):
        harness.user(user)
        welcome, _ = await harness.send(user, f"/start {code}")
        assert "Chào mừng" in welcome["text"]
        await harness.send(user, "/skip")
        await harness.send(user, "/skip")
    [team] = await harness.send(P, "/team")
    assert "THCS Lê Quý Đôn: 4 thành viên" in team["text"]


async def test_change_role_and_remove_but_never_the_principal(harness):
    await harness.principal(P)
    code = await invite(harness, "Giáo viên")
    harness.user(NEW, name="Bình")
    await harness.send(NEW, f"/start {code}")
    await harness.send(NEW, "/skip")
    await harness.send(NEW, "/skip")
    [team] = await harness.send(P, "/team")
    assert "✏️ Hà" not in buttons(team)  # no management buttons for the principal
    [card] = await harness.press(P, "✏️ Bình")
    [card] = await harness.press(P, "Chuyển thành thành viên hội đồng / tổ trưởng")
    assert "Vai trò: thành viên hội đồng / tổ trưởng" in card["text"]
    [_add_notice, standards] = await harness.send(NEW, "/add")  # council members write rows
    assert "Chọn tiêu chuẩn" in standards["text"]
    await harness.send(NEW, "/cancel")
    with harness.db.transaction() as session:
        principal_id = session.scalar(select(Member.id).where(Member.role == "principal"))
        new_id = session.scalar(select(Member.id).where(Member.display_name == "Bình"))
    [refused] = await harness.forge(P, f"t:c:{principal_id}:staff")
    assert "Không thể thay đổi vai trò" in refused["text"]
    [refused] = await harness.forge(P, f"t:X:{principal_id}")
    assert "Không thể thay đổi" in refused["text"]
    await harness.press(P, "◀ Đội ngũ", message_id=card["message_id"])
    await harness.forge(P, f"t:x:{new_id}")
    _done, team = await harness.press(P, "🗑 Có, xoá")
    assert "Bình" not in team["text"]
    # The removed member now gets onboarding only, even pressing old buttons.
    assert "Tôi là trợ lý caitien" in text(await harness.send(NEW, "/plan"))
    with harness.db.transaction() as session:
        actions = [h.action for h in session.scalars(select(MembershipHistory))]
    assert actions[-2:] == ["role", "removed"] and "invited" in actions and "joined" in actions


async def test_owners_with_suggestion_and_mine(harness):
    await harness.principal(P)
    code = await invite(harness, "Giáo viên")
    harness.user(NEW)
    await harness.send(NEW, f"/start {code}")
    await harness.send(NEW, "Đặng Thị Lan")
    await harness.send(NEW, "Kế toán")
    assert "chưa được giao" in text(await harness.send(NEW, "/mine"))
    await start_with_lead(harness, "Kế toán chủ trì; thủ quỹ phối hợp")
    [card] = await harness.press(P, "👥 Người phụ trách")
    assert "Gợi ý theo nội dung chủ trì: Đặng Thị Lan (Kế toán)" in card["text"]
    # The suggested person is first in the list, once, with her position.
    assert [b for b in buttons(card) if "Lan" in b] == ["☐ Đặng Thị Lan · Kế toán 💡"]
    [card] = await harness.press(P, "☐ Đặng Thị Lan")
    assert "☑ Đặng Thị Lan · Kế toán" in buttons(card)
    [card] = await harness.press(P, "✅ Xong")
    assert "Tóm tắt dòng kế hoạch mới" in card["text"]
    assert "Người phụ trách: ⭐ Đặng Thị Lan" in card["text"]
    await harness.press(P, "💾 Lưu")
    [mine] = await harness.send(NEW, "/mine")
    assert "1.6 — Quản lý hành chính, tài chính và tài sản" in mine["text"]
    assert "⭐ chủ trì" in mine["text"] and "chưa báo cáo" in mine["text"]
    # Staff see their row but get no edit buttons, and forged edits are refused.
    [row_card] = await harness.press(NEW, "1.6 —")
    assert not any(b.startswith("✏️") for b in buttons(row_card))
    with harness.db.transaction() as session:
        row_id = session.scalar(select(PlanRow.id))
    [refused] = await harness.forge(NEW, f"r:e:{row_id}:t")
    assert refused["text"] == "Thầy/cô không có quyền sửa dòng này."
    [refused] = await harness.forge(NEW, f"o:s:{row_id}")
    assert refused["text"] == "Thầy/cô không có quyền sửa dòng này."


async def start_with_lead(harness, lead):
    await harness.send(P, "/add")
    await harness.press(P, "Tiêu chuẩn 1")
    await harness.press(P, "1.6")
    for answer in ("KQ", "CV", lead, "Tháng 9/2026", "/skip", "/skip", "/skip"):
        await harness.send(P, answer)


async def test_owner_changes_are_recorded_on_saved_rows(harness):
    await harness.principal(P)
    await write_row(harness)
    await harness.send(P, "/plan")
    await harness.press(P, "1.4 —")
    await harness.press(P, "👥 Người phụ trách")
    await harness.press(P, "☐ Hà")
    [card] = await harness.press(P, "✅ Xong")
    assert "Người phụ trách: ⭐ Hà" in card["text"]
    with harness.db.transaction() as session:
        history = session.scalars(select(RowHistory).where(RowHistory.field == "owners")).all()
    assert [(h.old_value, h.new_value) for h in history] == [(None, "★Hà")]


async def test_a_person_in_two_schools_picks_the_active_one(harness):
    await harness.principal(P, school="Trường Một")
    with harness.db.transaction() as session:
        school, _ = create_school(session, "Trường Hai", "tieu_hoc", None, "Asia/Ho_Chi_Minh")
        _, personal = members.add_member(session, school, "Hà", "council", "TTCM")
        code = personal.code
    [joined] = await harness.send(P, f"/start {code}")
    assert "Trường Hai" in joined["text"] and "thành viên hội đồng" in joined["text"]
    [plan] = await harness.send(P, "/plan")
    assert "Trường Hai" in plan["text"]
    [choice] = await harness.send(P, "/school")
    assert buttons(choice) == [
        "Trường Một — hiệu trưởng",
        "✅ Trường Hai — thành viên hội đồng / tổ trưởng",
    ]
    [done] = await harness.press(P, "Trường Một")
    assert done["text"] == "Thầy/cô đang làm việc với Trường Một."
    [plan] = await harness.send(P, "/plan")
    assert "Trường Một" in plan["text"]
    [refused] = await harness.forge(P, "s:999")
    assert refused["text"] == "Nút này không còn hiệu lực."
