"""The weekly digest of a seeded school against counts computed by hand, and its chart."""

from __future__ import annotations

import datetime as dt
import struct
from zoneinfo import ZoneInfo

import pytest

from bot.core.i18n import translator
from bot.services import digest, members, owners, plans, progress
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from bot.ui import digest_view
from bot.ui.views import to_html
from db.models import School

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = "2025-2026"
AT = dt.datetime(2026, 1, 19, 7, 30, tzinfo=TZ)  # a Monday, after the mid-year prompt (10/01)

# (criterion, timeline, owners, budget, reports [(status, day, text)])
ROWS = (
    ("1.4", "trước 30/11/2025", ["lan"], "5 triệu", [("in_progress", (2025, 12, 1), "Đang làm")]),
    (
        "1.6",
        "trước 31/12/2025",
        ["lan"],
        None,
        [("in_progress", (2025, 11, 1), None), ("done", (2026, 1, 12), "Xong")],
    ),
    ("2.1", "trước 15/01/2026", ["hai"], None, []),
    (
        "3.2",
        "trước 31/03/2026",
        ["minh"],
        "xã hội hóa",
        [("difficulty", (2026, 1, 15), "Thiếu kinh phí")],
    ),
    ("5.2", "trước 10/01/2026", ["lan", "hai"], None, []),
    ("5.3", "Thường xuyên", ["lan"], "10.000.000 đồng", [("not_started", (2026, 1, 16), None)]),
)


def seed(db):
    with db.transaction() as session:
        school, invite = create_school(session, "THCS Lê Quý Đôn", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Hà"))
        principal = join_with_code(session, person, invite.code, AT).member
        staff = {}
        for key, name, joined in (
            ("lan", "Đặng Thị Lan", True),
            ("hai", "Bùi Văn Hải", True),
            ("minh", "Trần Minh", False),
        ):
            member, code = members.add_member(session, school, name, "staff", None)
            if joined:
                person = upsert_person(session, TelegramUser(100 + len(staff), name))
                join_with_code(session, person, code.code, AT)
            staff[key] = member
        staff["hai"].on_leave_until = dt.date(2026, 1, 31)
        plan = plans.ensure_plan(session, school, YEAR)
        regulation = plans.regulation_of(school)
        for code, timeline, row_owners, budget, reports in ROWS:
            row = plans.new_draft(session, principal, plan)
            plans.set_criterion(session, row, regulation, code, principal)
            plans.set_field(session, row, "expected_result", f"Kết quả {code}", YEAR, principal)
            plans.set_field(session, row, "timeline_text", timeline, YEAR, principal)
            if budget:
                plans.set_field(session, row, "budget_text", budget, YEAR, principal)
            plans.save_draft(session, row, principal)
            ids = [staff[o].id for o in row_owners]
            owners.set_owners(session, row, ids, ids[0], principal)
            for status, day, text in reports:
                report = progress.add_report(session, row, staff[row_owners[0]], status, text)
                report.created_at = dt.datetime(*day, 15, 0, tzinfo=TZ)
        # A draft and a deleted row count for nothing.
        draft = plans.new_draft(session, principal, plan)
        plans.set_criterion(session, draft, regulation, "4.1", principal)
        gone = plans.new_draft(session, principal, plan)
        plans.set_criterion(session, gone, regulation, "1.1", principal)
        plans.save_draft(session, gone, principal)
        owners.set_owners(session, gone, [staff["minh"].id], staff["minh"].id, principal)
        plans.delete_row(session, gone, principal)
        session.flush()
        return school.id


def build(db, at=AT):
    with db.transaction() as session:
        return digest.build(session, session.get(School, seed(db)), at)


def test_counts_by_hand(db):
    found = build(db)
    assert found.school_year == YEAR and found.total == 6
    assert found.counts == {
        "done": 1,
        "in_progress": 1,
        "difficulty": 1,
        "not_started": 1,
        "no_report": 2,
    }
    zero = dict.fromkeys(found.counts, 0)
    assert found.by_standard == {
        1: {**zero, "in_progress": 1, "done": 1},
        2: {**zero, "no_report": 1},
        3: {**zero, "difficulty": 1},
        5: {**zero, "no_report": 1, "not_started": 1},
    }
    # 2.1 is past due but its only owner is on leave: not counted late.
    assert [(r.position, r.due, r.owners) for r in found.overdue] == [
        (1, dt.date(2025, 11, 30), ("Đặng Thị Lan",)),
        (5, dt.date(2026, 1, 10), ("Đặng Thị Lan", "Bùi Văn Hải")),
    ]
    assert [(r.position, r.text) for r in found.difficulties] == [(4, "Thiếu kinh phí")]
    assert found.silent_since == dt.date(2026, 1, 10)
    assert [r.position for r in found.silent] == [1, 3, 5]
    assert found.budget_vnd == 15_000_000 and found.budget_unread == 1
    assert found.not_joined == ("Trần Minh",)
    assert found.on_leave == ("Bùi Văn Hải",)


def test_before_the_mid_year_prompt_silence_counts_from_the_start_of_the_year(db):
    found = build(db, dt.datetime(2026, 1, 5, 7, 30, tzinfo=TZ))
    assert found.silent_since == dt.date(2025, 8, 1)
    # Reports dated after 05/01 exist in the database; only the as-of date's rule is checked
    # here: rows 3 and 5 never had a report.
    assert {3, 5} <= {r.position for r in found.silent}


def test_rendered_in_both_languages_and_with_a_chart(db):
    found = build(db)
    vi = to_html(digest_view.render(translator("vi"), found))
    assert "Bản tin THCS Lê Quý Đôn, ngày 19/01/2026" in vi
    assert "Quá hạn (2):" in vi and "Đặng Thị Lan, Bùi Văn Hải · hạn 10/01/2026" in vi
    assert "Thiếu kinh phí" in vi and "Kinh phí dự kiến: 15.000.000 đồng." in vi
    assert "Chưa tham gia Telegram (không nhận được nhắc việc): Trần Minh." in vi
    en = to_html(digest_view.render(translator("en"), found))
    assert "Overdue (2):" in en and "15.000.000" in en
    png = digest_view.chart_png(translator("vi"), found)
    assert png.startswith(b"\x89PNG") and len(png) > 5_000
    width, height = struct.unpack(">II", png[16:24])
    assert 600 <= width <= 900 and 300 <= height <= 500


def test_no_plan_and_naive_moments(db):
    seed(db)
    with db.transaction() as session:
        school = session.query(School).first()
        assert digest.build(session, school, dt.datetime(2027, 1, 4, 7, 30, tzinfo=TZ)) is None
        with pytest.raises(ValueError):
            digest.build(session, school, dt.datetime(2026, 1, 19, 7, 30))
