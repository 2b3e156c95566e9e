"""Plan templates as data, the TT57 row model, priority issues, monitoring and the JSON."""

import datetime as dt

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.domain.catalog import load_catalog
from bot.domain.rowform import FIELDS_TT57, fields_for, next_field, previous_field
from bot.domain.templates import (
    END_YEAR,
    MID_YEAR,
    T2018,
    TT57,
    template_for_regulation,
    template_of,
)
from bot.services import plans, priorities
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.plan_json import export_plan, indicator_14
from bot.services.progress import add_report
from bot.services.schools import create_school
from db.models import Base

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
TT57_ROW_KEYS = {
    "position",
    "standard",
    "criterion",
    "content",
    "objective",
    "activities",
    "indicators",
    "timeline",
    "lead",
    "resources",
    "expected_evidence",
    "implementation",
    "issue",
    "owners",
}


def test_the_migrations_make_the_models_schema(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_templates_are_read_from_data():
    tt57 = template_of(TT57)
    assert [c.header for c in tt57.columns][1:4] == [
        "Nội dung cải tiến",
        "Mục tiêu",
        "Hoạt động, giải pháp",
    ]
    assert len(tt57.columns) == 10 and tt57.numbered_header
    assert tt57.checkpoint_label(MID_YEAR) == "Cuối học kỳ I"
    assert tt57.checkpoint_of("cuối  năm học") == END_YEAR
    assert tt57.implementation("done") == "Hoàn thành"
    assert tt57.implementation("difficulty") == "Đang thực hiện"
    assert tt57.implementation("not_started") == "Chưa hoàn thành"
    assert tt57.implementation(None) is None
    assert template_of(None).code == T2018 and len(template_of(T2018).columns) == 9
    assert template_for_regulation("TT18-2018").code == T2018
    assert template_for_regulation("TT57-2026").code == TT57
    assert template_of(T2018).implementation("done") is None


def test_tt57_questions_follow_bieu_2():
    assert [f.name for f in fields_for(TT57)] == [f.name for f in FIELDS_TT57]
    assert next_field("criterion", TT57) == "content"
    assert next_field("indicators", TT57) == "timeline_text"
    assert next_field("expected_evidence", TT57) is None
    assert previous_field("content", TT57) == "criterion"
    assert next_field("criterion") == "expected_result"  # 2018 unchanged


def _school(session, regulation):
    school, invite = create_school(
        session, "TH Hòa Bình", "tieu_hoc", regulation, "Asia/Ho_Chi_Minh"
    )
    person = upsert_person(session, TelegramUser(501, "Hân"))
    member = join_with_code(session, person, invite.code, NOW).member
    return school, member


def test_a_tt57_plan_prints_bieu_2_as_json(db):
    with db.transaction() as session:
        school, member = _school(session, "TT57-2026")
        plan = plans.ensure_plan(session, school, "2026-2027")
        assert plan.template == TT57
        reg = plans.regulation_of(school)
        issue = priorities.add_issue(
            session,
            plan,
            priorities.IssueWords(
                "Tiêu chuẩn 2: Phát triển đội ngũ",
                "Tiêu chí 2.2: Giáo viên",
                "44 giáo viên",
                "11/44 còn lúng túng",
                "Ít thời gian bồi dưỡng",
            ),
            member,
            reg,
        )
        assert (issue.standard, issue.criterion_code, issue.position) == (2, "2.2", 1)
        row = plans.new_draft(session, member, plan)
        for field, value in {
            "content": "Nâng cao năng lực ứng dụng CNTT",
            "expected_result": "Giáo viên sử dụng thành thạo học liệu số",
            "tasks": "- Bồi dưỡng 04 buổi",
            "indicators": "95% giáo viên",
            "timeline_text": "Tháng 10/2026 - tháng 4/2027",
            "lead_text": "Hiệu trưởng",
            "budget_text": "dự kiến 8.500.000 đồng",
            "expected_evidence": "Danh sách giáo viên hoàn thành bồi dưỡng",
        }.items():
            plans.set_field(session, row, field, value, plan.school_year, member)
        priorities.link_row(session, row, issue)
        plans.save_draft(session, row, member)
        second = plans.new_draft(session, member, plan)
        plans.set_field(
            session, second, "content", "Nâng cấp phòng Tin học", plan.school_year, member
        )
        second.implementation_text = "Đang thực hiện"
        plans.save_draft(session, second, member)
        add_report(session, row, member, "done", "Đã xong", "mid_year")
        mid = priorities.review(session, plan, MID_YEAR)
        priorities.set_review_field(session, mid, "result", "1/2 nhiệm vụ hoàn thành", member)
        data = export_plan(session, school, plan)
        assert indicator_14(session, plan) == (1, 2)
    assert data["template"] == TT57 and data["regulation"] == TT57
    assert data["priority_issues"] == [
        {
            "position": 1,
            "standard": 2,
            "criterion": "2.2",
            "current_state": "44 giáo viên",
            "limitations": "11/44 còn lúng túng",
            "causes": "Ít thời gian bồi dưỡng",
        }
    ]
    first, other = data["rows"]
    assert set(first) == TT57_ROW_KEYS and set(other) == TT57_ROW_KEYS
    assert first["criterion"] == "2.2" and first["issue"] == 1 and first["standard"] == 2
    assert first["implementation"] == "Hoàn thành"  # from the owner's status
    assert first["resources"] == {
        "text": "dự kiến 8.500.000 đồng",
        "amount_vnd": 8_500_000,
        "flags": [],
    }
    assert first["timeline"]["start"] == "2026-10-01" and first["timeline"]["due"] == "2027-04-30"
    assert other["implementation"] == "Đang thực hiện"  # as written, nobody reported
    assert other["criterion"] is None and other["objective"] is None and other["issue"] is None
    assert data["monitoring"] == [
        {
            "checkpoint": "mid_year",
            "content": None,
            "result": "1/2 nhiệm vụ hoàn thành",
            "adjustment": None,
            "evaluator": None,
        },
        {
            "checkpoint": "end_year",
            "content": None,
            "result": None,
            "adjustment": None,
            "evaluator": None,
        },
    ]


def test_a_2018_plan_json_says_its_template(db):
    with db.transaction() as session:
        school, _member = _school(session, None)
        plan = plans.ensure_plan(session, school, "2026-2027")
        data = export_plan(session, school, plan)
    assert data["template"] == "2018" and "priority_issues" not in data


def test_codes_are_read_from_the_schools_words():
    reg = load_catalog().regulation("TT57-2026", "tieu_hoc")
    assert priorities.criterion_in("Công khai kết quả tự đánh giá (TC 1.4)", reg) == "1.4"
    assert (
        priorities.criterion_in("3.2. Đổi mới phương pháp dạy học theo Thông tư 27/2020", reg)
        == "3.2"
    )
    assert priorities.criterion_in("Nâng cấp phòng Tin học số 2 cho lớp 3, 4, 5", reg) is None
    assert priorities.criterion_in("Tiêu chí 9.9: không có", reg) is None
    assert priorities.standard_in("Tiêu chuẩn 4: Điều kiện giáo dục") == 4


def test_indicator_14_counts_column_10_as_written_too(db):
    with db.transaction() as session:
        school, member = _school(session, "TT57-2026")
        plan = plans.ensure_plan(session, school, "2026-2027")
        for words in ("Hoàn thành", "Đang thực hiện", None):
            row = plans.new_draft(session, member, plan)
            plans.set_field(session, row, "content", "Nội dung", plan.school_year, member)
            row.implementation_text = words
            plans.save_draft(session, row, member)
        assert indicator_14(session, plan) == (1, 3)
        add_report(session, row, member, "done", None)
        assert indicator_14(session, plan) == (2, 3)
