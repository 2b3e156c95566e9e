"""What the schedule holds for a school: the facts it reads from the database, and the preview
that `caitien notify preview` prints (the scheduler uses the same `planned` rules)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import plans, progress, schedule
from bot.schoolyear import school_year_of
from db.models import Member, ProgressStatus, Role, School


def facts(
    session: Session, school: School, plan_id: int
) -> tuple[list[schedule.RowFacts], list[int]]:
    rows = []
    for row in plans.active_rows(session, plan_id):
        status = progress.latest_status(progress.reports_of(session, row.id))
        rows.append(
            schedule.RowFacts(
                row_id=row.id,
                position=row.position,
                due=row.due_date,
                done=status == ProgressStatus.DONE,
                owners=tuple(schedule.Owner(o.member_id) for o in row.owners if o.member.active),
            )
        )
    principals = list(
        session.scalars(
            select(Member.id).where(
                Member.school_id == school.id,
                Member.role == Role.PRINCIPAL,
                Member.active.is_(True),
            )
        )
    )
    return rows, principals


def preview(session: Session, school: School, at: dt.datetime) -> list[dict[str, object]]:
    """What would have been sent from the start of the school year up to `at`."""
    if at.tzinfo is None:
        raise ValueError("aware datetimes only")
    tz = ZoneInfo(school.timezone)
    year = school_year_of(at.astimezone(tz).date())
    plan = plans.find_plan(session, school.id, year)
    if plan is None:
        return []
    rows, principals = facts(session, school, plan.id)
    items = schedule.planned(rows, principals, year, tz)
    start = dt.datetime(int(year[:4]), 8, 1, tzinfo=tz)
    return [n.as_json() for n in schedule.due_between(items, start - dt.timedelta(seconds=1), at)]
