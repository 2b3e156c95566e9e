"""Schedule rules with a controllable clock (no sleeping): every rule of docs/design.md §2."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from bot.domain.notification_rules import (
    DIGEST,
    DUE_SOON,
    DUE_TODAY,
    END_YEAR,
    MID_YEAR,
    OVERDUE,
    Owner,
    RowFacts,
    Rules,
    adjust,
    catch_up,
    due_between,
    planned,
)
from bot.services import members, owners, plans, progress
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from tests.unit.test_cli import caitien
from tests.unit.test_storage import NOW

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = "2025-2026"
D = dt.date


def at(y, m, d, h=8, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def row_items(items, kind=None):
    return [
        (n.kind, n.send_at)
        for n in items
        if n.row_id is not None and (kind is None or n.kind == kind)
    ]


def test_reminders_before_on_and_after_the_due_day():
    row = RowFacts(1, 1, D(2025, 12, 31), False, (Owner(10),))
    items = planned([row], [], YEAR, TZ)
    assert row_items(items) == [
        (DUE_SOON, at(2025, 12, 17)),
        (DUE_SOON, at(2025, 12, 28)),
        (DUE_TODAY, at(2025, 12, 31)),
        (OVERDUE, at(2026, 1, 7)),
        (OVERDUE, at(2026, 1, 14)),
        (OVERDUE, at(2026, 1, 21)),
        (OVERDUE, at(2026, 1, 28)),
    ]
    assert len({n.key for n in items}) == len(items)  # distinct outbox keys


def test_a_row_with_no_date_is_due_at_the_end_of_the_school_year():
    row = RowFacts(1, 1, None, False, (Owner(10),))
    [today] = [n for n in planned([row], [], YEAR, TZ) if n.kind == DUE_TODAY]
    assert today.send_at == at(2026, 5, 31)


def test_a_finished_row_gets_no_more_reminders():
    done = RowFacts(1, 1, D(2025, 12, 31), True, (Owner(10),))
    assert planned([done], [], YEAR, TZ) == []


def test_mid_and_end_of_year_prompts_once_per_owner():
    rows = [
        RowFacts(1, 1, D(2025, 12, 31), False, (Owner(10), Owner(11))),
        RowFacts(2, 2, D(2026, 3, 31), False, (Owner(10),)),
    ]
    items = planned(rows, [], YEAR, TZ)
    mid = [(n.member_id, n.send_at) for n in items if n.kind == MID_YEAR]
    end = [(n.member_id, n.send_at) for n in items if n.kind == END_YEAR]
    assert sorted(mid) == [(10, at(2026, 1, 10)), (11, at(2026, 1, 10))]
    assert sorted(end) == [
        (10, at(2026, 5, 15)),
        (10, at(2026, 5, 25)),
        (11, at(2026, 5, 15)),
        (11, at(2026, 5, 25)),
    ]


def test_weekly_digest_to_the_principal_on_mondays():
    digests = [n for n in planned([], [1], YEAR, TZ) if n.kind == DIGEST]
    assert digests[0].send_at == at(2025, 8, 4, 7, 30)
    assert all(n.send_at.weekday() == 0 for n in digests) and len(digests) == 52


def test_quiet_hours_and_holidays():
    rules = Rules(send_time=dt.time(21, 0), holidays=((D(2026, 2, 14), D(2026, 2, 22)),))
    assert adjust(at(2026, 1, 5, 21), rules) == at(2026, 1, 6, 7)
    assert adjust(at(2026, 1, 5, 6, 30), rules) == at(2026, 1, 5, 7)
    assert adjust(at(2026, 2, 16, 8), rules) == at(2026, 2, 23, 8)  # Tết: after the holiday
    row = RowFacts(1, 1, D(2026, 2, 16), False, (Owner(10),))
    today = next(n for n in planned([row], [], YEAR, TZ, rules) if n.kind == DUE_TODAY)
    assert today.send_at == at(2026, 2, 23, 7) and today.day == D(2026, 2, 16)


def test_leave_means_no_nudges_until_it_ends():
    row = RowFacts(1, 1, D(2026, 1, 20), False, (Owner(10, on_leave_until=D(2026, 1, 15)),))
    kinds = [(n.kind, n.day) for n in planned([row], [], YEAR, TZ)]
    assert (DUE_SOON, D(2026, 1, 6)) not in kinds and (MID_YEAR, D(2026, 1, 10)) not in kinds
    assert (DUE_SOON, D(2026, 1, 17)) in kinds and (DUE_TODAY, D(2026, 1, 20)) in kinds


def test_window_and_catch_up_after_downtime():
    row = RowFacts(1, 1, D(2025, 12, 31), False, (Owner(10),))
    items = planned([row], [], YEAR, TZ)
    missed = due_between(items, at(2025, 12, 1), at(2026, 1, 20, 9))
    assert [n.kind for n in missed if n.row_id] == [DUE_SOON, DUE_SOON, DUE_TODAY, OVERDUE, OVERDUE]
    [only] = [n for n in catch_up(missed) if n.row_id]
    assert (only.kind, only.send_at) == (OVERDUE, at(2026, 1, 14))
    assert [n.kind for n in catch_up(missed) if not n.row_id] == [MID_YEAR]


def test_notify_preview_cli(db, db_url):
    with db.transaction() as session:
        school, invite = create_school(session, "THCS A", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Hà"))
        principal = join_with_code(session, person, invite.code, NOW).member
        lan, _ = members.add_member(session, school, "Lan", "staff", None)
        plan = plans.ensure_plan(session, school, YEAR)
        regulation = plans.regulation_of(school)
        for code, timeline in (("1.4", "trước 15/10/2025"), ("5.2", "Tháng 9/2025 – 9/2025")):
            row = plans.new_draft(session, principal, plan)
            plans.set_criterion(session, row, regulation, code, principal)
            plans.set_field(session, row, "timeline_text", timeline, YEAR, principal)
            plans.save_draft(session, row, principal)
            owners.set_owners(session, row, [lan.id], lan.id, principal)
        progress.add_report(session, row, lan, "done", "xong")  # 5.2 is done
        ids = (school.id, lan.id, principal.id)
    done = caitien(
        db_url, "notify", "preview", "--school", str(ids[0]), "--at", "2025-10-20T08:00+07:00"
    )
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert all(set(i) == {"kind", "row", "member_id", "send_at"} for i in items)
    reminders = [(i["kind"], i["row"], i["send_at"]) for i in items if i["row"] is not None]
    assert reminders == [
        ("due_soon", 1, "2025-10-01T08:00:00+07:00"),
        ("due_soon", 1, "2025-10-12T08:00:00+07:00"),
        ("due_today", 1, "2025-10-15T08:00:00+07:00"),
    ]
    digests = [i for i in items if i["kind"] == "digest"]
    assert digests[0]["send_at"] == "2025-08-04T07:30:00+07:00"
    assert {i["member_id"] for i in digests} == {ids[2]}
    # issue 11: a date or a moment without offset is in the school's timezone (no longer refused)
    bad = caitien(db_url, "notify", "preview", "--school", str(ids[0]), "--at", "20/10/2025")
    assert bad.returncode == 2 and "not an ISO date or moment" in bad.stderr


def test_notify_preview_cli_reads_a_date_in_the_schools_timezone(db, db_url):
    with db.transaction() as session:
        school, invite = create_school(session, "THCS B", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Hà"))
        principal = join_with_code(session, person, invite.code, NOW).member
        lan, _ = members.add_member(session, school, "Lan", "staff", None)
        plan = plans.ensure_plan(session, school, "2026-2027")
        row = plans.new_draft(session, principal, plan)
        plans.set_criterion(session, row, plans.regulation_of(school), "1.4", principal)
        plans.set_field(session, row, "timeline_text", "trước 15/05/2027", "2026-2027", principal)
        plans.save_draft(session, row, principal)
        owners.set_owners(session, row, [lan.id], lan.id, principal)
        school_id = school.id

    def due_today(at: str) -> list[str]:
        done = caitien(db_url, "notify", "preview", "--school", str(school_id), "--at", at)
        assert done.returncode == 0, done.stderr
        return [i["send_at"] for i in json.loads(done.stdout) if i["kind"] == "due_today"]

    # A date alone: the whole of 15/05/2027 in Vietnam, the 08:00 reminder included.
    assert due_today("2027-05-15") == ["2027-05-15T08:00:00+07:00"]
    # Without an offset: Vietnam time (07:59 UTC would be 14:59 there and include it).
    assert due_today("2027-05-15T07:59") == []
    assert due_today("2027-05-15T08:00") == ["2027-05-15T08:00:00+07:00"]
    assert due_today("2027-05-15T00:59:00+00:00") == []  # an offset is kept: 07:59 in Vietnam
