"""A school's schedule settings (stored as JSON on the school) and how people write them.

Defaults are those of docs/design.md §2: sends at 08:00, quiet hours 20:00–07:00, the digest on
Monday 07:30, no holidays until the principal adds them (Tết changes every year).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from bot.domain.constants import SCHOOL_YEAR_FIRST_MONTH
from bot.domain.notification_rules import Rules
from bot.domain.parsing import fold, school_year_bounds
from db.models import School

_TIME = re.compile(r"^\s*(\d{1,2})\s*(?:[:hg.]\s*(\d{2})?)?\s*(?:phút)?\s*$", re.IGNORECASE)
_DATE = r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"


@dataclass(frozen=True)
class Holiday:
    start: dt.date
    end: dt.date
    label: str = ""


@dataclass(frozen=True)
class SchoolSettings:
    send_time: dt.time = dt.time(8, 0)
    quiet_from: dt.time = dt.time(20, 0)
    quiet_until: dt.time = dt.time(7, 0)
    digest_weekday: int = 0
    digest_time: dt.time = dt.time(7, 30)
    holidays: tuple[Holiday, ...] = field(default_factory=tuple)
    mid_year: tuple[int, int] = (1, 10)  # (month, day) of the mid-year prompt
    end_year: tuple[tuple[int, int], ...] = ((5, 15), (5, 25))  # end-of-year prompt, reminder

    def rules(self) -> Rules:
        return Rules(
            send_time=self.send_time,
            quiet_from=self.quiet_from,
            quiet_until=self.quiet_until,
            digest_weekday=self.digest_weekday,
            digest_time=self.digest_time,
            holidays=tuple((h.start, h.end) for h in self.holidays),
            mid_year=self.mid_year,
            end_year=self.end_year,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "send_time": self.send_time.strftime("%H:%M"),
            "quiet_from": self.quiet_from.strftime("%H:%M"),
            "quiet_until": self.quiet_until.strftime("%H:%M"),
            "digest_weekday": self.digest_weekday,
            "digest_time": self.digest_time.strftime("%H:%M"),
            "holidays": [[h.start.isoformat(), h.end.isoformat(), h.label] for h in self.holidays],
            "mid_year": list(self.mid_year),
            "end_year": [list(d) for d in self.end_year],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> SchoolSettings:
        data = data or {}
        base = cls()

        def time_of(key: str, default: dt.time) -> dt.time:
            value = data.get(key)
            return dt.time.fromisoformat(value) if isinstance(value, str) else default

        return cls(
            send_time=time_of("send_time", base.send_time),
            quiet_from=time_of("quiet_from", base.quiet_from),
            quiet_until=time_of("quiet_until", base.quiet_until),
            digest_weekday=int(data.get("digest_weekday", base.digest_weekday)),
            digest_time=time_of("digest_time", base.digest_time),
            holidays=tuple(
                Holiday(dt.date.fromisoformat(a), dt.date.fromisoformat(b), label)
                for a, b, label in data.get("holidays", [])
            ),
            mid_year=tuple(data.get("mid_year", base.mid_year)),
            end_year=tuple(tuple(d) for d in data.get("end_year", base.end_year)),
        )


def load(school: School) -> SchoolSettings:
    return SchoolSettings.from_json(school.settings)


def save(school: School, settings: SchoolSettings) -> None:
    """Store the schedule; other keys of `School.settings` (the document settings, the menus
    version of bot.services.menus) are kept."""
    school.settings = {**(school.settings or {}), **settings.as_json()}


def update(school: School, **changes: Any) -> SchoolSettings:
    settings = replace(load(school), **changes)
    save(school, settings)
    return settings


def parse_time(text: str) -> dt.time | None:
    """ "7:30", "07h30", "7g", "19.00" → a time; anything else → None."""
    m = _TIME.match(text or "")
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_holiday(text: str, school_year: str | None = None) -> Holiday | None:
    """A holiday as people write it → its days and its name (the words kept as written).

    "14/02/2026 - 22/02/2026 Nghỉ Tết", "02/09/2026 Quốc khánh", "Tết Nguyên đán từ 14/02/2027
    đến 21/02/2027", "nghỉ Tết 14/2 - 21/2": a day written without its year takes the year of
    the other end, else the one it falls in within `school_year` (08-12: the first year, 01-07:
    the second). None when no day can be read, two days are not joined as a range ("-", "đến",
    "tới", "to"), a day is missing its year with no school year to infer it from, or the range
    is backwards or longer than 60 days.
    """
    text = text or ""
    found = list(_DAY.finditer(text))
    if not found or len(found) > 2:
        return None
    first, last = found[0], found[-1]
    if len(found) == 2 and not _JOIN.fullmatch(text[first.end() : last.start()]):
        return None
    after = text[last.end() :]
    year = _YEAR_AFTER.match(after)  # "nghỉ Tết 14/2 - 21/2 năm 2027"
    if year:
        after = after[year.end() :]
        school_year = f"{int(year.group(1)) - 1}-{year.group(1)}"
    try:
        start, end = _holiday_days(first, last if len(found) == 2 else None, school_year)
    except ValueError:
        return None
    if end < start or (end - start).days > 60:
        return None
    before = _LEAD_OUT.sub("", text[: first.start()])
    label = " ".join(f"{before} {after}".split()).strip(" -–:,;.")
    return Holiday(start, end, label)


_DAY = re.compile(r"(?<![\d/.])(\d{1,2})\s*([/.-])\s*(\d{1,2})(?:\s*\2\s*(\d{4}))?(?![\d/])")
_JOIN = re.compile(r"\s*(?:-|–|—|->|đến|tới|to|until)\s*(?:(?:hết\s*)?ngày\s*)?", re.IGNORECASE)
_YEAR_AFTER = re.compile(r"\s*(?:năm|,)\s*(\d{4})\b", re.IGNORECASE)
_LEAD_OUT = re.compile(r"(?:\b(?:từ|from)\s*)?(?:\bngày\s*)?$", re.IGNORECASE)


def _holiday_days(
    first: re.Match[str], last: re.Match[str] | None, school_year: str | None
) -> tuple[dt.date, dt.date]:
    """The two days of a holiday; a missing year is inferred (ValueError when it cannot be)."""
    d1, m1 = int(first.group(1)), int(first.group(3))
    y1 = int(first.group(4)) if first.group(4) else None
    if last is None:
        d2, m2, y2 = d1, m1, y1
    else:
        d2, m2 = int(last.group(1)), int(last.group(3))
        y2 = int(last.group(4)) if last.group(4) else None
    if y1 is None and y2 is not None:
        y1 = y2 if (m1, d1) <= (m2, d2) else y2 - 1
    elif y2 is None and y1 is not None:
        y2 = y1 if (m2, d2) >= (m1, d1) else y1 + 1
    elif y1 is None:
        if school_year is None:
            raise ValueError("no year")
        begin, following = school_year_bounds(school_year)
        y1 = begin if m1 >= SCHOOL_YEAR_FIRST_MONTH else following
        y2 = y1 if (m2, d2) >= (m1, d1) else y1 + 1
    assert y2 is not None
    return dt.date(y1, m1, d1), dt.date(y2, m2, d2)


def parse_date(text: str) -> dt.date | None:
    m = re.fullmatch(rf"\s*{_DATE}\s*", text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


_WEEKDAYS = {
    "thu hai": 0, "thu 2": 0, "t2": 0, "monday": 0, "mon": 0,
    "thu ba": 1, "thu 3": 1, "t3": 1, "tuesday": 1, "tue": 1,
    "thu tu": 2, "thu 4": 2, "t4": 2, "wednesday": 2, "wed": 2,
    "thu nam": 3, "thu 5": 3, "t5": 3, "thursday": 3, "thu": 3,
    "thu sau": 4, "thu 6": 4, "t6": 4, "friday": 4, "fri": 4,
    "thu bay": 5, "thu 7": 5, "t7": 5, "saturday": 5, "sat": 5,
    "chu nhat": 6, "cn": 6, "sunday": 6, "sun": 6,
}  # fmt: skip


def parse_weekday_time(text: str) -> tuple[int | None, dt.time] | None:
    """ "Thứ Hai 7:30", "T6 16h", "Chủ nhật 20:00", "7:30" → (weekday or None, time)."""
    folded = fold(text or "").replace(",", " ")
    for name in sorted(_WEEKDAYS, key=len, reverse=True):
        if re.match(rf"^\s*{re.escape(name)}\b", folded):
            rest = folded.strip()[len(name) :]
            time = parse_time(re.sub(r"^[\s,]*(?:luc\b)?", "", rest))
            return (_WEEKDAYS[name], time) if time else None
    time = parse_time(text)
    return (None, time) if time else None


def parse_day_months(text: str) -> tuple[tuple[int, int], ...] | None:
    """ "15/05, 25/05" → ((5, 15), (5, 25)); each must be a real day (in a leap year)."""
    found = re.findall(r"(\d{1,2})\s*/\s*(\d{1,2})", text or "")
    rest = re.sub(r"(\d{1,2})\s*/\s*(\d{1,2})|[\s,;và&-]+", "", text or "")
    if not found or rest:
        return None
    days = []
    for day, month in found:
        try:
            dt.date(2024, int(month), int(day))
        except ValueError:
            return None
        days.append((int(month), int(day)))
    return tuple(days)
