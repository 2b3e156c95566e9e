"""Reading the free text of a plan row: timelines into dates, budgets into amounts.

Hand-written rather than built on a general date library: the shapes are specific to
Vietnamese school plans ("Tháng 9/2025 – 8/2026", "Năm học 2024-2025", "HK I", "trước 30/5
hàng năm", "2,5 triệu", "năm trăm nghìn đồng") and libraries such as dateparser misread them
(month/year pairs taken as day/month, "năm" taken as a number, no school-year arithmetic).
`calendar.monthrange` gives month ends; everything else is a small set of patterns, each
covered by tests. The caller's text is never changed: matching runs on a folded private copy
(no diacritics, lower case, one space for any run of whitespace).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from bot.domain.constants import CLASSES_BEGIN

# ---------------------------------------------------------------- shared


def fold(text: str) -> str:
    """Lower case, no diacritics ("đ" → "d"), dashes unified, whitespace collapsed."""
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = re.sub(r"[–—‒−~]|->|=>", "-", stripped.lower())
    return re.sub(r"\s+", " ", stripped).strip()


def school_year_bounds(school_year: str) -> tuple[int, int]:
    """ "2025-2026" → (2025, 2026); ValueError for anything else."""
    m = re.fullmatch(r"\s*(\d{4})\s*[-–—]\s*(\d{4})\s*", school_year or "")
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        raise ValueError(f"not a school year: {school_year!r}")
    return int(m.group(1)), int(m.group(2))


# ---------------------------------------------------------------- timeline

# A timeline that ends before classes of the plan's school year begin (a 2025-2026 timeline
# in the 2026-2027 plan): kept, flagged, shown back for confirmation; once the writer confirms
# it, CONFIRMED joins the flags (until the timeline is written again).
BEFORE_SCHOOL_YEAR = "before_school_year"
CONFIRMED = "before_school_year_confirmed"


def awaits_confirmation(flags: list[str] | None) -> bool:
    """True while a row's timeline is flagged before_school_year and not yet confirmed."""
    return BEFORE_SCHOOL_YEAR in (flags or []) and CONFIRMED not in (flags or [])


def confirmed(flags: list[str] | None) -> list[str]:
    """The flags with the writer's confirmation of a before_school_year timeline added."""
    kept = list(flags or [])
    return kept if CONFIRMED in kept or BEFORE_SCHOOL_YEAR not in kept else [*kept, CONFIRMED]


@dataclass(frozen=True)
class Timeline:
    start: dt.date | None
    due: dt.date | None
    warnings: list[str] = field(default_factory=list)
    recurring: bool = False

    @property
    def understood(self) -> bool:
        return self.start is not None or self.due is not None


@dataclass(frozen=True)
class _Span:
    at: int  # position in the folded text, for the order of reading
    stop: int  # end of the match in the folded text
    start: dt.date | None
    end: dt.date


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year(raw: str) -> int:
    value = int(raw)
    return value + 2000 if value < 100 else value


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_MONTH = r"(?:thang|thag|thnag|than|th|t)"
_SEP = r"\s*(?:/|-|\.|nam)\s*"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_BEFORE = r"(?:hoan thanh truoc|truoc|cham nhat|han chot|han cuoi)\s*(?:ngay\s*)?"
_RECURRING = re.compile(
    r"thuong xuyen|dinh k[yi]|lien tuc|(?:hang|moi) (?:nam|thang|tuan|ngay|quy|k[yi]|hoc k[yi])"
)
_CONNECTOR = re.compile(r"\s*(?:-|den|toi|cho den)\s*")


class _Reader:
    """Collects date spans from a folded text, masking what each pattern consumed."""

    def __init__(self, text: str, first: int, second: int) -> None:
        self.text = text
        self.first, self.second = first, second
        self.spans: list[_Span] = []

    def take(self, pattern: str) -> list[re.Match[str]]:
        found = list(re.finditer(pattern, self.text))
        for m in found:
            self.text = self.text[: m.start()] + " " * (m.end() - m.start()) + self.text[m.end() :]
        return found

    def add(self, m: re.Match[str], start: dt.date | None, end: dt.date | None) -> None:
        if end is not None:
            self.spans.append(_Span(m.start(), m.end(), start, end))

    def year_of_month(self, month: int) -> int:
        return self.first if month >= 8 else self.second

    def read(self) -> None:
        first, second = self.first, self.second
        # Semesters, optionally with their school year.
        for m in self.take(
            r"(?<![a-z])(?:hoc ky|hoc ki|hk)\s*(ii|i|2|1)\b"
            r"(?:\s*(?:nam hoc|nh)?\s*(\d{4})\s*(?:-|den)\s*(\d{4}))?"
        ):
            y1, y2 = (int(m.group(2)), int(m.group(3))) if m.group(2) else (first, second)
            if _ROMAN[m.group(1)] == 1:
                self.add(m, dt.date(y1, 9, 1), dt.date(y2, 1, 17))
            else:
                self.add(m, dt.date(y2, 1, 18), dt.date(y2, 5, 31))
        # Start and end of a school year, then explicit school years.
        school = r"(?:\s*(\d{4})\s*(?:-|den)\s*(\d{4}))?"
        for m in self.take(r"cuoi nam hoc" + school):
            self.add(m, None, dt.date(int(m.group(2) or second), 5, 31))
        for m in self.take(r"dau nam hoc" + school):
            y = int(m.group(1) or first)
            self.add(m, dt.date(y, 9, 1), dt.date(y, 9, 30))
        for m in self.take(r"\b(?:nam hoc|nh)\s*(\d{4})\s*(?:-|den)\s*(\d{4})"):
            self.add(m, dt.date(int(m.group(1)), 9, 1), dt.date(int(m.group(2)), 5, 31))
        # Half years and quarters.
        for m in self.take(r"6 thang (dau|cuoi) nam(?! hoc)\s*(\d{4})?"):
            y = int(m.group(2) or second)
            if m.group(1) == "dau":
                self.add(m, dt.date(y, 1, 1), dt.date(y, 6, 30))
            else:
                self.add(m, dt.date(y, 7, 1), dt.date(y, 12, 31))
        for m in self.take(r"\bquy\s*(iv|iii|ii|i|[1-4])\b(?:\s*(?:/|-|nam)?\s*(\d{4}))?"):
            q = _ROMAN[m.group(1)]
            y = int(m.group(2)) if m.group(2) else self.year_of_month(3 * q)
            self.add(m, dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
        self._read_before()
        self._read_dates()
        self._read_months()
        self._read_years()

    def _read_before(self) -> None:
        """ "trước D": D is a due date; "trước tháng M/Y" is due the day before that month."""
        for m in self.take(_BEFORE + _MONTH + r"\s*(\d{1,2})" + _SEP + r"(\d{4})"):
            month, year = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12:
                self.add(m, None, dt.date(year, month, 1) - dt.timedelta(days=1))
        for m in self.take(_BEFORE + _MONTH + r"\s*(\d{1,2})\b(?!\s*[/.-]?\s*\d)"):
            month = int(m.group(1))
            if 1 <= month <= 12:
                year = self.year_of_month(month)
                self.add(m, None, dt.date(year, month, 1) - dt.timedelta(days=1))
        for m in self.take(
            _BEFORE + r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?(?![\d/])"
        ):
            day, month = int(m.group(1)), int(m.group(2))
            year = _year(m.group(3)) if m.group(3) else self.year_of_month(month)
            self.add(m, None, _date(year, month, day) if 1 <= month <= 12 else None)

    def _read_dates(self) -> None:
        points: list[tuple[re.Match[str], dt.date]] = []
        for m in self.take(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})"):
            d = _date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            if d:
                points.append((m, d))
        for m in self.take(
            r"(?<![\d/.])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\d/])"
        ):
            d = _date(_year(m.group(4)), int(m.group(3)), int(m.group(1)))
            if d:
                points.append((m, d))
        points.sort(key=lambda p: p[0].start())
        if len(points) == 1:
            self.add(points[0][0], None, points[0][1])
        elif len(points) == 2:  # "Từ D1 đến D2", kept in the order written
            self.add(points[0][0], points[0][1], points[1][1])
        elif points:
            dates = [d for _, d in points]
            self.add(points[0][0], min(dates), max(dates))

    def _read_months(self) -> None:
        pattern = r"(?<![\d/])" + _MONTH + r"?\s*(\d{1,2})" + _SEP + r"(\d{4})(?![\d/])"
        for m in re.finditer(pattern, self.text):
            month, year = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12:
                self.add(m, dt.date(year, month, 1), _month_end(year, month))
        self.take(pattern)
        no_year = r"(?!\s*[/.-]?\s*\d)"
        for m in self.take(
            r"(?<![\w/])thang\s*(\d{1,2})\s*(?:-|den|toi)\s*(?:thang\s*)?(\d{1,2})\b" + no_year
        ):  # "tháng 9 - 5": both months in the plan's school year
            m1, m2 = int(m.group(1)), int(m.group(2))
            if 1 <= m1 <= 12 and 1 <= m2 <= 12:
                y1, y2 = self.year_of_month(m1), self.year_of_month(m2)
                self.add(m, dt.date(y1, m1, 1), _month_end(y2, m2))
        for m in self.take(r"(?<![\w/])(?:thang|thag)\s*(\d{1,2})\b" + no_year):
            month = int(m.group(1))
            if 1 <= month <= 12:
                year = self.year_of_month(month)
                self.add(m, dt.date(year, month, 1), _month_end(year, month))

    def _read_years(self) -> None:
        for m in self.take(r"(?<!\d)(\d{4})\s*(?:-|den|toi)\s*(?:nam\s*)?(\d{4})(?!\d)"):
            y1, y2 = int(m.group(1)), int(m.group(2))
            if 1900 < y1 < 2200 and 1900 < y2 < 2200:
                self.add(m, dt.date(y1, 1, 1), dt.date(y2, 12, 31))
        for m in self.take(r"(?<![\d/])(\d{4})(?![\d/])"):
            y = int(m.group(1))
            if 1900 < y < 2200:
                self.add(m, dt.date(y, 1, 1), dt.date(y, 12, 31))


def _reversed(spans: list[_Span], folded: str) -> tuple[dt.date, dt.date] | None:
    """The (start, due) of a range written backwards, if any: "Tháng 9/2026 – 5/2026"."""
    for span in spans:
        if span.start is not None and span.start > span.end:
            return span.start, span.end
    for a, b in itertools.pairwise(spans):
        begin = a.start or a.end
        if b.end < begin and _CONNECTOR.fullmatch(folded[a.stop : b.at]):
            return begin, b.end
    return None


def parse_timeline(text: str, school_year: str) -> Timeline:
    """Read start and due dates from a timeline cell, relative to the plan's school year.

    Never raises: an unknown school year only disables the "far_from_plan_years" check and
    places yearless months in the school year of today.
    """
    known_year = True
    try:
        first, second = school_year_bounds(school_year)
    except (ValueError, TypeError):
        known_year = False
        today = dt.date.today()
        first = today.year if today.month >= 8 else today.year - 1
        second = first + 1
    folded = fold(text) if isinstance(text, str) else ""
    recurring = bool(_RECURRING.search(folded))
    reader = _Reader(folded, first, second)
    with contextlib.suppress(ValueError, OverflowError):  # nonsense numbers: keep what was read
        reader.read()
    spans = sorted(reader.spans, key=lambda s: s.at)
    if not spans:
        return Timeline(None, None, ["no_date"], recurring)
    warnings: list[str] = []
    starts = [s.start for s in spans if s.start]
    start = min(starts) if starts else None
    due = max(s.end for s in spans)
    backwards = _reversed(spans, folded)
    if backwards is not None:
        warnings.append("reversed_range")
        if len(spans) <= 2:  # the whole cell is that range: keep it as written
            start, due = backwards
    begin = dt.date(first, *CLASSES_BEGIN)
    if known_year and due < begin and backwards is None:  # a reversed range: checked as such
        warnings.append(BEFORE_SCHOOL_YEAR)
    dates = [d for s in spans for d in (s.start, s.end) if d]
    if known_year and any(d.year < first - 1 or d.year > second + 5 for d in dates):
        warnings.append("far_from_plan_years")
    return Timeline(start, due, warnings, recurring)


# ---------------------------------------------------------------- budget


@dataclass(frozen=True)
class Budget:
    amount_vnd: int | None
    warnings: list[str] = field(default_factory=list)

    @property
    def understood(self) -> bool:
        return self.amount_vnd is not None


_UNITS = {
    "ty": 10**9,
    "ti": 10**9,
    "trieu": 10**6,
    "nghin": 10**3,
    "ngan": 10**3,
    "k": 10**3,
    "dong": 1,
    "d": 1,
    "vnd": 1,
}
_MAX_VND = 10**13  # ten thousand billion: anything larger is junk, not a school budget
_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?!\d)(?:,\d+)?|\d{1,3}(?: \d{3})+(?!\d)|\d+(?:[.,]\d+)?"
_UNIT = r"(ty|ti|trieu|tr(?:\.?d)?|nghin|ngan|k|dong|vnd|d)(?![a-z])"
_AMOUNT = re.compile(rf"(?<![\d.,])({_NUMBER})\s*(?:{_UNIT})?")
# "5 - 10 triệu", "từ 5 đến 10 triệu", "5 triệu - 10 triệu": the unit applies to both ends.
_RANGE = re.compile(
    rf"(?<![\d.,])({_NUMBER})\s*(?:{_UNIT})?\s*(?:-|den|toi)\s*({_NUMBER})\s*{_UNIT}"
)
_NOTHING = re.compile(
    r"^(?:khong(?: co| can| ton| phat sinh)?(?: kinh phi| chi phi)?|0(?: ?(?:dong|d|vnd))?)[.!]?$"
)


def _number(raw: str) -> tuple[Decimal, bool]:
    """The value of a written number and whether it had thousands grouping.

    A separator followed by exactly three digits groups thousands ("1.500", "5,000,000",
    "5 000 000"); otherwise "," or "." is the decimal mark ("2,5", "1.5").
    """
    if re.fullmatch(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*", raw) or re.fullmatch(
        r"\d{1,3}(?: \d{3})+", raw
    ):
        return Decimal(re.sub(r"[., ]", "", raw)), True
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", raw):  # 1.234,5
        return Decimal(raw.replace(".", "").replace(",", ".")), True
    return Decimal(raw.replace(",", ".")), False


def _unit(raw: str | None) -> int | None:
    if raw is None:
        return None
    if raw.startswith("tr"):
        return 10**6
    return _UNITS[raw]


def _blank(text: str, m: re.Match[str]) -> str:
    return text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]


def _digit_amounts(folded: str) -> tuple[list[int], list[str]]:
    warnings: list[str] = []
    amounts: list[int] = []
    text = folded
    for m in _RANGE.finditer(folded):
        unit = _unit(m.group(4)) or 1
        low = _number(m.group(1))[0] * (_unit(m.group(2)) or unit)
        high = _number(m.group(3))[0] * unit
        amounts.append(int(max(low, high)))
        warnings.append("range_upper_bound")
        text = _blank(text, m)
    for m in _AMOUNT.finditer(text):
        value, grouped = _number(m.group(1))
        multiplier = _unit(m.group(2))
        if multiplier is None:
            is_year = 1900 <= value <= 2200 and not grouped
            if (not grouped and value < 1000) or is_year:
                continue
            multiplier = 1
        amounts.append(int(value * multiplier))
    return [a for a in amounts if a <= _MAX_VND], warnings


_DIGITS = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
    "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}  # fmt: skip
_BIG = {"nghin": 10**3, "ngan": 10**3, "trieu": 10**6, "ty": 10**9, "ti": 10**9}
_WORDS = set(_DIGITS) | set(_BIG) | {"muoi", "tram", "linh", "le", "ruoi"}


def _word_amount(tokens: list[str]) -> int | None:
    """Vietnamese number words: "hai mươi lăm triệu", "một tỷ hai trăm triệu", "ba triệu rưỡi".

    Folding merges "mười"/"mươi" (both "muoi": the same arithmetic here) and "tư"/"từ"
    ("tu"): "tu" counts as 4 only after "muoi" ("hai mươi tư"), otherwise it is "from".
    """
    if not any(t in _BIG or t == "tram" for t in tokens) or not any(
        t in _DIGITS or t == "muoi" for t in tokens
    ):
        return None
    total, section, pending, last = 0, 0, 0, ""
    last_big = 1
    for token in tokens:
        if token == "tu" and last != "muoi":
            pass
        elif token in _DIGITS:
            pending = _DIGITS[token]
        elif token == "muoi":
            section += pending * 10 if pending else 10
            pending = 0
        elif token == "tram":
            section += (pending or 1) * 100
            pending = 0
        elif token in _BIG:
            total += (section + pending) * _BIG[token]
            section, pending, last_big = 0, 0, _BIG[token]
        elif token == "ruoi":  # "ba triệu rưỡi" = 3.5 triệu, "một trăm rưỡi" = 150
            if last == "tram":
                section += 50
            else:
                total += last_big // 2
        last = token
    return total + section + pending


def _words_amounts(folded: str) -> list[int]:
    """Runs of number words; any other word or punctuation ends a run."""
    amounts: list[int] = []
    run: list[str] = []
    for token in [*re.findall(r"[a-z]+|[^a-z\s]", folded), "."]:
        if token in _WORDS:
            run.append(token)
            continue
        if run:
            value = _word_amount(run)
            if value and value <= _MAX_VND:
                amounts.append(value)
            run = []
    return amounts


def parse_budget(text: str) -> Budget:
    """Read an amount in VND from a budget cell; words naming a source of funds give None."""
    folded = fold(text) if isinstance(text, str) else ""
    if _NOTHING.match(folded):
        return Budget(0, [])
    try:
        amounts, warnings = _digit_amounts(folded)
        if not amounts:
            amounts = _words_amounts(folded)
    except (ValueError, ArithmeticError):
        amounts, warnings = [], []
    if not amounts:
        return Budget(None, ["no_amount"])
    if len(amounts) > 1:
        warnings.append("several_amounts")
    return Budget(sum(amounts), warnings)
