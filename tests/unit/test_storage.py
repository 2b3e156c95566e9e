"""Storage on a real SQLite file: pragmas, aware datetimes, scoping, rows, history, drafts."""

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import select, text

from bot.services import plans
from bot.services.chatstate import enter, load_state, mark_seen, seen
from bot.services.invites import JoinOutcome, join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from db.models import ChatState, Member, Person, PlanRow, RowHistory, RowStatus, School
from tests.conftest import sqlite_only

NOW = dt.datetime(2026, 11, 23, 21, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def make_school(session, name="THCS Lê Quý Đôn", level="thcs"):
    school, invite = create_school(session, name, level, None, "Asia/Ho_Chi_Minh")
    person = upsert_person(session, TelegramUser(1000 + school.id, "Hà"))
    result = join_with_code(session, person, invite.code, NOW)
    assert result.outcome == JoinOutcome.JOINED
    return school, result.member


@sqlite_only
def test_sqlite_runs_in_wal_mode_with_foreign_keys(db):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_upgrade_twice_is_a_no_op(db):
    db.upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_naive_datetimes_are_refused(db):
    with pytest.raises(Exception, match="naive"), db.transaction() as session:
        session.add(
            School(
                name="x", level="thcs", regulation="TT18-2018", created_at=dt.datetime(2026, 1, 1)
            )
        )
        session.flush()


def test_datetimes_come_back_aware(db):
    with db.transaction() as session:
        school, _ = make_school(session)
        school_id = school.id
    with db.transaction() as session:
        created = session.get(School, school_id).created_at
        assert created.tzinfo is not None


def test_principal_code_is_single_use(db):
    with db.transaction() as session:
        school, invite = create_school(session, "TH Bình An", "tieu_hoc", None, "Asia/Ho_Chi_Minh")
        first = upsert_person(session, TelegramUser(1, "A"))
        second = upsert_person(session, TelegramUser(2, "B"))
        assert join_with_code(session, first, invite.code, NOW).outcome == JoinOutcome.JOINED
        assert (
            join_with_code(session, first, invite.code, NOW).outcome == JoinOutcome.ALREADY_MEMBER
        )
        assert join_with_code(session, second, invite.code, NOW).outcome == JoinOutcome.USED_UP
        assert join_with_code(session, second, "nope", NOW).outcome == JoinOutcome.UNKNOWN
        member = session.scalar(select(Member).where(Member.person_id == first.id))
        assert member.role == "principal" and member.school_id == school.id
        assert school.regulation == "TT17-2018"
        assert len(invite.code) <= 64


def test_write_save_and_export_a_row(db):
    with db.transaction() as session:
        school, member = make_school(session)
        plan = plans.ensure_plan(session, school, "2025-2026")
        reg = plans.regulation_of(school)
        row = plans.new_draft(session, member, plan)
        plans.set_criterion(session, row, reg, "5.2", member)
        plans.set_field(session, row, "expected_result", "Giữ vững Mức 2", "2025-2026", member)
        plans.set_field(session, row, "timeline_text", "Tháng 9/2025 – 8/2026", "2025-2026", member)
        plans.set_field(session, row, "budget_text", "Từ nguồn thu tại đơn vị", "2025-2026", member)
        assert plans.active_rows(session, plan.id) == []  # a draft is not in the plan
        plans.save_draft(session, row, member)
        first = plans.new_draft(session, member, plan)
        plans.set_criterion(session, first, reg, "1.4", member)
        plans.save_draft(session, first, member)
        m4 = plans.new_draft(session, member, plan)
        plans.set_level4(session, m4, 3, "Tiêu chí 3: trường có kế hoạch 5 năm", member)
        plans.save_draft(session, m4, member)
        data = plans.export_plan(session, school, plan)
    assert [r["criterion"] for r in data["rows"]] == ["1.4", "5.2", "M4.3"]
    assert [r["position"] for r in data["rows"]] == [1, 2, 3]
    row = data["rows"][1]
    assert row["expected_result"] == "Giữ vững Mức 2" and row["target_level"] == 2
    assert row["timeline"] == {
        "text": "Tháng 9/2025 – 8/2026",
        "start": "2025-09-01",
        "due": "2026-08-31",
        "flags": [],
    }
    assert (
        row["budget"]["amount_vnd"] is None and row["budget"]["text"] == "Từ nguồn thu tại đơn vị"
    )
    assert row["criterion_title"].startswith("Tổ chức hoạt động giáo dục cho học sinh")
    assert data["rows"][2]["block"] == "M4"
    assert data["rows"][2]["criterion_text"] == "Tiêu chí 3: trường có kế hoạch 5 năm"


def test_rows_are_scoped_by_school_and_changes_recorded(db):
    with db.transaction() as session:
        school_a, member_a = make_school(session, "A")
        school_b, _ = make_school(session, "B")
        plan = plans.ensure_plan(session, school_a, "2026-2027")
        row = plans.new_draft(session, member_a, plan)
        plans.set_criterion(session, row, plans.regulation_of(school_a), "1.1", member_a)
        plans.save_draft(session, row, member_a)
        plans.set_field(session, row, "notes", "mới", "2026-2027", member_a)
        assert plans.get_row(session, school_b.id, row.id) is None
        assert plans.get_row(session, school_a.id, row.id) is row
        plans.delete_row(session, row, member_a)
        history = session.scalars(select(RowHistory).where(RowHistory.row_id == row.id)).all()
        assert [h.action for h in history] == ["created", "updated", "deleted"]
        assert history[1].field == "notes" and history[1].new_value == "mới"
        assert session.get(PlanRow, row.id).status == RowStatus.DELETED


def test_chat_state_is_unique_per_chat_and_user(db):
    with db.transaction() as session:
        state = load_state(session, 10, 10)
        enter(state, "row", "tasks", row_id=5)
        mark_seen(state, 42)
    with db.transaction() as session:
        state = load_state(session, 10, 10)
        assert (state.flow, state.step, state.data["row_id"]) == ("row", "tasks", 5)
        assert seen(state, 42) and not seen(state, 43)
        assert session.scalar(select(ChatState.version)) == 1


def test_target_level():
    assert plans.target_level("Giữ vững mức 2") == 2
    assert plans.target_level("Đạt Mức 3 so với hiện trạng") == 3
    assert plans.target_level("Thực hiện hiệu quả các chuyên đề") is None


def test_a_new_person_in_two_chats_at_once_is_created_once(db):
    """Someone new writes in private and in a group at the same moment: the two turns run at
    once (one chat at a time is the rule, not one person), and both find the same person."""
    inserted, found = threading.Event(), []

    def first() -> None:
        with db.transaction() as session:
            found.append(upsert_person(session, TelegramUser(77, "Hà")).id)
            inserted.set()
            time.sleep(0.3)  # still in its transaction when the second one looks

    def second() -> None:
        inserted.wait(5)
        with db.transaction() as session:
            found.append(upsert_person(session, TelegramUser(77, "Hà", "ha_gv", "vi" * 20)).id)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(found) == 2 and found[0] == found[1]
    with db.transaction() as session:
        [person] = session.scalars(select(Person).where(Person.telegram_user_id == 77))
        assert person.username == "ha_gv" and person.telegram_language == ("vi" * 20)[:16]
