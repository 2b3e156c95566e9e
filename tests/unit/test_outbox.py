"""The outbox materialiser with a controllable clock (no sleeping), on a real SQLite file."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.services import members, outbox, owners, plans, progress
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from db.models import OutboxItem, School

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = "2025-2026"


def at(y, m, d, h=8, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def seed(db, timelines=("trước 31/12/2025",), year=YEAR):
    """A school, its principal, a teacher (Lan) owning one row per timeline."""
    with db.transaction() as session:
        school, invite = create_school(session, "THCS A", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Hà"))
        principal = join_with_code(session, person, invite.code, at(2025, 8, 1)).member
        lan, _ = members.add_member(session, school, "Lan", "staff", None)
        plan = plans.ensure_plan(session, school, year)
        regulation = plans.regulation_of(school)
        rows = []
        for i, timeline in enumerate(timelines):
            row = plans.new_draft(session, principal, plan)
            plans.set_criterion(session, row, regulation, ("1.4", "2.1", "5.2")[i % 3], principal)
            plans.set_field(session, row, "timeline_text", timeline, year, principal)
            plans.save_draft(session, row, principal)
            owners.set_owners(session, row, [lan.id], lan.id, principal)
            rows.append(row.id)
        return school.id, principal.id, lan.id, rows


def run(db, moment):
    with db.transaction() as session:
        return outbox.materialise(session, moment)


def items(db, state=None):
    with db.transaction() as session:
        query = select(OutboxItem).order_by(OutboxItem.send_at, OutboxItem.id)
        found = session.scalars(query).all()
        return [
            (i.kind, i.member_id, i.send_at.astimezone(TZ), i.state, i.reason)
            for i in found
            if state is None or i.state == state
        ]


def set_watermark(db, school_id, moment):
    with db.transaction() as session:
        session.get(School, school_id).materialised_until = moment


def test_the_first_run_starts_now_and_sends_nothing_from_before(db):
    seed(db)
    clock = ManualClock(at(2025, 12, 29, 9))  # after the 14- and 3-day reminders
    result = run(db, clock.now())
    assert result.created == 0 and items(db) == []


def test_a_moment_passing_makes_one_item_and_running_twice_adds_nothing(db):
    school_id, _principal, lan, _ = seed(db)
    clock = ManualClock(at(2025, 12, 28, 7, 59))
    run(db, clock.now())
    clock.advance(minutes=2)
    assert run(db, clock.now()).created == 1
    assert items(db) == [("due_soon", lan, at(2025, 12, 28), "pending", None)]
    # Idempotent: the same moment again, or the watermark forgotten, adds nothing.
    assert run(db, clock.now()).created == 0
    set_watermark(db, school_id, at(2025, 12, 28, 7, 0))
    assert run(db, clock.now()).created == 0
    assert len(items(db)) == 1


def test_due_today_and_overdue_are_distinct_items(db):
    _, _, lan, _ = seed(db)
    clock = ManualClock(at(2025, 12, 31, 7))
    run(db, clock.now())
    for day in (dt.date(2025, 12, 31), dt.date(2026, 1, 7)):
        clock.set(dt.datetime.combine(day, dt.time(8, 0, 1), TZ))
        run(db, clock.now())
    kinds = [(k, s) for k, m, s, *_ in items(db) if m == lan]
    assert kinds == [("due_today", at(2025, 12, 31)), ("overdue", at(2026, 1, 7))]


def test_after_downtime_only_the_latest_reminder_of_a_row_is_pending(db):
    school_id, principal, lan, _ = seed(db)
    set_watermark(db, school_id, at(2025, 12, 1))  # down from 01/12 to 20/01
    result = run(db, at(2026, 1, 20, 9))
    pending = [(k, m, s) for k, m, s, state, _ in items(db) if state == "pending"]
    assert ("overdue", lan, at(2026, 1, 14)) in pending
    assert ("mid_year", lan, at(2026, 1, 10)) in pending
    assert [k for k, m, _ in pending if m == principal] == ["digest"]  # only the latest digest
    row_pending = [k for k, m, _ in pending if m == lan and k not in ("mid_year",)]
    assert row_pending == ["overdue"]
    superseded = [k for k, m, s, state, reason in items(db) if reason == "superseded"]
    assert sorted(set(superseded)) == ["digest", "due_soon", "due_today", "overdue"]
    assert superseded.count("overdue") == 1 and superseded.count("due_soon") == 2
    assert result.superseded == len(superseded)
    assert run(db, at(2026, 1, 20, 9)).created == 0


def test_a_plan_imported_mid_year_gets_no_flood(db):
    """Rows due months ago: nothing before the import is sent; the next overdue one is."""
    school_id, _, lan, _ = seed(db, ("trước 30/09/2025", "trước 31/10/2025"))
    clock = ManualClock(at(2025, 11, 3, 10))  # the bot ran yesterday; the plan came today
    set_watermark(db, school_id, at(2025, 11, 2, 10))
    run(db, clock.now())
    assert [k for k, *_ in items(db)] == ["digest"]  # Monday's digest, nothing of the rows
    clock.set(at(2025, 11, 7, 8, 1))  # 31/10 + 7 days
    run(db, clock.now())
    assert [(k, s) for k, m, s, *_ in items(db) if m == lan] == [("overdue", at(2025, 11, 7))]


def test_nothing_older_than_the_current_school_year(db):
    school_id, _principal, _lan, _ = seed(db, ("trước 31/05/2025",), year="2024-2025")
    set_watermark(db, school_id, at(2025, 5, 20))  # down over the summer
    run(db, at(2025, 9, 8, 9))
    found = items(db)
    assert all(s >= at(2025, 8, 1, 0) for _, _, s, *_ in found)
    assert {k for k, *_ in found} == {"digest"}


def test_a_finished_row_gets_no_more_reminders(db):
    school_id, _principal, lan, rows = seed(db)
    with db.transaction() as session:
        row = plans.get_row(session, school_id, rows[0])
        progress.add_report(session, row, session.get(type(row.owners[0].member), lan), "done", "")
    set_watermark(db, school_id, at(2025, 12, 1))
    run(db, at(2026, 2, 1, 9))
    assert [k for k, m, *_ in items(db) if m == lan] == []


def test_aware_datetimes_only(db):
    with pytest.raises(ValueError), db.transaction() as session:
        outbox.materialise(session, dt.datetime(2026, 1, 1, 8))


def test_a_linked_group_gets_the_digest_too(db):
    school_id, principal, _, _ = seed(db)
    with db.transaction() as session:
        session.get(School, school_id).group_chat_id = -100500
    set_watermark(db, school_id, at(2026, 1, 12, 7))
    run(db, at(2026, 1, 12, 7, 31))  # Monday
    with db.transaction() as session:
        found = session.scalars(select(OutboxItem)).all()
        assert sorted((i.kind, i.member_id, i.chat_id) for i in found) == [
            ("digest", principal, None),
            ("group_digest", None, -100500),
        ]


def test_a_newer_reminder_supersedes_an_older_one_not_sent_yet(db):
    """E.g. left pending by a crash: the due-day reminder stands for the 3-day one."""
    _school_id, _, lan, _ = seed(db)
    run(db, at(2025, 12, 28, 7))
    run(db, at(2025, 12, 28, 9))  # due_soon pending (never drained)
    run(db, at(2025, 12, 31, 9))
    assert [(k, s, state, reason) for k, m, s, state, reason in items(db) if m == lan] == [
        ("due_soon", at(2025, 12, 28), "skipped", "superseded"),
        ("due_today", at(2025, 12, 31), "pending", None),
    ]
