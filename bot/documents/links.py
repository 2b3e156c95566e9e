"""A printable DOCX of each member's join link and QR code, to hand out in a staff meeting."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import qrcode
from docx import Document
from docx.shared import Cm, Pt
from qrcode.image.pure import PyPNGImage

from bot.documents.text import document_text


@dataclass(frozen=True)
class LinkCard:
    name: str
    role: str  # as shown to people, e.g. "giáo viên, nhân viên"
    title: str | None
    url: str


def qr_png(url: str) -> bytes:
    image = qrcode.make(url, image_factory=PyPNGImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def write_links_docx(path: Path, school: str, cards: list[LinkCard]) -> None:
    """One block per member: name, role, the link and its QR code (Times New Roman)."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    document.add_heading(document_text(f"{school} — link tham gia trợ lý caitien"), level=1)
    document.add_paragraph(
        "Mỗi thầy/cô quét mã QR hoặc mở link của mình trên điện thoại (Telegram). "
        "Mỗi link chỉ dùng cho một người."
    )
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for card in cards:
        cells = table.add_row().cells
        who = cells[0].paragraphs[0]
        who.add_run(document_text(card.name)).bold = True
        role = card.role + (f" — {card.title}" if card.title else "")
        cells[0].add_paragraph(document_text(role))
        cells[0].add_paragraph(document_text(card.url))
        picture = cells[1].paragraphs[0].add_run()
        picture.add_picture(io.BytesIO(qr_png(card.url)), width=Cm(4))
    document.save(str(path))
