"""What reading a plan file gives: its rows, and for a Biểu 2 (TT57-2026) file also the priority
issues (section IV), the monitoring rows (section VI) and the prose sections, all verbatim.

Shared by the readers of both templates (`plan_import` for the 2018 layout, `bieu2_import`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.constants import BLOCK_LEVELS_123
from bot.domain.templates import T2018


class NotAPlan(ValueError):
    """The file is not a plan we can read (the message says why, in English, for logs/CLI)."""


@dataclass
class ImportedRow:
    block: str = BLOCK_LEVELS_123
    standard: int | None = None
    criterion_code: str | None = None
    criterion_text: str = ""
    expected_result: str | None = None
    tasks: str | None = None
    lead_text: str | None = None
    timeline_text: str | None = None
    budget_text: str | None = None
    support: str | None = None
    notes: str | None = None
    target_text: str | None = None  # a "Mức tiêu chí cần đạt" column beside the expected result
    # Biểu 2 columns (2), (5), (9), (10); None in a 2018 file.
    content: str | None = None
    indicators: str | None = None
    expected_evidence: str | None = None
    implementation_text: str | None = None
    issue: int | None = None  # the section IV issue it answers, by position (caitien's XLSX)


@dataclass
class ImportedIssue:
    """A row of section IV as written; the codes are read from the texts when stored."""

    standard_text: str | None = None
    criterion_text: str | None = None
    current_state: str | None = None
    limitations: str | None = None
    causes: str | None = None


@dataclass
class ImportedReview:
    """A row of section VI: its checkpoint ("mid_year", "end_year") and the texts as written."""

    checkpoint: str
    content: str | None = None
    result: str | None = None
    adjustment: str | None = None
    evaluator: str | None = None


@dataclass
class ImportResult:
    rows: list[ImportedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    school_year: str | None = None  # "năm học 2025-2026" in the document's title, if any
    template: str = T2018  # the layout the file is in ("2018" or "TT57-2026")
    issues: list[ImportedIssue] = field(default_factory=list)
    reviews: list[ImportedReview] = field(default_factory=list)
    # section key ("general", "bases", "purpose", "organisation", "mechanism", "receivers")
    # → its paragraphs as written
    sections: dict[str, list[str]] = field(default_factory=dict)
