"""A unit's roll-up of its schools (XLSX) and their year-end reports (one ZIP).

The XLSX has two sheets: "Trường" (one row per school, the unit digest's columns) and "Các
dòng" (every active row of the schools' current-year plans: school, criterion, owners, status,
due date, last report). The ZIP holds each school's year-end report as `/report_year` writes it
(`write_report_docx`: the 2018 report or Biểu 2's), one DOCX per school; the schools without a
plan are listed in a text file inside. In Vietnamese, like every document the bot writes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.documents.docx_style import FONT
from bot.documents.evidence import safe_name
from bot.documents.report import write_report_docx
from bot.documents.text import document_text
from bot.documents.xlsx_style import fit_rows, print_landscape
from bot.domain.templates import TT57
from bot.services.unit_digest import SchoolLine
from bot.services.unit_rollup import RollupRow, SchoolReport

SCHOOLS_SHEET = "Trường"
ROWS_SHEET = "Các dòng"
SCHOOL_HEADERS = (
    "STT",
    "Trường",
    "Năm học",
    "Mẫu kế hoạch",
    "Số dòng",
    "Hoàn thành",
    "Đang thực hiện",
    "Chưa thực hiện",
    "Gặp khó khăn",
    "Quá hạn",
    "Tiêu chí 1.4 (hoàn thành/tổng)",
    "Báo cáo gần nhất",
    "Chưa báo cáo từ đợt nhắc gần nhất",
)
SCHOOL_WIDTHS = (6, 36, 11, 16, 9, 11, 11, 11, 11, 9, 14, 14, 36)
ROW_HEADERS = (
    "STT",
    "Trường",
    "Mã tiêu chí",
    "Tiêu chí / Nội dung cải tiến",
    "Người phụ trách",
    "Trạng thái",
    "Hạn hoàn thành",
    "Báo cáo gần nhất",
)
ROW_WIDTHS = (6, 30, 10, 50, 30, 16, 14, 14)
DATE_FORMAT = "DD/MM/YYYY"
NO_PLAN = "Chưa có kế hoạch"
NO_PLAN_FILE = "truong-chua-co-ke-hoach.txt"


def template_vi(template: str) -> str:
    return "Biểu 2 (TT57-2026)" if template == TT57 else "Bảng 2018"


def _append(sheet: Worksheet, values: Sequence[object]) -> None:
    """A row of cells; text kept as text (openpyxl would take "=…" for a formula)."""
    sheet.append([document_text(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _head(sheet: Worksheet, title: str, headers: Sequence[str], widths: Sequence[int]) -> None:
    _append(sheet, [title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.cell(1, 1).font = Font(name=FONT, bold=True, size=13)
    _append(sheet, headers)
    for cell in sheet[2]:
        cell.font = Font(name=FONT, bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _dates(sheet: Worksheet, columns: Sequence[int]) -> None:
    for column in columns:
        for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            cell.number_format = DATE_FORMAT


def write_rollup_xlsx(
    unit: str, day: dt.date, tz: dt.tzinfo, schools: Sequence[SchoolLine], rows: list[RollupRow]
) -> bytes:
    """The roll-up as of `day`: schools in the unit digest's order (attention first), the last
    report's day in `tz` (the unit's)."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet (the type allows None)
    sheet.title = SCHOOLS_SHEET
    title = f"TỔNG HỢP KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG — {unit.upper()} — NGÀY {day:%d/%m/%Y}"
    _head(sheet, title, SCHOOL_HEADERS, SCHOOL_WIDTHS)
    for number, line in enumerate(schools, start=1):
        plan = line.plan
        last = line.last_report_at.astimezone(tz).date() if line.last_report_at else None
        _append(
            sheet,
            [
                number,
                line.name,
                plan.school_year if plan else "",
                template_vi(plan.template) if plan else NO_PLAN,
                plan.rows if plan else 0,
                line.done,
                line.in_progress,
                line.not_started,
                line.difficulty,
                line.overdue,
                f"{line.indicator_14[0]}/{line.indicator_14[1]}",
                last,
                ", ".join(line.silent_owners),
            ],
        )
    _dates(sheet, [12])
    fit_rows(sheet, start=3)
    print_landscape(sheet, "2:2")
    sheet.freeze_panes = "C3"
    lines = workbook.create_sheet(ROWS_SHEET)
    _head(lines, f"CÁC DÒNG KẾ HOẠCH — {unit.upper()}", ROW_HEADERS, ROW_WIDTHS)
    for number, row in enumerate(rows, start=1):
        _append(
            lines,
            [
                number,
                row.school,
                row.code,
                row.name,
                row.owners,
                row.status,
                row.due,
                row.last_report,
            ],
        )
    _dates(lines, [7, 8])
    fit_rows(lines, start=3)
    print_landscape(lines, "2:2")
    lines.freeze_panes = "C3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_file_name(report: SchoolReport) -> str:
    year = report.document.school_year
    return safe_name(f"{report.school} - bao-cao-ket-qua-{year}") + ".docx"


def write_reports_zip(
    reports: list[SchoolReport], skipped: list[str], read: Callable[[str], bytes] | None
) -> bytes:
    """Each school's year-end report as one DOCX (photos read with `read`, as /report_year
    has them); the schools without a plan listed in a text file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        used: set[str] = set()
        for report in reports:
            name, n = report_file_name(report), 1
            while name in used:  # two schools of one name (in different communes)
                n += 1
                name = report_file_name(report).removesuffix(".docx") + f" ({n}).docx"
            used.add(name)
            content = write_report_docx(report.document, report.progress, read, report.tt57)
            archive.writestr(name, content)
        if skipped:
            text = "Các trường chưa có kế hoạch năm học này (không có báo cáo):\n"
            archive.writestr(NO_PLAN_FILE, text + "".join(f"- {s}\n" for s in skipped))
    return buffer.getvalue()
