"""A school's document settings: what its signed documents carry above and below the text.

Vietnamese administrative documents (Nghị định 30/2020/NĐ-CP) open with the supervising
authority over the school's name (since 07/2025 no district Phòng GD&ĐT: "UBND PHƯỜNG THỦ ĐỨC",
"SỞ GD&ĐT …"), the document symbol ("Số: 25/KH-THCSLQĐ"), the place and date line ("Thủ Đức,
ngày 05 tháng 9 năm 2025"), and close with the principal's full name as signed. All are free
text the principal sets; one not set yet is left as the dotted blank a principal fills by hand,
never invented. Stored as JSON under `School.settings["documents"]`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from db.models import School

KEY = "documents"
MAX_LENGTH = 200
BLANK = "…"
_SPACES = re.compile(r"\s+")
_NUMBER_PREFIX = re.compile(r"^\s*s[ốo]\s*:?\s*", re.IGNORECASE)
_KIND = re.compile(r"^(?:(?P<number>[^/]*)/)?(?P<kind>[A-ZĐ]{2,4})(?P<rest>-.*)?$")


@dataclass(frozen=True)
class DocumentSettings:
    authority: str | None = None  # "UBND PHƯỜNG THỦ ĐỨC"
    place: str | None = None  # "Thủ Đức"
    symbol: str | None = None  # "KH-THCSLQĐ" or "25/KH-THCSLQĐ"
    principal_name: str | None = None  # "Nguyễn Thị Thu Hà"

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DocumentSettings:
        data = data or {}
        return cls(**{k: str(data[k]) for k in FIELDS if data.get(k)})


FIELDS = tuple(f.name for f in fields(DocumentSettings))


class BadSetting(ValueError):
    """A document setting that cannot be stored (too long, or a control character)."""


def clean(text: str | None) -> str | None:
    """A setting as stored: one line, inner spaces collapsed; empty → not set (None).

    The symbol loses a leading "Số:" the principal may have typed with it."""
    if text is None:
        return None
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise BadSetting("a control character")
    value = _SPACES.sub(" ", text).strip()
    if len(value) > MAX_LENGTH:
        raise BadSetting(f"longer than {MAX_LENGTH} characters")
    return value or None


def clean_symbol(text: str | None) -> str | None:
    value = clean(text)
    return clean(_NUMBER_PREFIX.sub("", value)) if value else None


def load(school: School) -> DocumentSettings:
    return DocumentSettings.from_json((school.settings or {}).get(KEY))


def update(school: School, **changes: str | None) -> DocumentSettings:
    """Store the changes (each cleaned; an empty one clears the setting); the others are kept."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise KeyError(", ".join(sorted(unknown)))
    cleaned = {k: clean_symbol(v) if k == "symbol" else clean(v) for k, v in changes.items()}
    settings = replace(load(school), **cleaned)
    school.settings = {**(school.settings or {}), KEY: settings.as_json()}  # a new dict: saved
    return settings


def symbol_line(settings: DocumentSettings, kind: str = "KH") -> str:
    """ "Số: 25/KH-THCSLQĐ"; a symbol without its number keeps the number blank
    ("Số: …/KH-THCSLQĐ"); none set: "Số: …/KH-…". `kind` is the document's type (KH for a plan,
    BC for a report): the school's symbol is written for its plan, a report gets the same
    school part after its own type."""
    symbol = settings.symbol
    if not symbol:
        return f"Số: {BLANK}/{kind}-{BLANK}"
    match = _KIND.match(symbol)
    if match is None:  # the school's own form: kept as written
        return f"Số: {symbol}"
    number = (match.group("number") or "").strip()
    if match.group("kind") != kind:
        number = ""  # another document's number is not this one's
    rest = match.group("rest") or f"-{BLANK}"
    return f"Số: {number or BLANK}/{kind}{rest}"


def date_words(day: dt.date) -> str:
    """ "ngày 05 tháng 9 năm 2025": a day below 10 and the months 1 and 2 with a leading zero
    (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def date_line(settings: DocumentSettings, day: dt.date | None) -> str:
    """ "Thủ Đức, ngày 05 tháng 9 năm 2025"; with no place set, the line a principal fills by
    hand: "……, ngày … tháng … năm …"."""
    if not settings.place or day is None:
        return f"{BLANK * 2}, ngày {BLANK} tháng {BLANK} năm {BLANK}"
    return f"{settings.place}, {date_words(day)}"
