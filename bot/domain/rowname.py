"""How a message names a plan row: its criterion code and a short title, never its position
alone (positions change when a row is inserted): "1.4 — Xây dựng kế hoạch…"."""

from __future__ import annotations

from db.models import PlanRow

SEPARATOR = " — "
ELLIPSIS = "…"


def short_title(text: str | None, limit: int = 48) -> str:
    """The first words of `text` (whitespace collapsed), cut at a word boundary with "…"."""
    words = " ".join((text or "").split())
    if len(words) <= limit:
        return words
    room = max(limit - len(ELLIPSIS), 1)
    cut = words[: room + 1]
    at = cut.rfind(" ")
    head = cut[:at] if at > room // 2 else words[:room]  # one long word: cut inside it
    return head.rstrip(" ,;:.-–—") + ELLIPSIS


def name(code: str | None, text: str | None, limit: int = 60) -> str:
    """ "1.4 — Xây dựng kế hoạch…" from a criterion code and the row's words, within `limit`."""
    head = code or "?"
    room = limit - len(head) - len(SEPARATOR)
    title = short_title(text, room) if room > len(ELLIPSIS) else ""
    return f"{head}{SEPARATOR}{title}" if title else head


def row_name(row: PlanRow, limit: int = 60) -> str:
    """The name of a row in messages and buttons: code, then the start of the expected result
    (or, when there is none yet, of the criterion as the school worded it). A TT57 row (it has
    an improvement content, Biểu 2 column (2)) is named by its content, and by its standard
    ("TC4") when it names no criterion, or by its content alone when it names neither."""
    if row.content:
        code = row.criterion_code or (f"TC{row.standard}" if row.standard else None)
        return name(code, row.content, limit) if code else short_title(row.content, limit)
    return name(row.criterion_code, row.expected_result or row.criterion_text, limit)
