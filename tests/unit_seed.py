"""A seeded supervising unit for the supervisor tests, every count worked out by hand.

The moment: Monday 18/01/2027 08:00 in Hà Nội (school year 2026-2027; the mid-year prompt was
10/01/2027, so "silent" means no report on the row since then).

Unit 1 "Phòng Văn hóa – Xã hội phường Hoàn Kiếm" (commune): schools A, B, C; specialist Mai.
Unit 2 "Phòng Văn hóa – Xã hội xã Sóc Sơn" (commune): school D; specialist Nam.
Unit 3 "Sở GD&ĐT Hà Nội" (province): schools A, B, C, D; specialist Vinh.

School A, THCS Nguyễn Du (2018 plan, TT18-2018), principal Thu (Telegram 8001):
 pos code due         owners   latest report                     counts as
 1   1.1  30/11/2026  Lan      difficulty 12/01/2027 "Thiếu…"    difficulty, overdue
 2   1.2  31/12/2026  Lan      done 05/01/2027                   done
 3   2.1  31/03/2027  Minh     in_progress 20/12/2026            in progress, silent (Minh)
 4   3.1  15/01/2027  Hùng     none                              not started, overdue, silent (Hùng)
 → done 1, in progress 1, not started 1, difficulty 1, overdue 2, indicator 1.4 (1, 4),
   last report 12/01/2027 15:00, silent owners Hùng, Minh.
School B, Tiểu học Kim Đồng (Biểu 2 plan, TT57-2026), principal Hạnh (8002):
 1  "Nâng cao chất lượng sinh hoạt chuyên môn"   Hoa    done 14/01/2027
 2  "Bổ sung thiết bị dạy học tối thiểu"         Hoa    done 15/01/2027
 3  "Xây dựng thư viện thân thiện"               Phúc   in_progress 16/01/2027
 (all due 31/05/2027) → done 2, in progress 1, not started 0, difficulty 0, overdue 0,
   indicator 1.4 (2, 3), last report 16/01/2027 15:00, nobody silent.
School C, Mầm non Họa Mi, principal Ngọc (8003): no plan for 2026-2027.
School D, THCS Sóc Sơn (2018), principal Sơn (8004): one row 1.1 due 31/05/2027, owner Tâm,
 done 11/01/2027 → done 1, indicator (1, 1).

Unit 1's /schools order (attention first): C (no plan), A (a difficulty), B.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.services import members, owners, plans, progress, units
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from db.models import School, SupervisingUnit
from db.session import Database

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = dt.datetime(2027, 1, 18, 8, 0, tzinfo=TZ)  # a Monday
YEAR = "2026-2027"
UNIT_1 = "Phòng Văn hóa – Xã hội phường Hoàn Kiếm"
UNIT_2 = "Phòng Văn hóa – Xã hội xã Sóc Sơn"
UNIT_3 = "Sở GD&ĐT Hà Nội"
SCHOOL_A, SCHOOL_B = "Trường THCS Nguyễn Du", "Trường Tiểu học Kim Đồng"
SCHOOL_C, SCHOOL_D = "Trường Mầm non Họa Mi", "Trường THCS Sóc Sơn"
MAI, NAM, VINH = 9001, 9002, 9003  # the specialists' Telegram ids
PRINCIPALS = {SCHOOL_A: 8001, SCHOOL_B: 8002, SCHOOL_C: 8003, SCHOOL_D: 8004}


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@dataclass(frozen=True)
class Seeded:
    schools: dict[str, int]  # school name → id
    units: dict[str, int]  # unit name → id
    specialists: dict[int, int]  # Telegram id → unit member id
    rows: dict[str, list[int]]  # school name → row ids in position order


# criterion (2018) or content (TT57), due timeline, owner, reports (status, at, text)
ROWS_A = (
    (
        "1.1",
        "trước 30/11/2026",
        "Đặng Thị Lan",
        [("difficulty", local(2027, 1, 12, 15), "Thiếu kinh phí")],
    ),
    ("1.2", "trước 31/12/2026", "Đặng Thị Lan", [("done", local(2027, 1, 5, 15), "Đã hoàn thành")]),
    ("2.1", "trước 31/03/2027", "Trần Minh", [("in_progress", local(2026, 12, 20, 15), None)]),
    ("3.1", "trước 15/01/2027", "Vũ Văn Hùng", []),
)
ROWS_B = (
    (
        "Nâng cao chất lượng sinh hoạt chuyên môn",
        "Nguyễn Thị Hoa",
        [("done", local(2027, 1, 14, 15), None)],
    ),
    (
        "Bổ sung thiết bị dạy học tối thiểu",
        "Nguyễn Thị Hoa",
        [("done", local(2027, 1, 15, 15), None)],
    ),
    (
        "Xây dựng thư viện thân thiện",
        "Lê Văn Phúc",
        [("in_progress", local(2027, 1, 16, 15), "Đang mua sách")],
    ),
)


def _school(
    session, name: str, level: str, regulation: str | None, telegram_id: int, principal: str
):
    school, invite = create_school(session, name, level, regulation, "Asia/Ho_Chi_Minh")
    person = upsert_person(session, TelegramUser(telegram_id, principal))
    head = join_with_code(session, person, invite.code, AT).member
    assert head is not None
    return school, head


def _owner(session, school: School, cache: dict[str, int], name: str) -> int:
    if name not in cache:
        member, _code = members.add_member(session, school, name, "staff", None)
        cache[name] = member.id
    return cache[name]


def _report(session, row, member_id: int, reports) -> None:
    for status, at, text in reports:
        member = session.get(members.Member, member_id)
        report = progress.add_report(session, row, member, status, text)
        report.created_at = at


def seed(db: Database) -> Seeded:
    with db.transaction() as session:
        ids: dict[str, int] = {}
        rows: dict[str, list[int]] = {}
        # School A: a 2018 plan.
        a, head = _school(session, SCHOOL_A, "thcs", None, PRINCIPALS[SCHOOL_A], "Nguyễn Thị Thu")
        plan = plans.ensure_plan(session, a, YEAR)
        regulation = plans.regulation_of(a)
        staff: dict[str, int] = {}
        rows[SCHOOL_A] = []
        for code, timeline, owner, reports in ROWS_A:
            row = plans.new_draft(session, head, plan)
            plans.set_criterion(session, row, regulation, code, head)
            plans.set_field(session, row, "expected_result", "Giữ vững Mức 2", YEAR, head)
            plans.set_field(session, row, "timeline_text", timeline, YEAR, head)
            plans.save_draft(session, row, head)
            member_id = _owner(session, a, staff, owner)
            owners.set_owners(session, row, [member_id], member_id, head)
            _report(session, row, member_id, reports)
            rows[SCHOOL_A].append(row.id)
        # School B: a Biểu 2 plan.
        b, head = _school(
            session, SCHOOL_B, "tieu_hoc", "TT57-2026", PRINCIPALS[SCHOOL_B], "Phạm Thị Hạnh"
        )
        plan = plans.ensure_plan(session, b, YEAR)
        assert plan.template == "TT57-2026"
        staff = {}
        rows[SCHOOL_B] = []
        for content, owner, reports in ROWS_B:
            row = plans.new_draft(session, head, plan)
            plans.set_standard(session, row, 1, head)
            plans.set_field(session, row, "content", content, YEAR, head)
            plans.set_field(session, row, "timeline_text", "Tháng 9/2026 – 31/5/2027", YEAR, head)
            plans.save_draft(session, row, head)
            member_id = _owner(session, b, staff, owner)
            owners.set_owners(session, row, [member_id], member_id, head)
            _report(session, row, member_id, reports)
            rows[SCHOOL_B].append(row.id)
        # School C: no plan. School D: one row, done.
        c, _head = _school(
            session, SCHOOL_C, "mam_non", None, PRINCIPALS[SCHOOL_C], "Hoàng Bảo Ngọc"
        )
        d, head = _school(session, SCHOOL_D, "thcs", None, PRINCIPALS[SCHOOL_D], "Đỗ Văn Sơn")
        plan = plans.ensure_plan(session, d, YEAR)
        row = plans.new_draft(session, head, plan)
        plans.set_criterion(session, row, plans.regulation_of(d), "1.1", head)
        plans.set_field(session, row, "expected_result", "Đạt Mức 2", YEAR, head)
        plans.set_field(session, row, "timeline_text", "trước 31/05/2027", YEAR, head)
        plans.save_draft(session, row, head)
        member_id = _owner(session, d, {}, "Phan Thị Tâm")
        owners.set_owners(session, row, [member_id], member_id, head)
        _report(session, row, member_id, [("done", local(2027, 1, 11, 9), None)])
        rows[SCHOOL_D] = [row.id]
        ids = {SCHOOL_A: a.id, SCHOOL_B: b.id, SCHOOL_C: c.id, SCHOOL_D: d.id}
        # The units, their schools and specialists (joined).
        made: dict[str, SupervisingUnit] = {}
        specialists: dict[int, int] = {}
        for name, kind, schools, (telegram_id, specialist) in (
            (UNIT_1, "commune", (a, b, c), (MAI, "Trần Thị Mai")),
            (UNIT_2, "commune", (d,), (NAM, "Lê Văn Nam")),
            (UNIT_3, "province", (a, b, c, d), (VINH, "Phạm Quang Vinh")),
        ):
            unit = units.create_unit(session, name, kind, local(2026, 9, 1, 8))
            for school in schools:
                units.link(session, unit, school, local(2026, 9, 1, 8))
            member = units.add_specialist(session, unit, specialist, local(2026, 9, 1, 8))
            person = upsert_person(session, TelegramUser(telegram_id, specialist))
            assert member.invite_code is not None
            assert units.join_with_code(session, person, member.invite_code, local(2026, 9, 2, 8))
            made[name] = unit
            specialists[telegram_id] = member.id
        session.flush()
        return Seeded(ids, {n: u.id for n, u in made.items()}, specialists, rows)
