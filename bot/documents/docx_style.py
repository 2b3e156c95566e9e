"""The look of every DOCX the bot writes: A4 (landscape for the plan's wide table, portrait for
a report, as Nghị định 30/2020/NĐ-CP prints it), Times New Roman, plain tables.

Built with python-docx; the only raw XML is what it has no API for (a header row repeated on
every page, borderless layout tables, the East Asian font name). Text goes in through
`add_paragraph`, `add_run` and `set_cell_text`, which make it fit XML (`document_text`).
"""

from __future__ import annotations

import datetime as dt

from docx import Document
from docx.blkcntnr import BlockItemContainer
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from bot.documents.text import document_text
from bot.domain.document_settings import DocumentSettings, date_line, symbol_line

FONT = "Times New Roman"
# Landscape A4 with margins of 1.5 cm: 26.7 cm of text width.
HEADING_WIDTHS_CM = (11.0, 15.7)
SIGNATURE_WIDTHS_CM = (14.7, 12.0)
# Portrait A4 with Nghị định 30's margins (left 3 cm, right 2 cm): 16 cm of text width.
PORTRAIT_HEADING_WIDTHS_CM = (6.2, 9.8)
PORTRAIT_SIGNATURE_WIDTHS_CM = (8.0, 8.0)


def _portrait(document: DocumentObject) -> bool:
    section = document.sections[0]
    return bool(section.page_width is not None and section.page_width < Cm(25))


def set_font(run: Run, size: float = 13, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT)


def add_run(
    paragraph: Paragraph, text: str, size: float = 13, bold: bool = False, italic: bool = False
) -> Run:
    """A run of `text` (as a document can hold it) in the document's font."""
    run = paragraph.add_run(document_text(text))
    set_font(run, size, bold, italic)
    return run


def add_paragraph(
    container: DocumentObject | BlockItemContainer,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    size: float = 13,
    space_after: float = 3,
) -> Paragraph:
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    add_run(paragraph, text, size, bold, italic)
    return paragraph


def set_cell_text(
    cell: _Cell,
    text: str,
    *,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    size: float = 12,
) -> None:
    lines = document_text(text).split("\n") if text else [""]
    first = cell.paragraphs[0]
    fresh = not first.runs
    for i, line in enumerate(lines):
        paragraph = first if i == 0 and fresh else cell.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(0)
        add_run(paragraph, line, size, bold)


def repeat_header(row: _Row) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def rows_whole(table: Table) -> None:
    """No row split across two pages (a row's words stay together under its header)."""
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def borderless(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def fixed_widths(table: Table, widths_cm: tuple[float, ...]) -> None:
    """Columns of exactly these widths, kept by Word and LibreOffice alike (a fixed layout: an
    "autofit" table lets a renderer squeeze a narrow column until "TT" breaks inside)."""
    table.autofit = False
    properties = table._tbl.tblPr
    layout = properties.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        properties.append(layout)
    layout.set(qn("w:type"), "fixed")
    width = properties.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        properties.append(width)
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(round(sum(widths_cm) * 567)))
    for column, cm in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(cm)
    for row in table.rows:
        for cell, cm in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(cm)


def rule(cell: _Cell, indent_cm: float) -> None:
    """A short centred line under the paragraph above (under the school's name, under the
    tiêu ngữ), `indent_cm` in from each side of the cell."""
    paragraph = cell.add_paragraph()
    paragraph.paragraph_format.left_indent = Cm(indent_cm)
    paragraph.paragraph_format.right_indent = Cm(indent_cm)
    paragraph.paragraph_format.space_after = Pt(4)
    paragraph.paragraph_format.line_spacing = Pt(2)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def national_heading(
    document: DocumentObject, authority: str | None, school: str, symbol: str, date_line: str
) -> Table:
    """The head of an administrative document (Nghị định 30/2020/NĐ-CP): a borderless table,
    left the authority, the school (bold) over a short rule and "Số: …"; right the quốc hiệu
    and tiêu ngữ (bold) over a short rule and the place and date line (italic)."""
    center = WD_ALIGN_PARAGRAPH.CENTER
    head: Table = document.add_table(rows=1, cols=2)
    borderless(head)
    fixed_widths(head, PORTRAIT_HEADING_WIDTHS_CM if _portrait(document) else HEADING_WIDTHS_CM)
    left, right = head.rows[0].cells
    size = 12 if _portrait(document) else 13  # Nghị định 30: 12–13 pt, the quốc hiệu on one line
    set_cell_text(left, (authority or "…" * 12).upper(), align=center, size=size)
    set_cell_text(left, school.upper(), bold=True, align=center, size=size)
    rule(left, 2.0 if _portrait(document) else 3.5)
    set_cell_text(left, symbol, align=center, size=13)
    set_cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align=center, size=size)
    set_cell_text(right, "Độc lập - Tự do - Hạnh phúc", bold=True, align=center, size=14)
    rule(right, 2.6 if _portrait(document) else 4.6)
    paragraph = right.add_paragraph()
    paragraph.alignment = center
    add_run(paragraph, date_line, 13, italic=True)
    return head


def headed_document(
    heading: DocumentSettings, school: str, kind: str, date: dt.date, *, portrait: bool = False
) -> DocumentObject:
    """A new document opened by the national heading of a school's document of `kind` ("KH"
    for a plan, "BC" for a report), from its document settings, and a small space under it."""
    document = new_document(portrait=portrait)
    national_heading(
        document, heading.authority, school, symbol_line(heading, kind), date_line(heading, date)
    )
    add_paragraph(document, "", size=6)
    return document


def signature_block(
    document: DocumentObject, receivers: str | None, principal: str | None
) -> Table:
    """ "Nơi nhận" on the left (when given), on the right HIỆU TRƯỞNG, room to sign and stamp,
    and the principal's full name; a name not set yet is a dotted blank to write by hand."""
    center = WD_ALIGN_PARAGRAPH.CENTER
    sign: Table = document.add_table(rows=1, cols=2)
    borderless(sign)
    fixed_widths(sign, PORTRAIT_SIGNATURE_WIDTHS_CM if _portrait(document) else SIGNATURE_WIDTHS_CM)
    rows_whole(sign)  # HIỆU TRƯỞNG and the name on one page
    left, right = sign.rows[0].cells
    if receivers:
        paragraph = left.paragraphs[0]
        add_run(paragraph, "Nơi nhận:", 12, bold=True, italic=True)
        paragraph.paragraph_format.space_after = Pt(0)
        set_cell_text(left, receivers, size=11)
    set_cell_text(right, "HIỆU TRƯỞNG", bold=True, align=center, size=13)
    for _ in range(4):
        set_cell_text(right, "", size=13)
    set_cell_text(right, principal or "…" * 16, bold=True, align=center, size=13)
    return sign


def new_document(portrait: bool = False) -> DocumentObject:
    """An A4 document in Times New Roman 13, as school documents are printed: landscape with
    1.5 cm margins (the plan's nine columns), or portrait with Nghị định 30's margins (top and
    bottom 2 cm, left 3 cm, right 2 cm) for a report."""
    document = Document()
    section = document.sections[0]
    if portrait:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
        section.top_margin = section.bottom_margin = Cm(2.0)
    else:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(1.5)
        section.top_margin = section.bottom_margin = Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    return document
