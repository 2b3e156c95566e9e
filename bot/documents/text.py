"""Text as a document can hold it: what the school typed, minus what XML cannot carry.

DOCX and XLSX are XML, and XML 1.0 has no place for most C0 control characters: lxml
(python-docx) and openpyxl refuse a string with one, so a single row pasted from Word with a
vertical tab in it would make every export of that school's plan fail. Every writer in
bot/documents passes text through `document_text`; the database keeps what was typed.
"""

from __future__ import annotations

import re

# What XML 1.0 refuses: C0 controls but tab, newline and carriage return; lone surrogates;
# U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Word writes a manual line break (Shift+Enter) as a vertical tab, a page break as a form feed.
_LINE_BREAKS = frozenset("\x0b\x0c")


def _replace(match: re.Match[str]) -> str:
    return "\n" if match.group() in _LINE_BREAKS else ""


def document_text(text: str) -> str:
    """`text` for a document: line breaks from Word (vertical tab, form feed) and Windows
    line ends become newlines, other characters XML cannot hold (BEL, ESC, NUL…) are removed;
    everything else is kept as typed."""
    return _NOT_XML.sub(_replace, text.replace("\r\n", "\n").replace("\r", "\n"))
