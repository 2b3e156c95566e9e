"""/supervisor: a principal links the school to a supervising unit with the unit's code
(confirmed), is refused a second unit of one kind, unlinks, and sees which specialists looked;
a vice-principal sees, but does not link. On the seeded unit of tests/unit_seed.py."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.services import members, units
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from db.models import MembershipHistory, School, SupervisingUnit, UnitSchool
from tests.handlers.conftest import buttons, text
from tests.unit_seed import AT, MAI, PRINCIPALS, SCHOOL_A, UNIT_1, UNIT_3, local, seed

THU = PRINCIPALS[SCHOOL_A]
NEW_PRINCIPAL, VICE = 8101, 8102


@pytest.fixture
def seeded(harness, db):
    found = seed(db)
    harness.running_at(AT)
    for user_id, name in ((THU, "Thu"), (MAI, "Mai"), (NEW_PRINCIPAL, "Quý"), (VICE, "Bình")):
        harness.user(user_id, name=name)
    return found


def new_unit(db, name: str, kind: str) -> tuple[int, str]:
    with db.transaction() as session:
        unit = units.create_unit(session, name, kind, local(2027, 1, 4, 8))
        return unit.id, unit.link_code


def linked(db, unit_id: int) -> list[int]:
    with db.transaction() as session:
        return units.linked_school_ids(session, unit_id)


def callbacks(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


async def test_link_with_a_code_typed_loosely_after_confirming(harness, db, seeded):
    unit_id, code = new_unit(db, "Phòng Văn hóa – Xã hội phường Ba Đình", "commune")
    await harness.principal(NEW_PRINCIPAL, school="THCS Ba Đình")
    typed = code.lower().replace("-", " ")  # "abcd efgh jkmn"
    [question] = await harness.send(NEW_PRINCIPAL, f"/supervisor {typed}")
    assert (
        "Liên kết THCS Ba Đình với Phòng Văn hóa – Xã hội phường Ba Đình (cấp xã, phường)?"
        in question["text"]
    )
    assert "chỉ xem" in question["text"]
    assert buttons(question) == ["🔗 Liên kết", "Huỷ"]
    confirm = callbacks(question)[0]
    assert linked(db, unit_id) == []  # nothing before the confirmation
    [done] = await harness.press(NEW_PRINCIPAL, "🔗 Liên kết")
    assert "THCS Ba Đình đã liên kết với Phòng Văn hóa – Xã hội phường Ba Đình" in done["text"]
    with db.transaction() as session:
        school = session.scalar(select(School).where(School.name == "THCS Ba Đình"))
        assert school is not None
        assert units.linked_school_ids(session, unit_id) == [school.id]
        assert session.scalar(
            select(MembershipHistory.action).where(
                MembershipHistory.school_id == school.id,
                MembershipHistory.action == "unit_linked",
            )
        )
    # The confirmation button, pressed again, is stale: nothing is linked twice.
    again = await harness.forge(NEW_PRINCIPAL, confirm, question["message_id"])
    assert "Nút này thuộc một tin nhắn cũ." in text(again)
    [listing] = await harness.send(NEW_PRINCIPAL, "/supervisor")
    assert "• Phòng Văn hóa – Xã hội phường Ba Đình (cấp xã, phường)" in listing["text"]
    assert "Chưa có chuyên viên nào xem kế hoạch." in listing["text"]


async def test_a_wrong_code_is_said_and_asked_again(harness, db, seeded):
    unit_id, code = new_unit(db, "Sở GD&ĐT Bắc Ninh", "province")
    await harness.principal(NEW_PRINCIPAL, school="THCS Ba Đình")
    wrong, ask = await harness.send(NEW_PRINCIPAL, "/supervisor ABCD-EFGH-JKMN")
    assert "Mã này không hợp lệ" in wrong["text"]
    assert "gửi mã liên kết do đơn vị quản lý cấp" in ask["text"]
    wrong, ask = await harness.send(NEW_PRINCIPAL, "mã gì đây")
    assert "Mã này không hợp lệ" in wrong["text"]
    assert "gửi mã liên kết" in ask["text"]
    [question] = await harness.send(NEW_PRINCIPAL, f"  {code.lower()} ")
    assert "Sở GD&ĐT Bắc Ninh (Sở Giáo dục và Đào tạo)" in question["text"]
    [stopped] = await harness.press(NEW_PRINCIPAL, "Huỷ")
    assert "Không liên kết hay bỏ liên kết đơn vị nào." in stopped["text"]
    assert linked(db, unit_id) == []
    # Another command ends the question: the next text is not taken for a code.
    await harness.send(NEW_PRINCIPAL, "/supervisor KHONG-PHAI-MA")
    await harness.send(NEW_PRINCIPAL, "/mine")
    assert "Mã này không hợp lệ" not in text(await harness.send(NEW_PRINCIPAL, code))
    assert linked(db, unit_id) == []


async def test_a_second_unit_of_one_kind_is_refused_naming_the_first(harness, db, seeded):
    unit_id, code = new_unit(db, "Phòng Văn hóa – Xã hội phường Cửa Nam", "commune")
    [question] = await harness.send(THU, f"/supervisor {code}")
    assert UNIT_1 not in question["text"]  # the new unit is named, to confirm
    [refused] = await harness.press(THU, "🔗 Liên kết")
    assert f"Trường THCS Nguyễn Du đã liên kết với {UNIT_1} (cấp xã, phường)." in refused["text"]
    assert "bỏ liên kết đơn vị đó trước" in refused["text"]
    assert linked(db, unit_id) == []
    assert seeded.schools[SCHOOL_A] in linked(db, seeded.units[UNIT_1])


async def test_unlink_after_confirming(harness, db, seeded):
    a = seeded.schools[SCHOOL_A]
    [listing] = await harness.send(THU, "/supervisor")
    unlink_1 = callbacks(listing)[0]
    assert f"• {UNIT_1} (cấp xã, phường)" in listing["text"]
    assert f"• {UNIT_3} (Sở Giáo dục và Đào tạo)" in listing["text"]
    assert buttons(listing) == [
        f"✂️ Bỏ liên kết {UNIT_1}",
        f"✂️ Bỏ liên kết {UNIT_3}",
        "➕ Liên kết với đơn vị",
    ]
    [question] = await harness.press(THU, f"✂️ Bỏ liên kết {UNIT_1}")
    assert f"Bỏ liên kết Trường THCS Nguyễn Du với {UNIT_1}" in question["text"]
    assert a in linked(db, seeded.units[UNIT_1])
    [done] = await harness.press(THU, "✂️ Bỏ liên kết")
    assert "chuyên viên của đơn vị không còn xem được kế hoạch" in done["text"]
    assert a not in linked(db, seeded.units[UNIT_1])
    assert a in linked(db, seeded.units[UNIT_3])
    with db.transaction() as session:
        mai = units.specialist_of(session, upsert_person(session, TelegramUser(MAI, "Mai")))
        assert units.school_for(session, mai, a) is None
    # The unlink button of the old list no longer names a linked unit.
    stale = await harness.forge(THU, unlink_1, listing["message_id"])
    assert "Nút này không còn hiệu lực." in text(stale)


async def test_the_principal_sees_which_specialist_looked(harness, db, seeded):
    await harness.send(MAI, "/schools")
    a = seeded.schools[SCHOOL_A]
    await harness.press(MAI, data=f"h:s:{a}")
    await harness.press(MAI, data=f"h:r:{a}:{seeded.rows[SCHOOL_A][0]}")
    await harness.press(MAI, data=f"h:s:{a}")
    [listing] = await harness.send(THU, "/supervisor")
    assert "Ai đã xem kế hoạch" in listing["text"]
    when = AT.strftime("%d/%m/%Y %H:%M")
    assert f"• {UNIT_1} · Trần Thị Mai: kế hoạch — {when} (2 lần)" in listing["text"]
    assert f"• {UNIT_1} · Trần Thị Mai: một dòng của kế hoạch — {when} (1 lần)" in listing["text"]
    assert f"• {UNIT_1} · Trần Thị Mai: danh sách trường — {when} (1 lần)" in listing["text"]
    assert "Phạm Quang Vinh" not in listing["text"]  # the Sở's specialist did not look


async def test_a_vice_principal_sees_but_does_not_link(harness, db, seeded):
    unit_id, code = new_unit(db, "Phòng Văn hóa – Xã hội phường Cửa Nam", "commune")
    with db.transaction() as session:
        school = session.get(School, seeded.schools[SCHOOL_A])
        assert school is not None
        _member, invite = members.add_member(
            session, school, "Trần Văn Bình", "vice_principal", None
        )
        person = upsert_person(session, TelegramUser(VICE, "Bình"))
        assert join_with_code(session, person, invite.code, AT).member is not None
    [listing] = await harness.send(VICE, "/supervisor")
    assert f"• {UNIT_1} (cấp xã, phường)" in listing["text"]
    assert buttons(listing) == []
    [refused] = await harness.send(VICE, f"/supervisor {code}")
    assert "Chỉ hiệu trưởng liên kết hoặc bỏ liên kết" in refused["text"]
    for data in ("u:a", f"u:u:{seeded.units[UNIT_1]}", f"u:y:{unit_id}:1"):
        [refused] = await harness.forge(VICE, data)
        assert "Chỉ hiệu trưởng liên kết hoặc bỏ liên kết" in refused["text"]
    assert linked(db, unit_id) == []
    with db.transaction() as session:
        assert session.scalar(
            select(UnitSchool.id).where(
                UnitSchool.unit_id == seeded.units[UNIT_1],
                UnitSchool.school_id == seeded.schools[SCHOOL_A],
            )
        )
        assert session.get(SupervisingUnit, unit_id) is not None
