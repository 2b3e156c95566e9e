"""A supervising unit's schedule settings, stored as JSON on the unit as a school's are.

The same settings as a school's (`bot.domain.school_settings`: send time, quiet hours
20:00–07:00, holidays, the digest's weekday and time, the mid-year and end-of-year moments),
read from `SupervisingUnit.settings`; only the digest's default time differs: the unit's weekly
digest goes on Monday at 08:00, after the schools' own (07:30).

The review summary (which linked schools have written their review) goes at each review
moment once the schools have had their week: the schools' review invitation comes
`review_after_days` after the owners' prompt (17/01 after 10/01, 22/05 after 15/05), the
unit's summary as many days later again (24/01, 29/05 by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.domain.notification_rules import Rules, review_days
from bot.domain.school_settings import SchoolSettings
from db.models import SupervisingUnit

DIGEST_TIME = dt.time(8, 0)  # the unit's weekly digest: Monday 08:00 by default


def load(unit: SupervisingUnit) -> SchoolSettings:
    data = unit.settings or {}
    settings = SchoolSettings.from_json(data)
    if "digest_time" not in data:
        settings = replace(settings, digest_time=DIGEST_TIME)
    return settings


def rules(unit: SupervisingUnit) -> Rules:
    return load(unit).rules()


def save(unit: SupervisingUnit, settings: SchoolSettings) -> None:
    """Store the schedule; other keys of `SupervisingUnit.settings` are kept."""
    unit.settings = {**(unit.settings or {}), **settings.as_json()}


def review_summary_days(school_year: str, rules: Rules) -> dict[str, dt.date]:
    """The planned days of the unit's two review summaries, by checkpoint ("mid_year",
    "end_year"): a week after the schools' review invitations (see the module)."""
    after = dt.timedelta(days=rules.review_after_days)
    return {checkpoint: day + after for checkpoint, day in review_days(school_year, rules).items()}
