"""`caitien notify preview`: what the schedule would have sent, computed by the scheduler's code.

The same facts (`bot.services.outbox.row_facts`, the principals), the same rules (the school's
settings read by `bot.domain.school_settings`) and the same
`bot.domain.notification_rules.planned`; only the window differs: from the start of the school year
up to the moment asked, as if the plan and its owners had existed
since then, with no catch-up (everything that would have gone out, in order). Sends nothing.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain import notification_rules, school_settings
from bot.domain.schoolyear import school_year_of
from bot.services import outbox, plans
from db.models import School


def preview(session: Session, school: School, at: dt.datetime) -> list[dict[str, object]]:
    """What would have been sent from the start of the school year up to `at`."""
    if at.tzinfo is None:
        raise ValueError("aware datetimes only")
    tz = ZoneInfo(school.timezone)
    year = school_year_of(at.astimezone(tz).date())
    plan = plans.find_plan(session, school.id, year)
    if plan is None:
        return []
    rows = outbox.row_facts(session, [plan.id]).get(plan.id, [])
    principals = outbox.principals(session, [school.id]).get(school.id, [])
    rules = school_settings.load(school).rules()
    start = outbox.year_start(year, tz) - dt.timedelta(seconds=1)
    reviewers = outbox.reviewers(session, [plan]).get(school.id, [])
    items = notification_rules.planned(
        rows, principals, year, tz, rules, window=(start, at), reviewers=reviewers
    )
    return [n.as_json() for n in notification_rules.due_between(items, start, at)]
