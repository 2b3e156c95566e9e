"""The plan as the documents a school submits: DOCX in the official nine-column layout, XLSX.

Layout of the DOCX as schools print it: header block (school | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT
NAM / Độc lập - Tự do - Hạnh phúc, place and date), title, the sections around the table, the
table with "MỨC 1, 2, 3" / "MỨC 4" blocks and "Tiêu chuẩn n" group rows, the signature block;
landscape A4, Times New Roman 13. Built with python-docx; the only raw XML is what it has no API
for (a header row repeated on every page, the East Asian font name).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from bot.catalog import Regulation, is_level4_code
from bot.constants import BLOCK_LEVEL_4
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
FONT = "Times New Roman"


@dataclass(frozen=True)
class PlanDocument:
    school: str
    school_year: str
    regulation: Regulation
    regulation_number: str
    rows: list[PlanRow]
    principal: str | None
    date: dt.date


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


def _groups(rows: list[PlanRow], regulation: Regulation) -> Iterator[tuple[str, object]]:
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


def _font(run: object, size: float = 13, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT  # type: ignore[attr-defined]
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    run.bold = bold  # type: ignore[attr-defined]
    run.italic = italic  # type: ignore[attr-defined]
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    fonts.set(qn("w:eastAsia"), FONT)


def _paragraph(
    container: object,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    align: int | None = None,
    size: float = 13,
    space_after: float = 3,
) -> object:
    paragraph = container.add_paragraph()  # type: ignore[attr-defined]
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    _font(paragraph.add_run(text), size, bold, italic)
    return paragraph


def _cell_text(
    cell: object, text: str, *, bold: bool = False, align: int | None = None, size: float = 12
) -> None:
    lines = text.split("\n") if text else [""]
    first = cell.paragraphs[0]  # type: ignore[attr-defined]
    fresh = not first.runs
    for i, line in enumerate(lines):
        paragraph = first if i == 0 and fresh else cell.add_paragraph()  # type: ignore[attr-defined]
        if align is not None:
            paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(0)
        _font(paragraph.add_run(line), size, bold)


def _repeat_header(row: object) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)  # type: ignore[attr-defined]


def _borderless(table: object) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)  # type: ignore[attr-defined]


def new_document() -> Any:
    """A landscape A4 document in Times New Roman 13, as school documents are printed."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    return document


def write_docx(plan: PlanDocument) -> bytes:
    document = new_document()
    center = WD_ALIGN_PARAGRAPH.CENTER

    head = document.add_table(rows=1, cols=2)
    _borderless(head)
    left, right = head.rows[0].cells
    _cell_text(left, plan.school.upper(), bold=True, align=center, size=13)
    _cell_text(left, "", size=6)
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align=center, size=13)
    p = right.add_paragraph()
    p.alignment = center
    run = p.add_run("Độc lập - Tự do - Hạnh phúc")
    _font(run, 13, bold=True)
    run.underline = True
    day = plan.date
    _paragraph(
        document,
        f"……………, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        italic=True,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    _paragraph(document, "KẾ HOẠCH", bold=True, align=center, size=14, space_after=0)
    _paragraph(
        document,
        f"Cải tiến chất lượng giáo dục năm học {plan.school_year}",
        bold=True,
        align=center,
        size=14,
    )

    _paragraph(document, "I. MỤC ĐÍCH, YÊU CẦU", bold=True)
    _paragraph(
        document,
        "- Phát huy điểm mạnh, khắc phục điểm yếu, từng bước nâng cao chất "
        "lượng giáo dục của nhà trường.",
    )
    _paragraph(
        document,
        "- Kế hoạch cụ thể, khả thi; mỗi nội dung có người chủ trì, thời gian "
        "thực hiện và kết quả cần đạt.",
    )
    _paragraph(document, "II. CĂN CỨ XÂY DỰNG KẾ HOẠCH", bold=True)
    _paragraph(
        document,
        f"- Thông tư số {plan.regulation_number} của Bộ trưởng Bộ Giáo dục và "
        f"Đào tạo {plan.regulation.title[:1].lower()}{plan.regulation.title[1:]};",
    )
    _paragraph(document, "- Báo cáo tự đánh giá và kết quả đánh giá ngoài của nhà trường.")
    _paragraph(document, "III. NỘI DUNG KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG GIÁO DỤC", bold=True)

    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_header(header)
    for cell, text in zip(header.cells, HEADERS, strict=True):
        _cell_text(cell, text, bold=True, align=center)
    number = 0
    for kind, item in _groups(plan.rows, plan.regulation):
        cells = table.add_row().cells
        if kind == "row":
            number += 1
            for cell, text in zip(cells, _cells(item, plan.regulation, number), strict=True):  # type: ignore[arg-type]
                _cell_text(cell, text)
            cells[0].paragraphs[0].alignment = center
        else:
            merged = cells[0].merge(cells[-1]) if kind == "block" else cells[1].merge(cells[-1])
            _cell_text(merged, str(item), bold=True, align=center if kind == "block" else None)
    table.autofit = False
    for column, width in zip(table.columns, WIDTHS_CM, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, WIDTHS_CM, strict=False):
            cell.width = Cm(width)

    _paragraph(document, "")
    _paragraph(document, "IV. TỔ CHỨC THỰC HIỆN", bold=True)
    _paragraph(
        document,
        "- Hiệu trưởng chỉ đạo, phân công người phụ trách từng nội dung; tổ chức "
        "sơ kết cuối học kỳ I và đánh giá kết quả vào cuối năm học.",
    )
    _paragraph(
        document,
        "- Cá nhân được phân công lập báo cáo kết quả thực hiện kèm minh chứng "
        "gửi Hiệu trưởng trước ngày 30/5.",
    )
    sign = document.add_table(rows=1, cols=2)
    _borderless(sign)
    receivers, signer = sign.rows[0].cells
    _cell_text(receivers, "Nơi nhận:", bold=True, size=12)
    _cell_text(
        receivers,
        "- Hội đồng tự đánh giá;\n- Các bộ phận, cá nhân được phân công;\n- Lưu: VT.",
        size=11,
    )
    _cell_text(signer, "HIỆU TRƯỞNG", bold=True, align=center)
    _cell_text(signer, "\n\n\n" + (plan.principal or ""), bold=True, align=center)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- XLSX


def write_xlsx(plan: PlanDocument, owners: dict[int, str], status: dict[int, str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = plan.school_year
    sheet.append(
        [
            f"KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG GIÁO DỤC NĂM HỌC {plan.school_year} — "
            f"{plan.school.upper()}"
        ]
    )
    sheet.append([*HEADERS, *XLSX_EXTRA])
    bold = Font(name=FONT, bold=True)
    for cell in sheet[2]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    width = len(HEADERS) + len(XLSX_EXTRA)
    number = 0
    for kind, item in _groups(plan.rows, plan.regulation):
        if kind == "row":
            row: PlanRow = item  # type: ignore[assignment]
            number += 1
            sheet.append(
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
                sheet.append([str(item)])
                sheet.merge_cells(start_row=at, start_column=1, end_row=at, end_column=width)
            else:
                sheet.append(["", str(item)])
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
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
