"""The plan as the documents a school submits: DOCX in the official nine-column layout, XLSX.

Layout of the DOCX as schools print it (Nghị định 30/2020/NĐ-CP): the national heading
(authority, school, "Số: …" | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc,
place and date, from the school's document settings, dotted blanks where one is not set), title,
the sections around the table, the table with "MỨC 1, 2, 3" / "MỨC 4" blocks and "Tiêu chuẩn n"
group rows, the signature block; landscape A4, Times New Roman 13. Built with python-docx; the only
raw XML is what it has no API for (a header row repeated on every page, the East Asian font name).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.documents import bieu2
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
from bot.domain.catalog import Regulation, is_level4_code
from bot.domain.constants import BLOCK_LEVEL_4
from bot.domain.templates import TT57
from bot.services.plans import PlanDocument
from db.models import PlanRow

HEADERS = (
    "TT",
    "Tiêu chuẩn, tiêu chí",
    "Kết quả cần đạt (so với hiện trạng)",
    "Công việc/giải pháp cần thực hiện",
    "Chủ trì và phối hợp thực hiện",
    "Thời gian thực hiện và hoàn thành",
    "Dự kiến kinh phí",
    "Điều kiện hỗ trợ khác",
    "Ghi chú",
)
# Columns the XLSX adds after the nine: what the bot understood and who answers for the row.
XLSX_EXTRA = (
    "Bắt đầu (đã hiểu)",
    "Hạn (đã hiểu)",
    "Số tiền (đồng)",
    "Người phụ trách",
    "Trạng thái",
)
WIDTHS_CM = (1.0, 4.2, 3.6, 6.4, 3.0, 2.6, 2.6, 2.3, 1.5)


def criterion_cell(row: PlanRow, regulation: Regulation) -> str:
    """The cell as the school wrote it, else "Tiêu chí n.m: title" from the catalog."""
    if row.criterion_text:
        return row.criterion_text
    code = row.criterion_code or ""
    if is_level4_code(code):
        return f"Tiêu chí {code.split('.', 1)[1]}"
    criterion = regulation.criterion(code)
    return f"Tiêu chí {code}: {criterion.title}" if criterion and criterion.title else code


def _cells(row: PlanRow, regulation: Regulation, number: int) -> list[str]:
    return [
        str(number),
        criterion_cell(row, regulation),
        row.expected_result or "",
        row.tasks or "",
        row.lead_text or "",
        row.timeline_text or "",
        row.budget_text or "",
        row.support or "",
        row.notes or "",
    ]


def grouped_rows(
    rows: list[PlanRow], regulation: Regulation
) -> Iterator[tuple[str, str | PlanRow]]:
    """("block", title) / ("standard", title) / ("row", row), in the table's order."""
    block: str | None = None
    standard: int | None = None
    for row in rows:
        row_block = row.block or ""
        if row_block != block:
            block, standard = row_block, None
            yield "block", "MỨC 4" if block == BLOCK_LEVEL_4 else "MỨC 1, 2, 3"
        if block != BLOCK_LEVEL_4 and row.standard and row.standard != standard:
            standard = row.standard
            found = regulation.standard(standard)
            title = f": {found.title}" if found and found.title else ""
            yield "standard", f"Tiêu chuẩn {standard}{title}"
        yield "row", row


# ---------------------------------------------------------------- DOCX


def write_docx(plan: PlanDocument) -> bytes:
    """The plan in its template's layout: Biểu 2 for a TT57-2026 plan, else the nine columns."""
    if plan.template == TT57:
        return bieu2.write_docx(plan)
    document = headed_document(plan.heading, plan.school, "KH", plan.date)
    center = WD_ALIGN_PARAGRAPH.CENTER
    add_paragraph(document, "KẾ HOẠCH", bold=True, align=center, size=14, space_after=0)
    add_paragraph(
        document,
        f"Cải tiến chất lượng giáo dục năm học {plan.school_year}",
        bold=True,
        align=center,
        size=14,
    )

    add_paragraph(document, "I. MỤC ĐÍCH, YÊU CẦU", bold=True)
    add_paragraph(
        document,
        "- Phát huy điểm mạnh, khắc phục điểm yếu, từng bước nâng cao chất "
        "lượng giáo dục của nhà trường.",
    )
    add_paragraph(
        document,
        "- Kế hoạch cụ thể, khả thi; mỗi nội dung có người chủ trì, thời gian "
        "thực hiện và kết quả cần đạt.",
    )
    add_paragraph(document, "II. CĂN CỨ XÂY DỰNG KẾ HOẠCH", bold=True)
    add_paragraph(
        document,
        f"- Thông tư số {plan.regulation_number} của Bộ trưởng Bộ Giáo dục và "
        f"Đào tạo {plan.regulation.title[:1].lower()}{plan.regulation.title[1:]};",
    )
    add_paragraph(document, "- Báo cáo tự đánh giá và kết quả đánh giá ngoài của nhà trường.")
    add_paragraph(document, "III. NỘI DUNG KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG GIÁO DỤC", bold=True)

    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    repeat_header(header)
    for cell, text in zip(header.cells, HEADERS, strict=True):
        set_cell_text(cell, text, bold=True, align=center)
    number = 0
    for kind, item in grouped_rows(plan.rows, plan.regulation):
        cells = table.add_row().cells
        if kind == "row":
            assert isinstance(item, PlanRow)
            number += 1
            for cell, text in zip(cells, _cells(item, plan.regulation, number), strict=True):
                set_cell_text(cell, text)
            cells[0].paragraphs[0].alignment = center
        else:
            merged = cells[0].merge(cells[-1]) if kind == "block" else cells[1].merge(cells[-1])
            set_cell_text(merged, str(item), bold=True, align=center if kind == "block" else None)
            for paragraph in merged.paragraphs:  # a group row stays with its first row
                paragraph.paragraph_format.keep_with_next = True
    fixed_widths(table, WIDTHS_CM)
    rows_whole(table)

    add_paragraph(document, "")
    add_paragraph(document, "IV. TỔ CHỨC THỰC HIỆN", bold=True)
    add_paragraph(
        document,
        "- Hiệu trưởng chỉ đạo, phân công người phụ trách từng nội dung; tổ chức "
        "sơ kết cuối học kỳ I và đánh giá kết quả vào cuối năm học.",
    )
    add_paragraph(
        document,
        "- Cá nhân được phân công lập báo cáo kết quả thực hiện kèm minh chứng "
        "gửi Hiệu trưởng trước ngày 30/5.",
    )
    signature_block(
        document,
        "- Hội đồng tự đánh giá;\n- Các bộ phận, cá nhân được phân công;\n- Lưu: VT.",
        plan.principal,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- XLSX


def write_xlsx(plan: PlanDocument, owners: dict[int, str], status: dict[int, str]) -> bytes:
    if plan.template == TT57:
        return bieu2.write_xlsx(plan, owners, status)
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet (the type allows None)

    def append(values: list[object]) -> None:
        """A row of cells; text as a document can hold it, and kept as text: openpyxl would
        store a text starting with "=" as a formula (one Excel cannot read, or worse)."""
        sheet.append([document_text(v) if isinstance(v, str) else v for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"

    sheet.title = plan.school_year
    append(
        [
            f"KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG GIÁO DỤC NĂM HỌC {plan.school_year} — "
            f"{plan.school.upper()}"
        ]
    )
    append([*HEADERS, *XLSX_EXTRA])
    bold = Font(name=FONT, bold=True)
    for cell in sheet[2]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    width = len(HEADERS) + len(XLSX_EXTRA)
    number = 0
    for kind, item in grouped_rows(plan.rows, plan.regulation):
        if kind == "row":
            assert isinstance(item, PlanRow)
            row = item
            number += 1
            append(
                [
                    *_cells(row, plan.regulation, number),
                    row.start_date,
                    row.due_date,
                    row.budget_vnd,
                    owners.get(row.id, ""),
                    status.get(row.id, ""),
                ]
            )
            for cell in sheet[sheet.max_row]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        else:
            at = sheet.max_row + 1
            if kind == "block":
                append([str(item)])
                sheet.merge_cells(start_row=at, start_column=1, end_row=at, end_column=width)
            else:
                append(["", str(item)])
                sheet.merge_cells(start_row=at, start_column=2, end_row=at, end_column=width)
            sheet.cell(at, 1 if kind == "block" else 2).font = bold
    for column, cm in zip("ABCDEFGHI", WIDTHS_CM, strict=True):
        sheet.column_dimensions[column].width = cm * 5
    for column in "JKLMN":
        sheet.column_dimensions[column].width = 16
    for row_cells in sheet.iter_rows(min_row=3, min_col=10, max_col=11):
        for cell in row_cells:
            cell.number_format = "DD/MM/YYYY"
    for row_cells in sheet.iter_rows(min_row=3, min_col=12, max_col=12):
        for cell in row_cells:
            cell.number_format = "#,##0"
    fit_rows(sheet, start=2)
    print_landscape(sheet, "2:2")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
