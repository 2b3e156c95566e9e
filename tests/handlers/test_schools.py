"""A unit's specialist: joins with `/start CODE`, sees the linked schools with /schools (the
seed's hand-worked counts, attention first), a school's plan and a row's card read-only, and
nothing of a school of another unit, of a school that unlinked, or once removed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.services import units
from db.models import Evidence, ProgressReport, School, UnitMember, UnitView
from tests.conftest import TOKEN
from tests.handlers.conftest import buttons, text
from tests.unit_seed import (
    AT,
    MAI,
    NAM,
    PRINCIPALS,
    SCHOOL_A,
    SCHOOL_B,
    SCHOOL_C,
    SCHOOL_D,
    UNIT_1,
    local,
    seed,
)

NEWCOMER = 9101


@pytest.fixture
def seeded(harness, db):
    found = seed(db)
    harness.running_at(AT)
    for user_id, name in ((MAI, "Mai"), (NAM, "Nam"), (NEWCOMER, "Hương")):
        harness.user(user_id, name=name)
    return found


def callbacks(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


def views_of(db, specialist_id: int) -> list[tuple[int, str, int | None]]:
    with db.transaction() as session:
        return [
            (v.school_id, v.what, v.row_id)
            for v in session.scalars(
                select(UnitView)
                .where(UnitView.unit_member_id == specialist_id)
                .order_by(UnitView.id)
            )
        ]


async def test_a_specialist_joins_with_the_code(harness, db, seeded):
    with db.transaction() as session:
        unit = units.get_unit(session, seeded.units[UNIT_1])
        code = units.add_specialist(session, unit, "Ngô Thu Hương", AT).invite_code
    [welcome] = await harness.send(NEWCOMER, f"/start {code}")
    assert f"Thầy/cô đã tham gia {UNIT_1} với vai trò chuyên viên." in welcome["text"]
    assert "/schools — kế hoạch của các trường liên kết với đơn vị" in welcome["text"]
    assert "/export — bảng tổng hợp các trường liên kết" in welcome["text"]
    assert "/invite" not in welcome["text"] and "/plan" not in welcome["text"]
    [again] = await harness.send(NEWCOMER, f"/start {code}")
    assert f"Thầy/cô đã là chuyên viên của {UNIT_1}." in again["text"]
    # A school command: the specialist's help, not the stranger's onboarding.
    [helped] = await harness.send(NEWCOMER, "/plan")
    assert f"Xin chào Ngô Thu Hương! Thầy/cô là chuyên viên của {UNIT_1}." in helped["text"]
    assert "/schools" in helped["text"]
    # Their chat's own command menu: the specialist's commands.
    await harness.sender.drain()
    chat_menu = harness.core.menu(TOKEN, NEWCOMER)
    assert chat_menu["scope"] == f"chat:{NEWCOMER}::"
    assert [c["command"] for c in chat_menu["commands"]][:2] == ["schools", "export"]
    # The code was for one person: someone else is refused as with an unknown code.
    harness.user(9102, name="Khác")
    refused = text(await harness.send(9102, f"/start {code}"))
    assert "Mã này không hợp lệ." in refused


async def test_schools_lists_the_seed_counts_attention_first(harness, db, seeded):
    [listing] = await harness.send(MAI, "/schools")
    body = listing["text"]
    assert body.startswith(UNIT_1)
    assert "3 trường liên kết · 18/01/2027 08:00" in body
    # Attention first: C (no plan), A (a difficulty), B.
    c, a, b = (
        body.index(f"{n}. {name}") for n, name in ((1, SCHOOL_C), (2, SCHOOL_A), (3, SCHOOL_B))
    )
    assert c < a < b
    assert SCHOOL_D not in body
    part_c, part_a, part_b = body[c:a], body[a:b], body[b:]
    assert "chưa có kế hoạch năm học này" in part_c
    assert "Kế hoạch năm học 2026-2027 · mẫu 2018 · 4 dòng" in part_a
    assert "Hoàn thành 1 · đang thực hiện 1 · chưa thực hiện 1 · gặp khó khăn 1" in part_a
    assert "Quá hạn 2 · Chỉ số 1.4: 1/4 · báo cáo gần nhất 12/01/2027" in part_a
    assert "Chưa báo cáo từ lần nhắc trước: Trần Minh, Vũ Văn Hùng" in part_a
    assert "Kế hoạch năm học 2026-2027 · Biểu 2 (Thông tư 57) · 3 dòng" in part_b
    assert "Hoàn thành 2 · đang thực hiện 1 · chưa thực hiện 0 · gặp khó khăn 0" in part_b
    assert "Quá hạn 0 · Chỉ số 1.4: 2/3 · báo cáo gần nhất 16/01/2027" in part_b
    assert "Chưa báo cáo từ lần nhắc trước" not in part_b
    assert buttons(listing) == [
        f"1. {SCHOOL_C}",
        f"2. {SCHOOL_A}",
        f"3. {SCHOOL_B}",
        "📊 Xuất tổng hợp",
    ]
    ids = seeded.schools
    assert callbacks(listing) == [
        f"h:s:{ids[SCHOOL_C]}",
        f"h:s:{ids[SCHOOL_A]}",
        f"h:s:{ids[SCHOOL_B]}",
        f"h:x:{seeded.units[UNIT_1]}",
    ]
    # One record per school listed.
    assert sorted(views_of(db, seeded.specialists[MAI])) == sorted(
        (ids[name], "schools", None) for name in (SCHOOL_A, SCHOOL_B, SCHOOL_C)
    )


async def test_a_school_plan_read_only(harness, db, seeded):
    a = seeded.schools[SCHOOL_A]
    await harness.send(MAI, "/schools")
    [plan] = await harness.press(MAI, f"2. {SCHOOL_A}")
    body = plan["text"]
    assert body.startswith(SCHOOL_A)
    assert "Kế hoạch cải tiến chất lượng giáo dục năm học 2026-2027" in body
    assert "mẫu 2018 · 4 dòng" in body
    assert "gặp khó khăn · hạn 30/11/2026" in body
    assert "hoàn thành · hạn 31/12/2026" in body
    assert "đang thực hiện · hạn 31/03/2027" in body
    assert "chưa báo cáo · hạn 15/01/2027" in body
    rows = seeded.rows[SCHOOL_A]
    assert callbacks(plan) == [*(f"h:r:{a}:{r}" for r in rows), f"h:l:{seeded.units[UNIT_1]}:0"]
    assert buttons(plan)[-1] == "◀ Các trường"
    assert (a, "plan", None) in views_of(db, seeded.specialists[MAI])
    # A school without a plan: said so, nothing created for it.
    c = seeded.schools[SCHOOL_C]
    [empty] = await harness.forge(MAI, f"h:s:{c}")
    assert "Kế hoạch của nhà trường chưa có dòng nào." in empty["text"]
    with db.transaction() as session:
        school = session.get(School, c)
        assert school is not None and not school.plans


async def test_a_row_card_with_its_evidence_and_no_edit_button(harness, db, seeded):
    a = seeded.schools[SCHOOL_A]
    row_id = seeded.rows[SCHOOL_A][0]
    with db.transaction() as session:
        report = session.scalar(select(ProgressReport).where(ProgressReport.row_id == row_id))
        assert report is not None
        session.add(
            Evidence(
                report_id=report.id,
                file_name="bien-ban-hop-to.pdf",
                caption="Biên bản họp tổ tháng 1",
                size=1200,
                sha256="0" * 64,
                path="1/1/bien-ban-hop-to.pdf",
                created_at=local(2027, 1, 12, 15, 5),
            )
        )
    await harness.send(MAI, "/schools")
    await harness.press(MAI, f"2. {SCHOOL_A}")
    [card] = await harness.press(MAI, data=f"h:r:{a}:{row_id}")
    body = card["text"]
    assert body.startswith(f"{SCHOOL_A}\nDòng 1 · ")
    assert "1.1" in body and "Giữ vững Mức 2" in body  # the row's fields as written
    assert "Người phụ trách: Đặng Thị Lan" in body
    assert "Tiến độ: gặp khó khăn" in body
    assert "12/01/2027 · Đặng Thị Lan: gặp khó khăn — Thiếu kinh phí" in body
    assert "📎 bien-ban-hop-to.pdf — Biên bản họp tổ tháng 1 (12/01/2027)" in body
    back = f"h:l:{seeded.units[UNIT_1]}:0"
    assert callbacks(card) == [f"h:s:{a}", back]  # back only: nothing edits
    assert (a, "row", row_id) in views_of(db, seeded.specialists[MAI])


async def test_a_bieu_2_row_card_shows_its_columns(harness, db, seeded):
    b = seeded.schools[SCHOOL_B]
    row_id = seeded.rows[SCHOOL_B][2]
    [card] = await harness.forge(MAI, f"h:r:{b}:{row_id}")
    assert "Xây dựng thư viện thân thiện" in card["text"]
    assert "Lê Văn Phúc" in card["text"]
    assert "Đang mua sách" in card["text"]
    assert callbacks(card) == [f"h:s:{b}", f"h:l:{seeded.units[UNIT_1]}:0"]


async def test_forged_and_other_unit_buttons_are_refused(harness, db, seeded):
    a, d = seeded.schools[SCHOOL_A], seeded.schools[SCHOOL_D]
    refusal = "Nút này không còn hiệu lực."
    forged = [
        (NAM, f"h:s:{a}"),  # a school of another unit
        (NAM, f"h:s:{a}:0"),
        (NAM, f"h:r:{a}:{seeded.rows[SCHOOL_A][0]}"),
        (NAM, f"h:x:{seeded.units[UNIT_1]}"),  # another unit's roll-up
        (MAI, f"h:r:{a}:{seeded.rows[SCHOOL_D][0]}"),  # a row of another school
        (MAI, f"h:r:{d}:{seeded.rows[SCHOOL_D][0]}"),
        (MAI, f"h:s:{a}:7"),  # a page that is not there
        (MAI, "h:s:abc"),
        (MAI, "h:s:99999999999"),
        (MAI, "h:r:1"),
        (MAI, "h:z:1"),
        (MAI, "h:"),
        (MAI, f"h:l:{seeded.units[UNIT_1]}:5"),  # a page that is not there
        (MAI, "h:l:0"),
        (NAM, f"h:l:{seeded.units[UNIT_1]}:0"),  # another unit's list
    ]
    for user, data in forged:
        views = await harness.forge(user, data)
        assert refusal in text(views), data
    assert harness.toasts().count(refusal) == len(forged)
    assert views_of(db, seeded.specialists[NAM]) == []
    assert all(school != d for school, _what, _row in views_of(db, seeded.specialists[MAI]))
    # Nam's own school is his.
    [plan] = await harness.forge(NAM, f"h:s:{d}")
    assert SCHOOL_D in plan["text"]


async def test_after_unlinking_the_specialist_sees_nothing_of_the_school(harness, db, seeded):
    a = seeded.schools[SCHOOL_A]
    [listing] = await harness.send(MAI, "/schools")
    [plan] = await harness.press(MAI, f"2. {SCHOOL_A}")
    received = callbacks(listing) + callbacks(plan)
    with db.transaction() as session:
        unit = units.get_unit(session, seeded.units[UNIT_1])
        school = session.get(School, a)
        assert school is not None
        assert units.unlink(session, unit, school)
    of_a = [d for d in received if d.split(":")[:3] in (["h", "s", str(a)], ["h", "r", str(a)])]
    assert len(of_a) == 5  # the school's button, then its four rows
    for data in of_a:
        assert "Nút này không còn hiệu lực." in text(await harness.forge(MAI, data)), data
    [listing] = await harness.send(MAI, "/schools")
    assert SCHOOL_A not in listing["text"]
    assert "2 trường liên kết" in listing["text"]
    assert f"h:s:{a}" not in callbacks(listing)


async def test_after_removal_the_specialist_sees_nothing(harness, db, seeded):
    a = seeded.schools[SCHOOL_A]
    [listing] = await harness.send(MAI, "/schools")
    with db.transaction() as session:
        specialist = session.get(UnitMember, seeded.specialists[MAI])
        assert specialist is not None
        units.remove_specialist(session, specialist)
    for data in (*callbacks(listing), f"h:r:{a}:{seeded.rows[SCHOOL_A][0]}"):
        assert "Nút này không còn hiệu lực." in text(await harness.forge(MAI, data)), data
    [refused] = await harness.send(MAI, "/schools")
    assert "Lệnh /schools dành cho chuyên viên của đơn vị quản lý." in refused["text"]
    assert SCHOOL_A not in refused["text"]


async def test_a_school_member_who_is_also_a_specialist(harness, db, seeded):
    son = PRINCIPALS[SCHOOL_D]
    with db.transaction() as session:
        unit = units.get_unit(session, seeded.units[UNIT_1])
        code = units.add_specialist(session, unit, "Đỗ Văn Sơn", AT).invite_code
    harness.user(son, name="Sơn")
    [welcome] = await harness.send(son, f"/start {code}")
    assert f"Thầy/cô đã tham gia {UNIT_1} với vai trò chuyên viên." in welcome["text"]
    [listing] = await harness.send(son, "/schools")
    assert SCHOOL_A in listing["text"] and SCHOOL_D not in listing["text"]
    [plan] = await harness.send(son, "/plan")  # school commands act as the member
    assert SCHOOL_D in plan["text"]
    [helped] = await harness.send(son, "/help")
    assert "/schools — kế hoạch của các trường liên kết với đơn vị" in helped["text"]
    assert "/invite" in helped["text"] or "/team" in helped["text"]


async def test_a_specialist_who_writes_again_is_reachable_again(harness, db, seeded):
    with db.transaction() as session:
        mai = session.get(UnitMember, seeded.specialists[MAI])
        mai.unreachable_at = AT  # a digest got 403: they had blocked the bot
    await harness.send(MAI, "/schools")
    with db.transaction() as session:
        assert session.get(UnitMember, seeded.specialists[MAI]).unreachable_at is None
