"""Who may do what, through real updates: a role × action matrix, forgery, two schools."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from bot.services import members, owners, plans
from bot.services.schools import create_school
from db.models import Member, PlanRow, RowStatus
from tests.conftest import TOKEN
from tests.handlers.conftest import text

ROLES = ("principal", "vice_principal", "council", "staff", "monitor")
ACTIONS = (
    "view plan",
    "add row",
    "edit own row",
    "edit other's row",
    "delete row",
    "invite",
    "change role",
    "export",
)
ALLOWED = {
    "principal": set(ACTIONS),
    "vice_principal": set(ACTIONS),
    "council": {"view plan", "add row", "edit own row"},
    "staff": {"view plan"},
    "monitor": {"view plan", "export"},
}
REFUSALS = (
    "không có quyền",
    "Chỉ hiệu trưởng",
    "Không thể thay đổi",
    "Không tìm thấy",
)


def build_school(harness, name: str, marker: str, roles=ROLES) -> dict:
    """A school with one member per role (bound to Telegram ids), and two rows."""
    with harness.db.transaction() as session:
        school, _ = create_school(session, name, "thcs", None, "Asia/Ho_Chi_Minh")
        codes = {}
        ids = {}
        for role in roles:
            member, invite = members.add_member(session, school, f"{marker} {role}", role, None)
            codes[role], ids[role] = invite.code, member.id
        target, _ = members.add_member(session, school, f"{marker} target", "staff", None)
        principal = session.get(Member, ids["principal"])
        plan = plans.ensure_plan(session, school, "2026-2027")
        rows = {}
        for key, code in (("own", "1.4"), ("other", "2.2")):
            row = plans.new_draft(session, principal, plan)
            plans.set_criterion(session, row, plans.regulation_of(school), code, principal)
            plans.set_field(
                session, row, "expected_result", f"{marker} {key}", "2026-2027", principal
            )
            plans.save_draft(session, row, principal)
            rows[key] = row.id
        return {
            "school_id": school.id,
            "codes": codes,
            "ids": ids,
            "rows": rows,
            "target": target.id,
        }


async def join_all(harness, school: dict, base: int) -> dict[str, int]:
    users = {}
    for i, role in enumerate(school["codes"]):
        user = base + i
        harness.user(user)
        [welcome] = await harness.send(user, f"/start {school['codes'][role]}")
        assert "Chào mừng" in welcome["text"], welcome["text"]
        users[role] = user
    return users


def own_the_row(harness, school: dict, role: str) -> None:
    with harness.db.transaction() as session:
        row = session.get(PlanRow, school["rows"]["own"])
        owners.set_owners(session, row, [school["ids"][role]], school["ids"][role], None)


async def attempt(harness, user: int, action: str, school: dict) -> list[dict]:
    rows = school["rows"]
    if action == "view plan":
        return await harness.send(user, "/plan")
    if action == "add row":
        return await harness.send(user, "/add")
    if action == "edit own row":
        return await harness.forge(user, f"r:e:{rows['own']}:t")
    if action == "edit other's row":
        return await harness.forge(user, f"r:e:{rows['other']}:t")
    if action == "delete row":
        return await harness.forge(user, f"r:d:{rows['other']}")
    if action == "invite":
        return await harness.send(user, "/invite")
    if action == "change role":
        return await harness.forge(user, f"t:c:{school['target']}:monitor")
    if action == "export":
        return await harness.send(user, "/export")
    raise AssertionError(action)


def succeeded(action: str, replies: list[dict]) -> bool:
    said = text(replies)
    if any(refusal in said for refusal in REFUSALS):
        return False
    expected = {
        "view plan": "Kế hoạch cải tiến chất lượng giáo dục năm học",
        "add row": "Chọn tiêu chuẩn",
        "edit own row": "Công việc/giải pháp",
        "edit other's row": "Công việc/giải pháp",
        "delete row": "Thao tác này không hoàn tác được",
        "invite": "Mời thành viên mới",
        "change role": "Vai trò: thành viên tổ giám sát",
    }
    if action == "export":
        return any("document" in r for r in replies)
    return expected[action] in said


@pytest.mark.parametrize("role", ROLES)
async def test_permission_matrix(harness, role):
    school = build_school(harness, "THCS Ma Trận", "MT")
    users = await join_all(harness, school, 100)
    own_the_row(harness, school, role)
    user = users[role]
    for action in ACTIONS:
        replies = await attempt(harness, user, action, school)
        await harness.send(user, "/cancel")
        assert succeeded(action, replies) == (action in ALLOWED[role]), (
            role,
            action,
            text(replies),
        )
    with harness.db.transaction() as session:
        target = session.get(Member, school["target"])
        assert (target.role == "monitor") == ("change role" in ALLOWED[role])


async def test_a_removed_member_replaying_buttons_gets_nothing(harness):
    school = build_school(harness, "THCS Rời", "RỜI")
    users = await join_all(harness, school, 200)
    [plan] = await harness.send(users["council"], "/plan")
    with harness.db.transaction() as session:
        principal = session.get(Member, school["ids"]["principal"])
        members.remove_member(
            session, school["school_id"], school["ids"]["council"], principal, harness.clock.now()
        )
    replies = await harness.press(
        users["council"], message_id=plan["message_id"], button_text="1.4 —"
    )
    assert "Tôi là trợ lý caitien" in text(replies) and "RỜI own" not in text(replies)


async def test_school_a_never_sees_school_b(harness):
    a = build_school(harness, "Trường A", "AAA", roles=("principal",))
    b = build_school(harness, "Trường B bí mật", "BBB", roles=("principal", "staff"))
    users = await join_all(harness, a, 300)
    user = users["principal"]
    said: list[dict] = []
    for command in (
        "/start",
        "/help",
        "/plan",
        "/mine",
        "/team",
        "/invite",
        "/export",
        "/school",
        "/report_year",
        "/import",
        "/cancel",
        "/language",
        "/add",
        "/cancel",
        "/skip",
        "/foo",
        "xin chào",
    ):
        said += await harness.send(user, command)
    forged = [
        f"r:o:{b['rows']['own']}",
        f"r:e:{b['rows']['other']}:t",
        f"r:d:{b['rows']['own']}",
        f"r:y:{b['rows']['own']}:1",
        f"o:s:{b['rows']['own']}",
        f"o:t:{b['rows']['own']}:1:1",
        f"t:m:{b['ids']['staff']}",
        f"t:c:{b['ids']['staff']}:monitor",
        f"t:X:{b['ids']['staff']}",
        "p:y:2026-2027",
        "r:o:999999",
        "o:s:999999",
    ]
    for data in forged:
        said += await harness.forge(user, data)
    documents = [m for m in said if "document" in m]
    assert documents
    exported = harness.core.file_content(
        TOKEN, "documents/" + documents[0]["document"]["file_id"] + "_x"
    )
    with zipfile.ZipFile(io.BytesIO(exported)) as docx_file:
        everything = text(said) + docx_file.read("word/document.xml").decode()
    assert "AAA" in everything
    assert "BBB" not in everything and "Trường B" not in everything
    with harness.db.transaction() as session:
        staff_b = session.get(Member, b["ids"]["staff"])
        assert staff_b.role == "staff" and staff_b.active
        assert session.get(PlanRow, b["rows"]["own"]).status == RowStatus.ACTIVE
        assert not session.scalars(
            select(PlanRow).where(PlanRow.expected_result.like("BBB%"), PlanRow.status != "active")
        ).all()
