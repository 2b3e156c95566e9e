"""Reading a plan a school already has: the nine-column table in a DOCX or XLSX, or the prose
layout ("Tiêu chí n.m: …" headings, bullet tasks, "* Thời gian thực hiện: …" lines).

Cell text is kept verbatim (only surrounding whitespace trimmed). Headers are matched on a folded
copy (no diacritics), so wording variants and typos still map; a column that maps to nothing
goes into the notes with its header, never dropped. Rows keep the file's order.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.table import _Row
from openpyxl import load_workbook

from bot.documents import bieu2_import
from bot.documents.imported import ImportedRow, ImportResult, NotAPlan
from bot.domain.catalog import Regulation
from bot.domain.constants import BLOCK_LEVEL_4, BLOCK_LEVELS_123
from bot.domain.parsing import BEFORE_SCHOOL_YEAR, fold, parse_timeline
from bot.domain.rowform import FIELDS

__all__ = [
    "ImportResult",
    "ImportedRow",
    "NotAPlan",
    "before_school_year",
    "file_problem",
    "read_plan",
]

MAX_FILE_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram


TEXT_FIELDS = tuple(spec.name for spec in FIELDS)


# ---------------------------------------------------------------- header mapping

# Field → folded header fragments, most specific first. Checked in this order.
_HEADER_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("position", ("stt", "tt", "so tt")),
    ("expected_result", ("ket qua can dat", "ket qua mong doi", "muc tieu")),
    ("target_text", ("muc tieu chi can dat", "muc can dat", "muc dat")),
    ("criterion", ("tieu chuan", "tieu chi", "noi dung")),
    ("tasks", ("cong viec", "giai phap", "hoat dong", "bien phap", "nhiem vu")),
    ("lead_text", ("chu tri", "phoi hop", "phu trach", "nguoi thuc hien", "don vi")),
    ("timeline_text", ("thoi gian", "thoi han")),
    ("budget_text", ("kinh phi", "nguon luc", "du kien kinh")),
    ("support", ("dieu kien ho tro", "ho tro")),
    ("notes", ("ghi chu",)),
)


# The columns caitien's own XLSX adds after the nine (what it understood): not plan text.
_OWN_EXTRA = {
    "bat dau (da hieu)",
    "han (da hieu)",
    "so tien (dong)",
    "nguoi phu trach",
    "trang thai",
}


def _field_for(header: str) -> str | None:
    folded = fold(header)
    if not folded:
        return None
    if folded in _OWN_EXTRA:
        return "ignored"
    for name, fragments in _HEADER_RULES:
        for fragment in fragments:
            if name == "position":
                if folded in fragments:
                    return name
            elif fragment in folded:
                return name
    return None


@dataclass
class _Columns:
    fields: list[str | None]  # per column: field name, or None (unmapped → notes)
    headers: list[str]

    @classmethod
    def detect(cls, cells: list[str]) -> _Columns | None:
        if any(len(c) > 80 or _classify(c) for c in cells):  # data, not a header
            return None
        fields = [_field_for(c) for c in cells]
        known = {f for f in fields if f}
        if (
            "criterion" in known
            and len(
                known & {"expected_result", "target_text", "tasks", "lead_text", "timeline_text"}
            )
            >= 2
        ):
            if "expected_result" not in known and "target_text" in known:
                fields = ["expected_result" if f == "target_text" else f for f in fields]
            return cls(fields, [c.strip() for c in cells])
        return None


# ---------------------------------------------------------------- row grammar

_BLOCK4 = re.compile(r"^muc\s*(?:do\s*)?4\b")
_BLOCK123 = re.compile(r"^muc\s*(?:do\s*)?1\s*[,;-]?\s*2")
_STANDARD = re.compile(r"^tieu chuan\s*(\d+)\s*(?:[:.\-]|$|\s)(?!\s*\d)")
_CRITERION = re.compile(r"^tieu chi\s*(\d+)(?:\s*[.,]\s*(\d+))?")
_STANDARD_AS_CRITERION = re.compile(r"^tieu chuan\s*(\d+)\s*[.,]\s*(\d+)")  # "Tiêu chuẩn 5.1:"


def _classify(text: str) -> tuple[str, tuple[int, ...]] | None:
    folded = fold(text)
    if _BLOCK4.match(folded):
        return ("block4", ())
    if _BLOCK123.match(folded):
        return ("block123", ())
    if m := _STANDARD_AS_CRITERION.match(folded):
        return ("criterion", (int(m.group(1)), int(m.group(2))))
    if m := _CRITERION.match(folded):
        numbers = (int(m.group(1)),) + ((int(m.group(2)),) if m.group(2) else ())
        return ("criterion", numbers)
    if m := _STANDARD.match(folded):
        return ("standard", (int(m.group(1)),))
    return None


class _Builder:
    """Turns a stream of table rows (lists of cell texts) into plan rows."""

    def __init__(self, result: ImportResult) -> None:
        self.result = result
        self.columns: _Columns | None = None
        self.block = BLOCK_LEVELS_123
        self.standard: int | None = None
        self.current: ImportedRow | None = None

    def criterion(self, text: str, numbers: tuple[int, ...]) -> ImportedRow:
        row = ImportedRow(block=self.block, standard=self.standard, criterion_text=text)
        if not numbers:
            pass  # a row the school words its own way: no code
        elif self.block == BLOCK_LEVEL_4:
            row.criterion_code = f"M4.{numbers[-1]}"
            row.standard = None
        elif len(numbers) == 2:
            row.criterion_code = f"{numbers[0]}.{numbers[1]}"
            row.standard = numbers[0]
            self.standard = numbers[0]
        elif self.standard is not None:
            row.criterion_code = f"{self.standard}.{numbers[0]}"
        self.result.rows.append(row)
        self.current = row
        return row

    def new_table(self, width: int) -> None:
        """A table continues the previous one (a page break) only if it has as many columns."""
        if self.columns is not None and width != len(self.columns.fields):
            self.columns = None

    def table_row(self, cells: list[str]) -> None:
        columns = _Columns.detect(cells)
        if columns is not None:
            if self.columns is None or columns.fields != self.columns.fields:
                self.columns = columns
            return
        if self.columns is None or not any(cells):
            return
        if len(cells) != len(self.columns.fields):
            self.result.warnings.append(
                f"a row with {len(cells)} cells where the header has "
                f"{len(self.columns.fields)}: read by position"
            )
        values = dict(zip(self.columns.fields, cells, strict=False))
        unmapped = [
            (self.columns.headers[i], cells[i])
            for i, name in enumerate(self.columns.fields)
            if name is None and i < len(cells) and cells[i] and self.columns.headers[i]
        ]
        distinct = [c for c in dict.fromkeys(cells) if c]
        criterion_cell = values.get("criterion") or ""
        # Group rows: one text across the row (merged cells), e.g. "MỨC 4", "Tiêu chuẩn 2: …".
        for text in ([distinct[0]] if len(distinct) == 1 else []) + [criterion_cell]:
            kind = _classify(text)
            if kind and kind[0] in ("block4", "block123", "standard") and (len(distinct) <= 2):
                self._group(kind)
                return
        kind = _classify(criterion_cell)
        if kind and kind[0] == "criterion":
            row = self.criterion(criterion_cell, kind[1])
        elif self.current is not None and not (values.get("position") or "").strip():
            row = self.current  # a continuation row: the previous row goes on (page break)
            if criterion_cell:
                row.criterion_text = f"{row.criterion_text}\n{criterion_cell}"
        elif criterion_cell:
            row = self.criterion(criterion_cell, ())
            row.criterion_code = None
            self.result.warnings.append(f"criterion not recognised: {criterion_cell[:60]!r}")
        else:
            return
        for name in (*TEXT_FIELDS, "target_text"):
            value = values.get(name)
            if value:
                old = getattr(row, name)
                setattr(row, name, f"{old}\n{value}" if old else value)
        for header, value in unmapped:
            extra = f"{header}: {value}"
            row.notes = f"{row.notes}\n{extra}" if row.notes else extra
        if row.target_text and self.columns and "expected_result" in self.columns.fields:
            target = f"{self._target_header()}: {row.target_text}"
            row.notes = f"{row.notes}\n{target}" if row.notes else target
            row.target_text = None

    def _target_header(self) -> str:
        assert self.columns is not None
        return self.columns.headers[self.columns.fields.index("target_text")]

    def _group(self, kind: tuple[str, tuple[int, ...]]) -> None:
        if kind[0] == "block4":
            self.block, self.standard = BLOCK_LEVEL_4, None
        elif kind[0] == "block123":
            self.block = BLOCK_LEVELS_123
        else:
            self.standard = kind[1][0]
        self.current = None


# ---------------------------------------------------------------- DOCX


def _docx_cells(row: _Row) -> list[str]:
    """The row's cells, a horizontally merged cell once (python-docx repeats it)."""
    cells: list[str] = []
    seen: set[int] = set()
    for cell in row.cells:
        key = id(cell._tc)
        text = cell.text.strip() if key not in seen else ""
        seen.add(key)
        cells.append(text)
    return cells


def _read_docx(data: bytes, regulation: Regulation | None) -> ImportResult:
    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise NotAPlan("not a Word document (.docx)") from exc
    if bieu2_import.is_bieu2_docx(document):
        return bieu2_import.read_docx(document, regulation)
    result = ImportResult()
    builder = _Builder(result)
    for table in document.tables:
        builder.new_table(len(table.columns))
        for row in table.rows:
            builder.table_row(_docx_cells(row))
    if not result.rows:
        _read_prose([p.text for p in document.paragraphs], result)
    for paragraph in document.paragraphs[:40]:
        m = re.search(r"nam hoc\s*(\d{4})\s*-\s*(\d{4})", fold(paragraph.text))
        if m and int(m.group(2)) == int(m.group(1)) + 1:
            result.school_year = f"{m.group(1)}-{m.group(2)}"
            break
    return result


# ---------------------------------------------------------------- XLSX


def _read_xlsx(data: bytes, regulation: Regulation | None) -> ImportResult:
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise NotAPlan("not an Excel workbook (.xlsx)") from exc
    if bieu2_import.is_bieu2_xlsx(workbook):
        return bieu2_import.read_xlsx(workbook, regulation)
    result = ImportResult()
    builder = _Builder(result)
    for sheet in workbook.worksheets:
        builder.new_table(sheet.max_column)
        merged_away = {
            (r, c)
            for rng in sheet.merged_cells.ranges
            for r in range(rng.min_row, rng.max_row + 1)
            for c in range(rng.min_col, rng.max_col + 1)
            if (r, c) != (rng.min_row, rng.min_col)
        }
        for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [
                "" if v is None or (r, c) in merged_away else str(v).strip()
                for c, v in enumerate(row, start=1)
            ]
            builder.table_row(cells)
    return result


# ---------------------------------------------------------------- prose


_TIME_LINE = re.compile(r"^\*?\s*(?:thoi gian(?: thuc hien)?|du kien)\b")
_SECTION_END = re.compile(r"^(?:[ivx]+\.|to chuc thuc hien)")


def _read_prose(paragraphs: list[str], result: ImportResult) -> None:
    """ "Tiêu chí n.m: …" headings, their paragraphs as tasks, "* Thời gian …" as timeline."""
    builder = _Builder(result)
    seen: set[str] = set()
    row: ImportedRow | None = None
    started = False
    heading = ""
    for raw in paragraphs:
        text = raw.strip()
        if not text:
            continue
        folded = fold(text)
        kind = _classify(text)
        if kind and kind[0] == "standard":
            builder.standard, started, row = kind[1][0], True, None
            heading = text
            continue
        if kind and kind[0] == "criterion":
            numbers = kind[1]
            code = f"{numbers[0]}.{numbers[1]}" if len(numbers) == 2 else None
            if code in seen:  # the same plan again (a second version in the file): stop
                result.warnings.append(
                    "the file holds a second version of the plan; only the first was read"
                )
                return
            if code:
                seen.add(code)
            row, started = builder.criterion(text, numbers), True
            continue
        if not started:
            continue
        if _SECTION_END.match(folded) and not folded.startswith(("-", "*")):
            started, row = False, None
            continue
        if row is None:  # text under a standard before any criterion: kept, not dropped
            row = builder.criterion(heading, ())
            row.criterion_code = None
            result.warnings.append(
                f"text before the first criterion of {heading[:40]!r} kept "
                "as a row without a criterion"
            )
        if _TIME_LINE.match(folded):
            row.timeline_text = f"{row.timeline_text}\n{text}" if row.timeline_text else text
        else:
            row.tasks = f"{row.tasks}\n{text}" if row.tasks else text


# ---------------------------------------------------------------- entry point

PLAN_SUFFIXES = (".docx", ".xlsx")
_IMAGES = (".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp", ".gif", ".bmp", ".tif", ".tiff")


def before_school_year(rows: list[ImportedRow], school_year: str) -> list[ImportedRow]:
    """The rows whose timeline ends before `school_year` begins (listed in the preview; each
    stays flagged until confirmed on its card)."""
    return [
        row
        for row in rows
        if BEFORE_SCHOOL_YEAR in parse_timeline(row.timeline_text or "", school_year).warnings
    ]


def file_problem(filename: str, mime: str | None = None) -> str | None:
    """Why a file cannot be read as a plan, before reading it: "doc" and "xls" (the old
    formats: save as .docx/.xlsx), "pdf", "image" (a photo or a scan), "other"; None when it
    is a .docx or .xlsx."""
    suffix = Path(filename or "").suffix.lower()
    if suffix in PLAN_SUFFIXES:
        return None
    if suffix in (".doc", ".docm", ".dot", ".rtf", ".odt"):
        return "doc"
    if suffix in (".xls", ".xlsm", ".xlsb", ".ods"):
        return "xls"
    if suffix == ".pdf" or mime == "application/pdf":
        return "pdf"
    if suffix in _IMAGES or (mime or "").startswith("image/"):
        return "image"
    return "other"


def read_plan(data: bytes, filename: str, regulation: Regulation | None = None) -> ImportResult:
    """Read a plan from the bytes of a .docx or .xlsx file: the 2018 nine-column layout, or
    Biểu 2 of Thông tư 57/2026 (`result.template`), recognised by its ten-column header.
    `regulation` (the school's) is where a Biểu 2 row's criterion code is looked up."""
    if len(data) > MAX_FILE_BYTES:
        raise NotAPlan("the file is larger than 20 MB")
    suffix = Path(filename).suffix.lower()
    if suffix == ".docx":
        result = _read_docx(data, regulation)
    elif suffix == ".xlsx":
        result = _read_xlsx(data, regulation)
    else:
        raise NotAPlan("use a .docx or .xlsx file")
    if not result.rows:
        raise NotAPlan(
            "no plan rows were found (no table with the plan's columns, and no "
            "'Tiêu chí n.m' headings)"
        )
    for row in result.rows:
        if row.target_text and not row.expected_result:
            row.expected_result, row.target_text = row.target_text, None
    return result
