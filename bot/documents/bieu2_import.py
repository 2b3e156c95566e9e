"""Reading a plan written as Biểu 2 of Thông tư 57/2026 (TT57-2026), DOCX or XLSX, as schools
lay it out: sections I–VIII, the section IV table of priority issues, the ten-column table of
section V (with or without the numbered row "(1) … (10)", split over several tables, its
header repeated or not, merged cells), the section VI monitoring table, "Nơi nhận".

Everything is kept verbatim (cell text trimmed, a cell's paragraphs joined by line breaks, as
the 2018 importer keeps them; prose paragraphs one by one in `ImportResult.sections`). Headers
are matched on a folded copy (no diacritics, the column numbers left out), so wording variants
still map; a column that maps to nothing goes into the row's notes with its header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from docx.document import Document as DocumentObject
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.documents.imported import ImportedIssue, ImportedReview, ImportedRow, ImportResult
from bot.domain.catalog import Regulation, load_catalog
from bot.domain.parsing import fold
from bot.domain.templates import TT57, template_of
from bot.services.priorities import criterion_in, standard_in

PLAN, ISSUES, MONITORING = "plan", "issues", "monitoring"
PROSE_SECTIONS = ("general", "bases", "purpose", "organisation", "mechanism")
RECEIVERS = "receivers"
# The columns caitien's own XLSX of a Biểu 2 plan adds after the ten (what it understood), and
# the key each is read back as ("ignored": not plan text).
XLSX_EXTRA = (
    ("Bắt đầu (đã hiểu)", "ignored"),
    ("Hạn (đã hiểu)", "ignored"),
    ("Số tiền (đồng)", "ignored"),
    ("Thành viên phụ trách", "ignored"),
    ("Trạng thái", "ignored"),
    ("Vấn đề trọng tâm (mục IV)", "issue"),
)
_OWN_EXTRA = {fold(header): key for header, key in XLSX_EXTRA}
_NUMBER = ("tt", "stt", "so tt", "so thu tu")

# Key → folded header fragments, checked in this order (the first that matches wins).
_PLAN_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("implementation", ("muc do thuc hien", "muc do hoan thanh", "ket qua thuc hien", "tien do")),
    ("indicators", ("chi so", "chi tieu")),
    ("expected_evidence", ("minh chung", "san pham")),
    ("content", ("noi dung",)),
    ("objective", ("muc tieu",)),
    ("activities", ("hoat dong", "giai phap", "bien phap", "nhiem vu")),
    ("timeline", ("thoi gian", "thoi han")),
    ("lead", ("phu trach", "chu tri", "nguoi thuc hien", "phoi hop")),
    ("resources", ("nguon luc", "kinh phi")),
)
_ISSUE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("standard", ("tieu chuan", "linh vuc")),
    ("criterion", ("tieu chi",)),
    ("current_state", ("hien trang", "thuc trang")),
    ("limitations", ("han che", "diem yeu", "ton tai")),
    ("causes", ("nguyen nhan",)),
)
_MONITORING_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("checkpoint", ("thoi diem", "thoi gian", "dot danh gia")),
    ("evaluator", ("nguoi danh gia", "nguoi thuc hien")),
    ("adjustment", ("dieu chinh",)),
    ("result", ("ket qua",)),
    ("content", ("noi dung",)),
)
_COLUMN_NUMBER = re.compile(r"\(\s*\d{1,2}\s*\)")
_NUMBERED_CELL = re.compile(r"^\(?\s*(\d{1,2})\s*\)?$")
_HEADING = re.compile(r"^([ivx]{1,4})\s*[.:)\-]\s*(.+)$")
_WORDS = re.compile(r"[^a-z0-9 ]+")
_YEAR = re.compile(r"nam hoc\s*(\d{4})\s*-\s*(\d{4})")


def _words(text: str) -> str:
    return " ".join(_WORDS.sub(" ", fold(text)).split())


def _header_key(cell: str, rules: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    folded = " ".join(_COLUMN_NUMBER.sub(" ", fold(cell)).split())
    if not folded:
        return None
    if folded in _OWN_EXTRA:
        return _OWN_EXTRA[folded]
    if folded.strip(" .") in _NUMBER:
        return "number"
    for key, fragments in rules:
        if any(fragment in folded for fragment in fragments):
            return key
    return None


def _detect(cells: list[str]) -> tuple[str, list[str | None]] | None:
    """The kind of table a header row heads and the key of each column, or None (not a
    header: data, or another table)."""
    if not cells or any(len(c) > 80 for c in cells):
        return None
    plan = [_header_key(c, _PLAN_RULES) for c in cells]
    known = set(plan)
    if (
        "content" in known
        and len(known & {"indicators", "expected_evidence", "implementation"}) >= 2
        and len(known - {None, "ignored", "issue"}) >= 5
    ):
        return PLAN, plan
    issues = [_header_key(c, _ISSUE_RULES) for c in cells]
    if len(set(issues) & {"current_state", "limitations", "causes"}) >= 2:
        return ISSUES, issues
    monitoring = [_header_key(c, _MONITORING_RULES) for c in cells]
    known = set(monitoring)
    if "checkpoint" in known and len(known & {"result", "adjustment", "evaluator"}) >= 2:
        return MONITORING, monitoring
    return None


def _numbered(cells: list[str]) -> bool:
    """The row "(1) (2) … (10)" under the headers."""
    found = [m for c in cells if c for m in [_NUMBERED_CELL.match(c)]]
    if len(found) < 4 or any(m is None for m in found):
        return False
    numbers = [int(m.group(1)) for m in found if m is not None]
    return numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def _default_columns(kind: str) -> list[str | None]:
    template = template_of(TT57)
    table = {
        PLAN: template.columns,
        ISSUES: template.priority_issues.columns if template.priority_issues else (),
        MONITORING: template.monitoring.columns if template.monitoring else (),
    }[kind]
    return [c.key for c in table]


def _section_titles() -> list[tuple[str, str]]:
    """(folded title without its numeral, key), the longest first."""
    template = template_of(TT57)
    titles = {key: template.section(key) for key in PROSE_SECTIONS}
    titles[PLAN] = template.plan_section
    if template.priority_issues:
        titles[ISSUES] = template.priority_issues.title
    if template.monitoring:
        titles[MONITORING] = template.monitoring.title
    out = []
    for key, title in titles.items():
        match = _HEADING.match(fold(title))
        out.append((_words(match.group(2) if match else title), key))
    return sorted(out, key=lambda item: -len(item[0]))


def heading_of(text: str) -> str | None:
    """The section a heading paragraph opens ("IV. CÁC VẤN ĐỀ …" → "issues"), else None."""
    if not text or len(text) > 140:
        return None
    match = _HEADING.match(fold(text))
    rest = _words(match.group(2)) if match else _words(text)
    for title, key in _section_titles():
        if (match and rest.startswith(title)) or (not match and text.isupper() and rest == title):
            return key
    return None


def _join(old: str | None, new: str) -> str:
    return f"{old}\n{new}" if old else new


@dataclass
class _Cells:
    texts: list[str]
    merged: bool  # one text across the whole row (a group row)


class _Reader:
    """Turns the document's blocks, in order (paragraphs, table rows), into the result."""

    def __init__(self, regulation: Regulation | None) -> None:
        if regulation is None or regulation.code != TT57:
            regulation = load_catalog().regulation(TT57, "tieu_hoc")
        self.regulation = regulation
        self.template = template_of(TT57)
        self.result = ImportResult(template=TT57)
        self.section: str | None = None
        self.kind: str | None = None
        self.columns: dict[str, list[str | None]] = {}
        self.headers: dict[str, list[str]] = {}
        self.width = 0
        self.standard: int | None = None
        self.row: ImportedRow | None = None
        self.issue: ImportedIssue | None = None
        self.review: ImportedReview | None = None
        self.fields = {c.key: c.field for c in self.template.columns if c.field}
        self.unmapped: set[str] = set()

    # ---------------------------------------------------------------- prose

    def paragraph(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        m = _YEAR.search(fold(text)) if self.result.school_year is None else None
        if m and int(m.group(2)) == int(m.group(1)) + 1:
            self.result.school_year = f"{m.group(1)}-{m.group(2)}"
        key = heading_of(text)
        if key is not None:
            self.section, self.kind = key, None
            return
        if fold(text).startswith("noi nhan"):
            self.section, self.kind = RECEIVERS, None
            self._receivers(text.split("\n")[1:])
            return
        if self.section in (*PROSE_SECTIONS, RECEIVERS):
            self.result.sections.setdefault(self.section, []).append(text)

    def _receivers(self, lines: Iterable[str]) -> None:
        found = [line.strip() for line in lines if line.strip()]
        if found:
            self.result.sections.setdefault(RECEIVERS, []).extend(found)

    # ---------------------------------------------------------------- tables

    def new_table(self, width: int) -> None:
        """A table with no header of its own continues the previous one (a page break) when
        it has as many columns, else takes the kind of the section it is in."""
        if self.kind is not None and width == self.width:
            return
        self.kind = None
        self.width = width
        if self.section in (PLAN, ISSUES, MONITORING):
            columns = self.columns.get(self.section)
            if columns is not None and len(columns) == width:
                self.kind = self.section
            elif width == len(_default_columns(self.section)):
                self.kind = self.section
                self.columns[self.section] = _default_columns(self.section)
                self.headers[self.section] = ["" for _ in range(width)]

    def table_row(self, row: _Cells) -> None:
        cells = row.texts
        if not any(cells):
            return
        detected = _detect(cells)
        if detected is not None:
            kind, columns = detected
            self.kind, self.section, self.width = kind, kind, len(cells)
            self.columns[kind], self.headers[kind] = columns, [c.strip() for c in cells]
            return  # a header repeated on a new page: the row before may go on after it
        if _numbered(cells):
            return
        if self.kind is None:
            if fold(cells[0]).startswith("noi nhan"):
                self._receivers(cells[0].split("\n")[1:])
            return
        if row.merged:  # one text across the table: a group row ("Tiêu chuẩn 2: …")
            if self.kind == PLAN:
                text = next(c for c in cells if c)
                self.standard = standard_in(text) or self.standard
                self.row = None
            return
        values, notes = self._values(self.kind, cells)
        if self.kind == PLAN:
            self._plan_row(values, notes)
        elif self.kind == ISSUES:
            self._issue_row(values)
        else:
            self._review_row(values)

    def _values(self, kind: str, cells: list[str]) -> tuple[dict[str, str], list[str]]:
        columns, headers = self.columns[kind], self.headers[kind]
        values: dict[str, str] = {}
        notes: list[str] = []
        for i, text in enumerate(cells):
            if not text:
                continue
            key = columns[i] if i < len(columns) else None
            if key is None:
                header = headers[i] if i < len(headers) else ""
                notes.append(f"{header}: {text}" if header else text)
                if header and header not in self.unmapped:
                    self.unmapped.add(header)
                    self.result.warnings.append(
                        f"column {header!r} is not one of Biểu 2: kept in the rows' notes"
                    )
            elif key != "ignored":
                values[key] = _join(values.get(key), text)
        return values, notes

    def _plan_row(self, values: dict[str, str], notes: list[str]) -> None:
        number, content = values.get("number", ""), values.get("content", "")
        if not number and not content and self.row is not None:
            row = self.row  # the previous row goes on (a page break, merged cells)
        else:
            code = criterion_in(content, self.regulation)
            standard = int(code.split(".")[0]) if code else standard_in(content) or self.standard
            row = ImportedRow(standard=standard, criterion_code=code, content=content or None)
            self.result.rows.append(row)
            self.row = row
            if (issue := values.get("issue", "").strip()).isdigit():
                row.issue = int(issue)
        for key, value in values.items():
            field = self.fields.get(key)
            if field and not (key == "content" and row.content == value):
                setattr(row, field, _join(getattr(row, field), value))
        for note in notes:
            row.notes = _join(row.notes, note)

    def _issue_row(self, values: dict[str, str]) -> None:
        standard, criterion = values.get("standard", ""), values.get("criterion", "")
        if not values.get("number") and not standard and not criterion and self.issue:
            issue = self.issue
        else:
            issue = ImportedIssue(standard_text=standard or None, criterion_text=criterion)
            self.result.issues.append(issue)
            self.issue = issue
            values = {k: v for k, v in values.items() if k not in ("standard", "criterion")}
        for key in ("standard", "criterion"):
            if key in values:
                name = f"{key}_text"
                setattr(issue, name, _join(getattr(issue, name), values[key]))
        for key in ("current_state", "limitations", "causes"):
            if key in values:
                setattr(issue, key, _join(getattr(issue, key), values[key]))

    def _checkpoint(self, label: str) -> str | None:
        found = self.template.checkpoint_of(label)
        if found is not None or not label:
            return found
        folded = fold(label)
        for key in ("mid_year", "end_year"):
            wanted = fold(self.template.checkpoint_label(key))
            if re.search(rf"(?<![a-z]){re.escape(wanted)}(?![a-z])", folded):
                return key
        return None

    def _review_row(self, values: dict[str, str]) -> None:
        label = values.get("checkpoint", "")
        checkpoint = self._checkpoint(label)
        if checkpoint is None:
            if label or values.get("number") or self.review is None:
                self.result.warnings.append(f"monitoring row not recognised: {label[:60]!r}")
                return
            review = self.review
        else:
            written = self.template.checkpoint_label(checkpoint)
            if " ".join(label.split()).casefold() != " ".join(written.split()).casefold():
                self.result.warnings.append(
                    f"monitoring row {label[:60]!r} read as {written!r} (the rest of its "
                    "label is not stored)"
                )
            found = next((r for r in self.result.reviews if r.checkpoint == checkpoint), None)
            if found is None:
                found = ImportedReview(checkpoint)
                self.result.reviews.append(found)
            review = found
            self.review = review
        for key in ("content", "result", "adjustment", "evaluator"):
            if key in values:
                setattr(review, key, _join(getattr(review, key), values[key]))


# ---------------------------------------------------------------- DOCX


def _plan_headers_in(rows: Iterable[list[str]]) -> bool:
    return any((found := _detect(cells)) is not None and found[0] == PLAN for cells in rows)


def _docx_rows(table: Table) -> Iterable[_Cells]:
    """Each row's cell texts: a horizontally merged cell once, a vertically merged cell only
    in its first row (python-docx repeats both)."""
    above: list[object] = []
    for row in table.rows:
        tcs = [cell._tc for cell in row.cells]
        texts: list[str] = []
        seen: list[object] = []
        for i, (cell, tc) in enumerate(zip(row.cells, tcs, strict=True)):
            repeated = any(tc is s for s in seen) or (i < len(above) and tc is above[i])
            seen.append(tc)
            texts.append("" if repeated else cell.text.strip())
        distinct = {id(tc) for tc in tcs}
        above = tcs
        yield _Cells(texts, merged=len(distinct) == 1 and len(tcs) > 2)


def is_bieu2_docx(document: DocumentObject) -> bool:
    return any(
        _plan_headers_in(c.texts for _, c in zip(range(4), _docx_rows(table), strict=False))
        for table in document.tables
    )


def read_docx(document: DocumentObject, regulation: Regulation | None) -> ImportResult:
    reader = _Reader(regulation)
    body = document.element.body
    for element in body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            reader.paragraph(Paragraph(element, document).text)
        elif tag == "tbl":
            table = Table(element, document)
            reader.new_table(len(table.columns))
            for cells in _docx_rows(table):
                reader.table_row(cells)
    return reader.result


# ---------------------------------------------------------------- XLSX


def _sheet_rows(sheet: Worksheet) -> Iterable[_Cells]:
    merged_ranges = list(sheet.merged_cells.ranges)
    merged_away = {
        (r, c)
        for rng in merged_ranges
        for r in range(rng.min_row, rng.max_row + 1)
        for c in range(rng.min_col, rng.max_col + 1)
        if (r, c) != (rng.min_row, rng.min_col)
    }
    wide = {(rng.min_row, rng.min_col) for rng in merged_ranges if rng.max_col - rng.min_col >= 2}
    for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        texts = [
            "" if v is None or (r, c) in merged_away else str(v).strip()
            for c, v in enumerate(row, start=1)
        ]
        filled = [c for c, text in enumerate(texts, start=1) if text]
        yield _Cells(texts, merged=len(filled) == 1 and (r, filled[0]) in wide)


def is_bieu2_xlsx(workbook: Workbook) -> bool:
    return any(
        _plan_headers_in(c.texts for _, c in zip(range(30), _sheet_rows(sheet), strict=False))
        for sheet in workbook.worksheets
    )


def read_xlsx(workbook: Workbook, regulation: Regulation | None) -> ImportResult:
    """Each sheet from its top: a row of one text outside a table (or a section heading) is a
    paragraph, the others are table rows."""
    reader = _Reader(regulation)
    for sheet in workbook.worksheets:
        reader.section, reader.kind = None, None
        reader.new_table(sheet.max_column)
        for cells in _sheet_rows(sheet):
            filled = [text for text in cells.texts if text]
            if len(filled) == 1 and (reader.kind is None or heading_of(filled[0])):
                for line in filled[0].split("\n") if reader.kind is None else filled:
                    reader.paragraph(line)
            else:
                reader.table_row(cells)
    return reader.result
