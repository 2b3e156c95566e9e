"""A school's schedule settings (stored as JSON on the school) and how people write them.

Defaults are those of docs/design.md §2: sends at 08:00, quiet hours 20:00–07:00, the digest on
Monday 07:30, no holidays until the principal adds them (Tết changes every year).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from bot.domain.notification_rules import Rules
from bot.domain.parsing import fold
from db.models import School

_TIME = re.compile(r"^\s*(\d{1,2})\s*(?:[:hg.]\s*(\d{2})?)?\s*(?:phút)?\s*$", re.IGNORECASE)
_DATE = r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"
_RANGE = re.compile(rf"^\s*{_DATE}\s*(?:(?:-|–|đến|to)\s*{_DATE})?\s*(.*)$", re.IGNORECASE)


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
    """Store the schedule; other keys of `School.settings` (the document settings) are kept."""
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


def parse_holiday(text: str) -> Holiday | None:
    """ "14/02/2026 - 22/02/2026 Nghỉ Tết" or "02/09/2026 Quốc khánh" → a holiday."""
    m = _RANGE.match(text or "")
    if not m:
        return None
    try:
        start = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        end = dt.date(int(m.group(6)), int(m.group(5)), int(m.group(4))) if m.group(4) else start
    except ValueError:
        return None
    if end < start or (end - start).days > 60:
        return None
    return Holiday(start, end, m.group(7).strip(" -–:,"))


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
