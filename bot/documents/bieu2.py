"""A TT57-2026 plan as the documents a school submits: Biểu 2 (Phụ lục V, Thông tư 57/2026) in
DOCX, and an XLSX of the same tables with what the bot understood beside them.

DOCX, landscape A4 in Times New Roman as the 2018 export: the national heading from the school's
document settings, "KẾ HOẠCH" / "Cải tiến chất lượng giáo dục năm học …", sections I–III (the
school's own text when it has one, else the template's standing text), the section IV table of
priority issues, the ten-column table of section V (its header and the numbered row "(1) …
(10)" repeated on every page), the section VI monitoring table, sections VII and VIII, "Nơi
nhận" and the signature block. Every heading and standing word comes from
`bot/data/plan_templates.yaml`.
"""

from __future__ import annotations

import io

from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.table import Table
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.documents.bieu2_import import RECEIVERS, XLSX_EXTRA
from bot.documents.docx_style import (
    FONT,
    add_paragraph,
    fixed_widths,
    headed_document,
    repeat_header,
    rows_whole,
    set_cell_text,
    signature_block,
)
from bot.documents.text import document_text
from bot.documents.xlsx_style import fit_rows, print_landscape
from bot.domain.catalog import Regulation
from bot.domain.templates import CHECKPOINTS, Template, template_of
from bot.services.plans import IssueLine, PlanDocument
from db.models import PlanRow

# Landscape A4 with margins of 1.5 cm: 26.7 cm of text width.
PLAN_WIDTHS_CM = (0.9, 3.0, 3.0, 5.1, 3.2, 2.1, 2.5, 2.4, 2.6, 1.9)
ISSUE_WIDTHS_CM = (1.0, 3.4, 3.4, 6.3, 6.3, 6.3)
MONITORING_WIDTHS_CM = (1.0, 3.0, 7.0, 6.0, 5.2, 4.5)
TABLE_SIZE = 11  # ten columns across a landscape page
BEFORE_IV = ("general", "bases", "purpose")
AFTER_VI = ("organisation", "mechanism")


# ---------------------------------------------------------------- cells


def content_cell(row: PlanRow, regulation: Regulation) -> str:
    """Column (2) as the school wrote it, else "Tiêu chí n.m: title" from the catalog."""
    if row.content:
        return row.content
    code = row.criterion_code or ""
    criterion = regulation.criterion(code) if code else None
    if criterion is not None:
        return f"Tiêu chí {code}: {criterion.title}" if criterion.title else f"Tiêu chí {code}"
    return row.criterion_text or ""


def row_cells(plan: PlanDocument, row: PlanRow, number: int, template: Template) -> list[str]:
    """The ten cells of a row of section V."""
    cells = []
    for column in template.columns:
        if column.field is None:
            cells.append(str(number))
        elif column.key == "content":
            cells.append(content_cell(row, plan.regulation))
        elif column.key == "implementation":
            cells.append(plan.implementations.get(row.id, row.implementation_text) or "")
        else:
            cells.append(getattr(row, column.field) or "")
    return cells


def standard_cell(issue: IssueLine, regulation: Regulation) -> str:
    """ "Tiêu chuẩn" of section IV: as written, else "Tiêu chuẩn n: title" from the catalog."""
    if issue.standard_text:
        return issue.standard_text
    if issue.standard is None:
        return ""
    found = regulation.standard(issue.standard)
    title = f": {found.title}" if found and found.title else ""
    return f"Tiêu chuẩn {issue.standard}{title}"


def criterion_cell(issue: IssueLine, regulation: Regulation) -> str:
    """ "Tiêu chí (nếu có)": as written ("" when the issue names none), else from the catalog."""
    if issue.criterion_text is not None and (issue.criterion_text or not issue.criterion_code):
        return issue.criterion_text
    code = issue.criterion_code
    criterion = regulation.criterion(code) if code else None
    if criterion is None:
        return code or ""
    return f"Tiêu chí {code}: {criterion.title}" if criterion.title else f"Tiêu chí {code}"


def issue_cells(issue: IssueLine, number: int, regulation: Regulation) -> list[str]:
    return [
        str(number),
        standard_cell(issue, regulation),
        criterion_cell(issue, regulation),
        issue.current_state or "",
        issue.limitations or "",
        issue.causes or "",
    ]


def monitoring_cells(plan: PlanDocument, template: Template) -> list[list[str]]:
    out = []
    for number, checkpoint in enumerate(CHECKPOINTS, start=1):
        found = plan.reviews.get(checkpoint)
        out.append(
            [
                str(number),
                template.checkpoint_label(checkpoint),
                (found.content if found else None) or "",
                (found.result if found else None) or "",
                (found.adjustment if found else None) or "",
                (found.evaluator if found else None) or "",
            ]
        )
    return out


def section_text(plan: PlanDocument, template: Template, key: str) -> list[str]:
    """The school's own paragraphs of a section, else the template's standing text."""
    own = plan.sections.get(key)
    if own:
        return list(own)
    levels = template.raw.get("level_names") or {}
    return template.default_text(
        key,
        school=plan.school,
        school_year=plan.school_year,
        level=str(levels.get(plan.level, plan.level)),
    )


def receivers(plan: PlanDocument, template: Template) -> list[str]:
    """The lines under "Nơi nhận:" (the school's own, else the template's)."""
    own = plan.sections.get(RECEIVERS)
    if own:
        return list(own)
    lines = template.receivers
    return lines[1:] if lines and lines[0].rstrip(":").strip() == "Nơi nhận" else lines


def subtitle(plan: PlanDocument, template: Template) -> str:
    return template.subtitle.format(school_year=plan.school_year)


# ---------------------------------------------------------------- DOCX


def _table(
    document: DocumentObject,
    headers: tuple[str, ...],
    rows: list[list[str]],
    widths: tuple[float, ...],
    *,
    numbered: bool = False,
    size: float = 12,
    whole: bool = True,
) -> None:
    """A grid table: the header row (and the numbered row "(1) … (n)") repeated on every
    page, columns of fixed widths; rows kept whole on a page when `whole` (the long rows of
    sections IV and V run on to the next page, under the repeated header, as schools print
    them, instead of leaving half pages empty)."""
    center = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=2 if numbered else 1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    heads = [table.rows[0], *([table.rows[1]] if numbered else [])]
    for row in heads:
        repeat_header(row)
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        set_cell_text(cell, text, bold=True, align=center, size=size)
    if numbered:
        for i, cell in enumerate(table.rows[1].cells, start=1):
            set_cell_text(cell, f"({i})", bold=True, align=center, size=size)
    for cells in rows:
        added = table.add_row().cells
        for cell, text in zip(added, cells, strict=True):
            set_cell_text(cell, text, size=size)
        added[0].paragraphs[0].alignment = center
    fixed_widths(table, widths)
    if whole:
        rows_whole(table)
    else:
        rows_whole_header(table, 2 if numbered else 1)


def rows_whole_header(table: Table, count: int) -> None:
    """The header rows never split (the rows under them may)."""
    for row in table.rows[:count]:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _prose(document: DocumentObject, plan: PlanDocument, template: Template, key: str) -> None:
    add_paragraph(document, template.section(key), bold=True)
    for text in section_text(plan, template, key):
        add_paragraph(document, text)


def write_docx(plan: PlanDocument) -> bytes:
    template = template_of(plan.template)
    document = headed_document(plan.heading, plan.school, "KH", plan.date)
    center = WD_ALIGN_PARAGRAPH.CENTER
    add_paragraph(document, template.title, bold=True, align=center, size=14, space_after=0)
    add_paragraph(document, subtitle(plan, template), bold=True, align=center, size=14)
    for key in BEFORE_IV:
        _prose(document, plan, template, key)

    issues = template.priority_issues
    if issues is not None:
        add_paragraph(document, issues.title, bold=True)
        lines = [issue_cells(i, n, plan.regulation) for n, i in enumerate(plan.issues, start=1)]
        _table(document, issues.headers, lines, ISSUE_WIDTHS_CM, whole=False)
        add_paragraph(document, "", size=6)

    add_paragraph(document, template.plan_section, bold=True)
    rows = [row_cells(plan, row, n, template) for n, row in enumerate(plan.rows, start=1)]
    _table(
        document,
        template.headers,
        rows,
        PLAN_WIDTHS_CM,
        numbered=True,
        size=TABLE_SIZE,
        whole=False,
    )
    add_paragraph(document, "", size=6)

    monitoring = template.monitoring
    if monitoring is not None:
        add_paragraph(document, monitoring.title, bold=True)
        _table(document, monitoring.headers, monitoring_cells(plan, template), MONITORING_WIDTHS_CM)
        add_paragraph(document, "", size=6)
    for key in AFTER_VI:
        _prose(document, plan, template, key)
    add_paragraph(document, "")
    signature_block(document, "\n".join(receivers(plan, template)), plan.principal)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- XLSX


def _append(sheet: Worksheet, values: list[object]) -> None:
    """A row of cells; text as a document can hold it, and kept as text (openpyxl would store
    a text starting with "=" as a formula)."""
    sheet.append([document_text(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _head(sheet: Worksheet, title: str, headers: list[str], numbered: int = 0) -> None:
    bold = Font(name=FONT, bold=True)
    _append(sheet, [title])
    sheet.cell(1, 1).font = bold
    sheet.cell(1, 1).alignment = Alignment(vertical="top")
    _append(sheet, list(headers))
    for cell in sheet[2]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    if numbered:
        _append(sheet, [f"({i})" for i in range(1, numbered + 1)])
        for cell in sheet[3]:
            cell.alignment = Alignment(horizontal="center")


def _widths(sheet: Worksheet, widths_cm: tuple[float, ...], extra: int = 0) -> None:
    for i, cm in enumerate([*widths_cm, *([3.2] * extra)], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = cm * 5


def write_xlsx(plan: PlanDocument, owners: dict[int, str], status: dict[int, str]) -> bytes:
    """Sheets: section V (the ten columns, then the understood start, due date, amount, the
    owners, the latest status and the issue the row answers), section IV, section VI, and the
    prose sections; each printed as the DOCX is."""
    template = template_of(plan.template)
    sheets = template.raw.get("xlsx_sheets") or {}
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet (the type allows None)
    sheet.title = str(sheets.get("plan", plan.school_year))
    title = f"{template.title} {subtitle(plan, template)}".upper()
    _head(
        sheet,
        f"{title} — {plan.school.upper()}",
        [*template.headers, *(header for header, _ in XLSX_EXTRA)],
        numbered=len(template.columns),
    )
    positions = {issue.id: issue.position for issue in plan.issues}
    for number, row in enumerate(plan.rows, start=1):
        _append(
            sheet,
            [
                *row_cells(plan, row, number, template),
                row.start_date,
                row.due_date,
                row.budget_vnd,
                owners.get(row.id, ""),
                status.get(row.id, ""),
                positions.get(row.issue_id) if row.issue_id else None,
            ],
        )
    first_extra = len(template.columns) + 1
    for cells in sheet.iter_rows(min_row=4, min_col=first_extra, max_col=first_extra + 1):
        for cell in cells:
            cell.number_format = "DD/MM/YYYY"
    for cells in sheet.iter_rows(min_row=4, min_col=first_extra + 2, max_col=first_extra + 2):
        for cell in cells:
            cell.number_format = "#,##0"
    _widths(sheet, PLAN_WIDTHS_CM, extra=len(XLSX_EXTRA))
    fit_rows(sheet, start=2)
    print_landscape(sheet, "2:3")

    if template.priority_issues is not None:
        issues = workbook.create_sheet(str(sheets.get("issues", "IV")))
        _head(issues, template.priority_issues.title, list(template.priority_issues.headers))
        for number, issue in enumerate(plan.issues, start=1):
            _append(issues, list(issue_cells(issue, number, plan.regulation)))
        _widths(issues, ISSUE_WIDTHS_CM)
        fit_rows(issues, start=2)
        print_landscape(issues, "2:2")
    if template.monitoring is not None:
        monitoring = workbook.create_sheet(str(sheets.get("monitoring", "VI")))
        _head(monitoring, template.monitoring.title, list(template.monitoring.headers))
        for values in monitoring_cells(plan, template):
            _append(monitoring, list(values))
        _widths(monitoring, MONITORING_WIDTHS_CM)
        fit_rows(monitoring, start=2)
        print_landscape(monitoring, "2:2")

    prose = workbook.create_sheet(str(sheets.get("prose", "I-VIII")))
    for key in (*BEFORE_IV, *AFTER_VI):
        _append(prose, [template.section(key)])
        prose.cell(prose.max_row, 1).font = Font(name=FONT, bold=True)
        for text in section_text(plan, template, key):
            _append(prose, [text])
    _append(prose, [(template.receivers or ["Nơi nhận:"])[0]])
    for text in receivers(plan, template):
        _append(prose, [text])
    prose.column_dimensions["A"].width = 130
    fit_rows(prose, start=1)
    print_landscape(prose, None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
