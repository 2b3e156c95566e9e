"""What XML cannot hold is mapped for the documents only: Word line breaks, other controls."""

from __future__ import annotations

import docx
import pytest

from bot.documents.links import LinkCard, write_links_docx
from bot.documents.text import document_text

KEPT = "Giữ nguyên: tab\t, emoji 🎓, عربى, \x7f, zero width\u200b, ½ ²."


@pytest.mark.parametrize(
    ("typed", "in_document"),
    [
        ("dòng 1\x0bdòng 2", "dòng 1\ndòng 2"),  # Word's Shift+Enter
        ("trang 1\x0ctrang 2", "trang 1\ntrang 2"),  # Word's page break
        ("a\r\nb\rc", "a\nb\nc"),
        ("chuông\x07 \x1b[31mđỏ\x1b[0m", "chuông [31mđỏ[0m"),
        # Of the C0 controls: tab and newline kept, VT, FF and CR become newlines.
        ("".join(chr(c) for c in range(32)), "\t\n\n\n\n"),
        ("\ud800x\ufffe\uffff", "x"),
        (KEPT, KEPT),
    ],
)
def test_document_text(typed, in_document):
    assert document_text(typed) == in_document


def test_links_document_with_control_characters(tmp_path):
    path = tmp_path / "links.docx"
    cards = [
        LinkCard("Đặng\x07 Thị\x0bLan", "giáo viên\x1b", "Tổ\x00 Toán", "https://t.me/b?start=x")
    ]
    write_links_docx(path, "THCS\x0c Lê Quý Đôn", cards)
    written = docx.Document(str(path))
    assert written.paragraphs[0].text == "THCS\n Lê Quý Đôn — link tham gia trợ lý caitien"
    block = [p.text for p in written.tables[0].rows[0].cells[0].paragraphs]
    assert block == ["Đặng Thị\nLan", "giáo viên — Tổ Toán", "https://t.me/b?start=x"]
