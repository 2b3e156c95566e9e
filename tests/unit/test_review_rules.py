"""The review invitations of a TT57 plan (`review`): planned a week after each review moment's
owners' prompt, to the principal and vice-principals, held by quiet hours and holidays like the
schedule's other items; none for a 2018 plan. Same code for the materialiser and the preview."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.domain import school_settings
from bot.domain.notification_rules import REVIEW, Rules, planned, review_checkpoint, stale
from bot.domain.school_settings import Holiday
from bot.services import members, outbox, outbox_preview, plans
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from db.models import OutboxItem, School

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = "2026-2027"


def at(y, m, d, h=8, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def reviews(items):
    return [(n.member_id, n.send_at) for n in items if n.kind == REVIEW]


def test_review_invitations_come_a_week_after_each_review_moment():
    items = planned([], [1], YEAR, TZ, Rules(), reviewers=[1, 2])
    assert reviews(items) == [
        (1, at(2027, 1, 17)),
        (2, at(2027, 1, 17)),
        (1, at(2027, 5, 22)),
        (2, at(2027, 5, 22)),
    ]
    assert reviews(planned([], [1], YEAR, TZ, Rules())) == []  # no reviewers: a 2018 plan
    later = Rules(mid_year=(1, 20), end_year=((5, 20), (5, 28)), review_after_days=3)
    assert [n.send_at for n in planned([], [], YEAR, TZ, later, reviewers=[1])] == [
        at(2027, 1, 23),
        at(2027, 5, 23),
    ]


def test_quiet_hours_and_holidays_hold_a_review_invitation():
    night = Rules(send_time=dt.time(21, 0))
    assert reviews(planned([], [], YEAR, TZ, night, reviewers=[1]))[0] == (1, at(2027, 1, 18, 7))
    tet = Rules(holidays=((dt.date(2027, 1, 15), dt.date(2027, 1, 19)),))
    assert reviews(planned([], [], YEAR, TZ, tet, reviewers=[1]))[0] == (1, at(2027, 1, 20))


def test_the_checkpoint_goes_by_the_end_of_year_moment():
    rules = Rules()
    assert review_checkpoint(YEAR, dt.date(2027, 1, 17), rules) == "mid_year"
    assert review_checkpoint(YEAR, dt.date(2027, 5, 14), rules) == "mid_year"
    assert review_checkpoint(YEAR, dt.date(2027, 5, 15), rules) == "end_year"
    assert review_checkpoint(YEAR, dt.date(2026, 9, 1), rules) == "mid_year"
    # The mid-year invitation is not sent once the end-of-year moment has come.
    assert not stale(REVIEW, dt.date(2027, 1, 17), dt.date(2027, 5, 14), rules)
    assert stale(REVIEW, dt.date(2027, 1, 17), dt.date(2027, 5, 15), rules)
    assert not stale(REVIEW, dt.date(2027, 5, 22), dt.date(2027, 6, 30), rules)


def seed(db, regulation):
    """A school with a principal, a vice-principal, a teacher; a plan of YEAR with no rows."""
    with db.transaction() as session:
        school, invite = create_school(session, "TH A", "tieu_hoc", regulation, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Hà"))
        principal = join_with_code(session, person, invite.code, at(2026, 8, 1)).member
        vice, _ = members.add_member(session, school, "Minh", "vice_principal", None)
        members.add_member(session, school, "Lan", "staff", None)
        plans.ensure_plan(session, school, YEAR)
        return school.id, principal.id, vice.id


def preview(db, school_id, moment):
    with db.transaction() as session:
        school = session.get(School, school_id)
        return outbox_preview.preview(session, school, moment)


def test_notify_preview_shows_the_review_kind_for_a_tt57_plan_only(db):
    school_id, principal, vice = seed(db, "TT57-2026")
    found = [i for i in preview(db, school_id, at(2027, 5, 31, 23)) if i["kind"] == REVIEW]
    assert found == [
        {
            "kind": "review",
            "row": None,
            "member_id": principal,
            "send_at": "2027-01-17T08:00:00+07:00",
        },
        {"kind": "review", "row": None, "member_id": vice, "send_at": "2027-01-17T08:00:00+07:00"},
        {
            "kind": "review",
            "row": None,
            "member_id": principal,
            "send_at": "2027-05-22T08:00:00+07:00",
        },
        {"kind": "review", "row": None, "member_id": vice, "send_at": "2027-05-22T08:00:00+07:00"},
    ]
    old_school, _, _ = seed(db, None)  # TT17-2018: the 2018 template
    assert [i for i in preview(db, old_school, at(2027, 5, 31, 23)) if i["kind"] == REVIEW] == []


def test_the_materialiser_writes_review_items_held_by_the_school_holidays(db):
    school_id, principal, vice = seed(db, "TT57-2026")
    old_school, _, _ = seed(db, None)
    with db.transaction() as session:
        school = session.get(School, school_id)
        school_settings.update(
            school, holidays=(Holiday(dt.date(2027, 1, 16), dt.date(2027, 1, 18), "Nghỉ"),)
        )
    with db.transaction() as session:
        outbox.materialise(session, at(2027, 1, 10, 7))  # the schedule starts
    with db.transaction() as session:
        outbox.materialise(session, at(2027, 1, 19, 9))
    with db.transaction() as session:
        found = [
            (i.school_id, i.member_id, i.send_at.astimezone(TZ), i.state)
            for i in session.scalars(
                select(OutboxItem).where(OutboxItem.kind == REVIEW).order_by(OutboxItem.id)
            )
        ]
    assert found == [
        (school_id, principal, at(2027, 1, 19), "pending"),
        (school_id, vice, at(2027, 1, 19), "pending"),
    ]
    assert old_school not in {f[0] for f in found}
