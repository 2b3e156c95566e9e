"""The look of every DOCX the bot writes: landscape A4, Times New Roman, plain tables.

Built with python-docx; the only raw XML is what it has no API for (a header row repeated on
every page, borderless layout tables, the East Asian font name). Text goes in through
`add_paragraph`, `add_run` and `set_cell_text`, which make it fit XML (`document_text`).
"""

from __future__ import annotations

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

FONT = "Times New Roman"


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


def borderless(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def new_document() -> DocumentObject:
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
