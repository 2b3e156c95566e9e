"""The unit digest (bot.services.unit_digest) agrees with the principal's digest, school by
school: the seeded school of tests/unit/test_digest.py (every number worked out by hand
there), a school with no plan, and a TT57 school; then ordering and the JSON contract."""

from __future__ import annotations

import datetime as dt

from bot.services import plans, unit_digest, units
from bot.services.schools import create_school
from db.models import School, UnitKind
from tests.unit.test_digest import AT, LAN, MINH, TU, seed
from tests.unit_seed import AT as SEED_AT
from tests.unit_seed import SCHOOL_A, SCHOOL_B, SCHOOL_C, UNIT_1
from tests.unit_seed import seed as seed_unit

NOW = AT


def test_counts_agree_with_the_school_digest(db):
    school_id, _ids = seed(db)
    with db.transaction() as session:
        unit = units.create_unit(session, "Phòng Văn hóa – Xã hội phường Ba Đình", "commune", NOW)
        bare, _ = create_school(
            session, "Trường Mầm non Hoa Sen", "mam_non", None, "Asia/Ho_Chi_Minh"
        )
        units.link(session, unit, session.get(School, school_id), NOW)
        units.link(session, unit, bare, NOW)
        unit_id, bare_id = unit.id, bare.id
    with db.transaction() as session:
        found = unit_digest.build(session, unit_id, AT)
    assert found is not None and found.kind == UnitKind.COMMUNE
    first, second = found.schools
    assert first.school_id == bare_id and first.plan is None  # no plan: attention first
    line = second
    # By hand (tests/unit/test_digest.py): 9 active rows; done 2 (rows 2, 9), in progress 3
    # (1, 5, 8), difficulty 1 (4), not started 1 (6) + no report 2 (3, 7).
    assert line.plan == unit_digest.PlanLine("2025-2026", "2018", 9)
    assert (line.done, line.in_progress, line.difficulty, line.not_started) == (2, 3, 1, 3)
    assert line.overdue == 4  # rows 5, 1, 6, 7 (row 3's owner is on leave)
    assert line.indicator_14 == (2, 9)
    # Silent rows since 10/01: 3 (Hải), 5 (Lan, Hải), 7 (nobody), 8 (Nga removed, Minh).
    assert set(line.silent_owners) == {"Bùi Văn Hải", LAN, MINH}
    assert TU not in line.silent_owners
    assert line.last_report_at == dt.datetime(2026, 1, 16, 8, tzinfo=dt.UTC)  # 15:00 there
    data = found.json()
    assert data["schools"][1]["indicator_14"] == [2, 9]
    assert data["schools"][0]["plan"] is None


def test_unknown_unit_and_naive_moment(db):
    with db.transaction() as session:
        assert unit_digest.build(session, 99, AT) is None
        unit = units.create_unit(session, "Sở GD&ĐT Hà Nội", "province", NOW)
        assert unit_digest.build(session, unit.id, AT).schools == ()
        try:
            unit_digest.build(session, unit.id, dt.datetime(2026, 1, 19))
        except ValueError:
            pass
        else:
            raise AssertionError("naive moment accepted")


def test_one_unit_of_each_kind(db):
    with db.transaction() as session:
        a = units.create_unit(session, "Phòng VH-XH xã A", "commune", NOW)
        b = units.create_unit(session, "Phòng VH-XH xã B", "commune", NOW)
        p = units.create_unit(session, "Sở GD&ĐT", "province", NOW)
        school, _ = create_school(session, "THCS X", "thcs", None, "Asia/Ho_Chi_Minh")
        plans.ensure_plan(session, school, "2025-2026")
        assert units.link(session, a, school, NOW) is True
        assert units.link(session, a, school, NOW) is False
        assert units.link(session, p, school, NOW) is True
        try:
            units.link(session, b, school, NOW)
        except units.UnitError as exc:
            assert "unlink it first" in str(exc)
        else:
            raise AssertionError("a second commune unit accepted")
        assert units.unlink(session, a, school) is True
        assert units.unlink(session, a, school) is False
        assert units.link(session, b, school, NOW) is True
        assert [u.id for u in units.units_of_school(session, school.id)] == [b.id, p.id]


def test_the_seeded_unit_by_hand(db):
    seeded = seed_unit(db)
    with db.transaction() as session:
        found = unit_digest.build(session, seeded.units[UNIT_1], SEED_AT)
    assert found is not None
    assert [s.name for s in found.schools] == [SCHOOL_C, SCHOOL_A, SCHOOL_B]
    c, a, b = found.schools
    assert c.plan is None
    assert a.plan == unit_digest.PlanLine("2026-2027", "2018", 4)
    assert (a.done, a.in_progress, a.not_started, a.difficulty, a.overdue) == (1, 1, 1, 1, 2)
    assert a.indicator_14 == (1, 4) and a.silent_owners == ("Trần Minh", "Vũ Văn Hùng")
    assert a.last_report_at == dt.datetime(2027, 1, 12, 8, tzinfo=dt.UTC)
    assert b.plan == unit_digest.PlanLine("2026-2027", "TT57-2026", 3)
    assert (b.done, b.in_progress, b.not_started, b.difficulty, b.overdue) == (2, 1, 0, 0, 0)
    assert b.indicator_14 == (2, 3) and b.silent_owners == ()
