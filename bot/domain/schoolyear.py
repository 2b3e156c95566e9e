"""School years: "2026-2027" starts on 1 August 2026 (a new plan is offered from then)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from bot.domain.constants import CLASSES_BEGIN, SCHOOL_YEAR_FIRST_MONTH

_YEAR = re.compile(r"([0-9]{4})-([0-9]{4})")  # ASCII digits: "٢٠٢٦-٢٠٢٧" is not a year


def school_year_of(day: dt.date) -> str:
    first = day.year if day.month >= SCHOOL_YEAR_FIRST_MONTH else day.year - 1
    return f"{first}-{first + 1}"


def current_school_year(tz: ZoneInfo, now: dt.datetime | None = None) -> str:
    moment = now or dt.datetime.now(tz)
    if moment.tzinfo is None:
        raise ValueError("naive datetime refused")
    return school_year_of(moment.astimezone(tz).date())


def is_school_year(text: str) -> bool:
    m = _YEAR.fullmatch(text)
    return m is not None and int(m.group(2)) == int(m.group(1)) + 1


def end_of_school_year(school_year: str) -> dt.date:
    """The day a row with no readable due date is treated as due (31/05 of the second year)."""
    return dt.date(int(school_year[5:]), 5, 31)


def classes_begin(school_year: str) -> dt.date:
    """The day classes begin (05/09 of the first year): "2026-2027" → 05/09/2026."""
    return dt.date(int(school_year[:4]), *CLASSES_BEGIN)
