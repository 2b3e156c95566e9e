"""Carry-over into the next school year: unfinished rows (words, owners, timelines read again),
open priority issues re-linked, 2018 rows into Biểu 2 with their criterion mapped or flagged,
and a year with rows refused unless appending."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.domain.criteria_mapping import tt57_code
from bot.services import carryover, members, owners, plans, priorities, progress, schools
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from db.models import PlanRow, RowHistory, RowOwner

NOW = dt.datetime(2027, 6, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
OLD, NEW = "2026-2027", "2027-2028"


def _school(session, regulation=None, level="thcs"):
    school, invite = create_school(session, "THCS A", level, regulation, "Asia/Ho_Chi_Minh")
    person = upsert_person(session, TelegramUser(501, "Hà"))
    principal = join_with_code(session, person, invite.code, NOW).member
    lan, _ = members.add_member(session, school, "Đặng Thị Lan", "staff", None)
    return school, principal, lan


def _row(session, plan, principal, fields, code=None, text=None):
    row = plans.new_draft(session, principal, plan)
    if code:
        plans.set_criterion(session, row, plans.regulation_of(plan.school), code, principal, text)
    for name, value in fields.items():
        plans.set_field(session, row, name, value, plan.school_year, principal)
    plans.save_draft(session, row, principal)
    return row


def test_2018_to_2018_carries_unfinished_rows_with_owners_and_timelines_read_again(db):
    with db.transaction() as session:
        school, principal, lan = _school(session)
        plan = plans.ensure_plan(session, school, OLD)
        done = _row(session, plan, principal, {"expected_result": "Đã xong"}, "1.4")
        going = _row(
            session,
            plan,
            principal,
            {
                "expected_result": "Giữ vững mức 2",
                "tasks": "- Bồi dưỡng  chuyên đề",
                "timeline_text": "trước 30/5/2027",
                "budget_text": "5.000.000 đồng",
                "support": "Phòng GD hỗ trợ",
                "notes": "Ghi chú cũ",
            },
            "2.2",
        )
        never = _row(session, plan, principal, {"expected_result": "Chưa ai báo cáo"}, "5.2")
        owners.set_owners(session, going, [lan.id, principal.id], lan.id, principal)
        progress.add_report(session, done, lan, "done", "Xong")
        progress.add_report(session, going, lan, "in_progress", "Đang làm")
        result = carryover.carry_over(session, school, OLD, NEW, principal)
        assert result.as_json() == {
            "from": OLD,
            "to": NEW,
            "template": "2018",
            "rows": 2,
            "issues": 0,
            "unmapped": [],
        }
        new_plan = plans.find_plan(session, school.id, NEW)
        rows = plans.active_rows(session, new_plan.id)
        assert [r.criterion_code for r in rows] == ["2.2", "5.2"]
        first = rows[0]
        assert first.tasks == "- Bồi dưỡng  chuyên đề"  # verbatim
        assert (first.support, first.notes, first.budget_vnd) == (
            "Phòng GD hỗ trợ",
            "Ghi chú cũ",
            5_000_000,
        )
        # The timeline text is kept; read for 2027-2028 it ends before that year: flagged.
        assert first.timeline_text == "trước 30/5/2027"
        assert "before_school_year" in first.timeline_flags
        assert first.target_level == 2
        copied = session.scalars(select(RowOwner).where(RowOwner.row_id == first.id)).all()
        assert {(o.member_id, o.is_lead) for o in copied} == {(lan.id, True), (principal.id, False)}
        assert rows[1].expected_result == never.expected_result
        history = session.scalars(select(RowHistory).where(RowHistory.row_id == first.id)).all()
        assert [h.new_value for h in history] == [f"carry-over {OLD} #{going.position}"]
        # The old plan is untouched.
        assert len(plans.active_rows(session, plan.id)) == 3


def test_tt57_to_tt57_carries_open_issues_and_relinks_rows(db):
    with db.transaction() as session:
        school, principal, lan = _school(session, "TT57-2026")
        plan = plans.ensure_plan(session, school, OLD)
        regulation = plans.regulation_of(school)
        closed = priorities.add_issue(
            session,
            plan,
            priorities.IssueWords("Tiêu chuẩn 1", "Tiêu chí 1.4", "HT", "HC", "NN"),
            principal,
            regulation,
        )
        still = priorities.add_issue(
            session,
            plan,
            priorities.IssueWords(
                "Tiêu chuẩn 2", "Tiêu chí 2.2: Giáo viên", "44 GV", "11 GV", "Ít giờ"
            ),
            principal,
            regulation,
        )
        lonely = priorities.add_issue(
            session,
            plan,
            priorities.IssueWords("Tiêu chuẩn 4", "", "Sân chơi", "Hẹp", "Kinh phí"),
            principal,
            regulation,
        )
        a = _row(session, plan, principal, {"content": "Tự đánh giá"})
        b = _row(session, plan, principal, {"content": "CNTT", "indicators": "95% GV"})
        c = _row(session, plan, principal, {"content": "Bồi dưỡng"})
        priorities.link_row(session, a, closed)
        priorities.link_row(session, b, still)
        priorities.link_row(session, c, still)
        progress.add_report(session, a, lan, "done", None)
        progress.add_report(session, c, lan, "done", None)
        result = carryover.carry_over(session, school, OLD, NEW, principal)
        assert result.as_json()["template"] == "TT57-2026"
        assert [i.criterion_text for i in result.issues] == ["Tiêu chí 2.2: Giáo viên", ""]
        assert [(i.position, i.criterion_code, i.standard) for i in result.issues] == [
            (1, "2.2", 2),
            (2, None, 4),
        ]
        assert lonely.id not in {i.id for i in result.issues}  # copies, not the old ones
        [row] = result.rows
        assert (row.content, row.indicators) == ("CNTT", "95% GV")
        assert row.issue_id == result.issues[0].id
        assert result.unmapped == []


def test_2018_to_tt57_after_the_regulation_switch_maps_or_flags_criteria(db):
    with db.transaction() as session:
        school, principal, _ = _school(session)
        plan = plans.ensure_plan(session, school, OLD)
        _row(
            session,
            plan,
            principal,
            {"expected_result": "Đạt mức 3", "tasks": "Bồi dưỡng", "budget_text": "2 triệu"},
            "2.2",
        )
        _row(
            session,
            plan,
            principal,
            {"expected_result": "Dân chủ", "support": "Công đoàn", "notes": "NB"},
            "1.9",
            "Tiêu chí 1.9: Thực hiện quy chế dân chủ (theo cách trường viết)",
        )
        schools.set_regulation(school, "TT57-2026")
        assert plan.template == "2018"  # the old plan keeps its template
        result = carryover.carry_over(session, school, OLD, NEW, principal)
        assert result.template == "TT57-2026" and result.plan.template == "TT57-2026"
        unmapped, mapped = result.rows  # in the old plan's order: 1.9 before 2.2
        assert mapped.content == "Tiêu chí 2.2: Đối với giáo viên"  # the 2018 criterion cell
        assert (mapped.criterion_code, mapped.standard) == ("2.2", 2)
        assert (mapped.expected_result, mapped.tasks, mapped.budget_text) == (
            "Đạt mức 3",
            "Bồi dưỡng",
            "2 triệu",
        )
        assert mapped.criterion_flags == []
        assert unmapped.criterion_code is None and unmapped.standard is None
        assert unmapped.content == "Tiêu chí 1.9: Thực hiện quy chế dân chủ (theo cách trường viết)"
        assert unmapped.criterion_text == unmapped.content  # nothing lost
        assert (unmapped.support, unmapped.notes) == ("Công đoàn", "NB")
        assert unmapped.criterion_flags == ["criterion_unmapped"]
        assert result.as_json()["unmapped"] == [unmapped.position]
        # Picking the criterion clears the flag.
        plans.set_criterion(session, unmapped, plans.regulation_of(school), "1.2", principal)
        assert unmapped.criterion_flags == []
    assert tt57_code("TT18-2018", "3.6") == "4.1"
    assert tt57_code("TT19-2018", "5.4") == "3.5"
    assert tt57_code("TT18-2018", "1.9") is None and tt57_code("TT18-2018", "M4.1") is None


def test_a_year_with_rows_is_refused_unless_appending(db):
    with db.transaction() as session:
        school, principal, _ = _school(session)
        old = plans.ensure_plan(session, school, OLD)
        _row(session, old, principal, {"expected_result": "A"}, "1.4")
        new = plans.ensure_plan(session, school, NEW)
        _row(session, new, principal, {"expected_result": "Đã viết"}, "2.1")
        with pytest.raises(carryover.CarryOverError, match="already has 1 row"):
            carryover.carry_over(session, school, OLD, NEW, principal)
        assert plans.count_rows(session, new.id) == 1
        result = carryover.carry_over(session, school, OLD, NEW, principal, append=True)
        assert [r.position for r in result.rows] == [2]
        assert (
            session.scalar(select(PlanRow.expected_result).where(PlanRow.id == result.rows[0].id))
            == "A"
        )
        with pytest.raises(carryover.CarryOverError, match="no plan for 2030-2031"):
            carryover.carry_over(session, school, "2030-2031", "2031-2032")
        with pytest.raises(carryover.CarryOverError, match="does not come after"):
            carryover.carry_over(session, school, NEW, OLD)
