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
import re
import unicodedata
from dataclasses import dataclass, field

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
    r"thuong xuyen|hang nam|hang thang|hang tuan|hang ngay|dinh ky|lien tuc|moi nam|hang ky"
)


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

    def add(self, at: int, start: dt.date | None, end: dt.date | None) -> None:
        if end is not None:
            self.spans.append(_Span(at, start, end))

    def year_of_month(self, month: int) -> int:
        return self.first if month >= 8 else self.second

    def read(self) -> None:
        first, second = self.first, self.second
        # Semesters, optionally with their school year.
        for m in self.take(
            r"(?:hoc ky|hoc ki|hk)\s*(ii|i|2|1)\b(?:\s*(?:nam hoc|nh)?\s*(\d{4})\s*-\s*(\d{4}))?"
        ):
            y1, y2 = (int(m.group(2)), int(m.group(3))) if m.group(2) else (first, second)
            if _ROMAN[m.group(1)] == 1:
                self.add(m.start(), dt.date(y1, 9, 1), dt.date(y2, 1, 17))
            else:
                self.add(m.start(), dt.date(y2, 1, 18), dt.date(y2, 5, 31))
        # Explicit school years.
        for m in self.take(r"\b(?:nam hoc|nh)\s*(\d{4})\s*-\s*(\d{4})"):
            self.add(m.start(), dt.date(int(m.group(1)), 9, 1), dt.date(int(m.group(2)), 5, 31))
        for m in self.take(r"cuoi nam hoc"):
            self.add(m.start(), None, dt.date(second, 5, 31))
        for m in self.take(r"dau nam hoc"):
            self.add(m.start(), dt.date(first, 9, 1), dt.date(first, 9, 30))
        # Half years and quarters.
        for m in self.take(r"6 thang (dau|cuoi) nam\s*(\d{4})"):
            y = int(m.group(2))
            if m.group(1) == "dau":
                self.add(m.start(), dt.date(y, 1, 1), dt.date(y, 6, 30))
            else:
                self.add(m.start(), dt.date(y, 7, 1), dt.date(y, 12, 31))
        for m in self.take(r"quy\s*(iv|iii|ii|i|[1-4])\b\s*(?:/|-|nam)?\s*(\d{4})"):
            q, y = _ROMAN[m.group(1)], int(m.group(2))
            self.add(m.start(), dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
        self._read_before()
        self._read_dates()
        self._read_months()
        self._read_years()

    def _read_before(self) -> None:
        """ "trước D": D is a due date; "trước tháng M/Y" is due the day before that month."""
        for m in self.take(_BEFORE + _MONTH + r"\s*(\d{1,2})" + _SEP + r"(\d{4})"):
            month, year = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12:
                self.add(m.start(), None, dt.date(year, month, 1) - dt.timedelta(days=1))
        for m in self.take(
            _BEFORE + r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?(?![\d/])"
        ):
            day, month = int(m.group(1)), int(m.group(2))
            year = _year(m.group(3)) if m.group(3) else self.year_of_month(month)
            self.add(m.start(), None, _date(year, month, day) if 1 <= month <= 12 else None)

    def _read_dates(self) -> None:
        points: list[tuple[int, dt.date]] = []
        for m in self.take(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})"):
            d = _date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            if d:
                points.append((m.start(), d))
        for m in self.take(
            r"(?<![\d/.])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\d/])"
        ):
            d = _date(_year(m.group(4)), int(m.group(3)), int(m.group(1)))
            if d:
                points.append((m.start(), d))
        if len(points) == 1:
            self.add(points[0][0], None, points[0][1])
        elif points:
            ordered = sorted(points)
            self.add(ordered[0][0], ordered[0][1], ordered[-1][1])

    def _read_months(self) -> None:
        pattern = r"(?<![\d/])" + _MONTH + r"?\s*(\d{1,2})" + _SEP + r"(\d{4})(?!\d)"
        for m in re.finditer(pattern, self.text):
            month, year = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12:
                self.add(m.start(), dt.date(year, month, 1), _month_end(year, month))
        self.take(pattern)
        for m in self.take(r"(?<![\w/])thang\s*(\d{1,2})\b(?!\s*[/.-]?\s*\d)"):
            month = int(m.group(1))
            if 1 <= month <= 12:
                year = self.year_of_month(month)
                self.add(m.start(), dt.date(year, month, 1), _month_end(year, month))

    def _read_years(self) -> None:
        for m in self.take(r"(?<!\d)(\d{4})\s*(?:-|den|toi)\s*(?:nam\s*)?(\d{4})(?!\d)"):
            y1, y2 = int(m.group(1)), int(m.group(2))
            if 1900 < y1 < 2200 and 1900 < y2 < 2200:
                self.add(m.start(), dt.date(y1, 1, 1), dt.date(y2, 12, 31))
        for m in self.take(r"(?<![\d/])(\d{4})(?![\d/])"):
            y = int(m.group(1))
            if 1900 < y < 2200:
                self.add(m.start(), dt.date(y, 1, 1), dt.date(y, 12, 31))


def parse_timeline(text: str, school_year: str) -> Timeline:
    """Read start and due dates from a timeline cell, relative to the plan's school year."""
    try:
        first, second = school_year_bounds(school_year)
    except ValueError:
        first, second = 2000, 2001
    folded = fold(text or "")
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
    # "Tháng 9/2026 – 5/2026": a two-part range read backwards (kept as read, flagged).
    if len(spans) == 2 and spans[1].end < (spans[0].start or spans[0].end):
        warnings.append("reversed_range")
        start, due = spans[0].start or spans[0].end, spans[-1].end
    years = [d.year for d in (start, due) if d]
    if any(y < first - 1 or y > second + 5 for y in years):
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
    "tr": 10**6,
    "nghin": 10**3,
    "ngan": 10**3,
    "k": 10**3,
    "dong": 1,
    "d": 1,
    "vnd": 1,
}
_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?!\d)(?:,\d+)?|\d{1,3}(?: \d{3})+(?!\d)|\d+(?:[.,]\d+)?"
_UNIT = r"(ty|ti|trieu|tr(?:\.?d)?|nghin|ngan|k|dong|vnd|d)(?![a-z])"
_AMOUNT = re.compile(rf"(?<![\d.,])({_NUMBER})\s*(?:{_UNIT})?")
_RANGE = re.compile(rf"(?<![\d.,])({_NUMBER})\s*(?:-|den|toi)\s*({_NUMBER})\s*{_UNIT}")
_NOTHING = re.compile(r"^(?:khong(?: co)?|0(?: ?(?:dong|d|vnd))?)[.!]?$")


def _number(raw: str) -> tuple[float, bool]:
    """The value of a written number and whether it had thousands grouping."""
    if re.fullmatch(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*", raw) or re.fullmatch(
        r"\d{1,3}(?: \d{3})+", raw
    ):
        return float(re.sub(r"[., ]", "", raw)), True
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", raw):  # 1.234,5
        return float(raw.replace(".", "").replace(",", ".")), True
    return float(raw.replace(",", ".")), False


def _unit(raw: str | None) -> int | None:
    if raw is None:
        return None
    if raw.startswith("tr"):
        return 10**6
    return _UNITS[raw]


def _digit_amounts(folded: str) -> tuple[list[int], list[str]]:
    warnings: list[str] = []
    amounts: list[int] = []
    text = folded
    for m in _RANGE.finditer(text):
        unit = _unit(m.group(3)) or 1
        amounts.append(round(max(_number(m.group(1))[0], _number(m.group(2))[0]) * unit))
        warnings.append("range_upper_bound")
        text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    for m in _AMOUNT.finditer(text):
        value, grouped = _number(m.group(1))
        unit = _unit(m.group(2))
        if unit is None:
            is_year = 1900 <= value <= 2200 and not grouped
            if (not grouped and value < 1000) or is_year:
                continue
            unit = 1
        amounts.append(round(value * unit))
    return amounts, warnings


_DIGITS = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
    "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}  # fmt: skip
_BIG = {"nghin": 10**3, "ngan": 10**3, "trieu": 10**6, "ty": 10**9, "ti": 10**9}
_WORDS = set(_DIGITS) | set(_BIG) | {"muoi", "tram", "linh", "le", "ruoi"}


def _word_amount(tokens: list[str]) -> int | None:
    """Vietnamese number words: "hai mươi lăm triệu", "một tỷ hai trăm triệu", "ba triệu rưỡi"."""
    if not any(t in _BIG or t == "tram" for t in tokens) or not any(
        t in _DIGITS or t == "muoi" for t in tokens
    ):
        return None
    total, section, pending, last_big = 0, 0, 0, 1
    for token in tokens:
        if token in _DIGITS:
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
        elif token == "ruoi":
            total += last_big // 2
    return total + section + pending


def _words_amounts(folded: str) -> list[int]:
    amounts: list[int] = []
    run: list[str] = []
    for token in [*re.findall(r"[a-z]+", folded), "."]:
        if token in _WORDS:
            run.append(token)
            continue
        if run:
            # "năm" / "từ" before the run are "year" / "from": trim digits that lead nowhere.
            value = _word_amount(run)
            if value:
                amounts.append(value)
            run = []
    return amounts


def parse_budget(text: str) -> Budget:
    """Read an amount in VND from a budget cell; words naming a source of funds give None."""
    folded = fold(text or "")
    if _NOTHING.match(folded):
        return Budget(0, [])
    try:
        amounts, warnings = _digit_amounts(folded)
        if not amounts:
            amounts = _words_amounts(folded)
    except (ValueError, OverflowError):
        amounts, warnings = [], []
    if not amounts:
        return Budget(None, ["no_amount"])
    if len(amounts) > 1:
        warnings.append("several_amounts")
    return Budget(sum(amounts), warnings)
