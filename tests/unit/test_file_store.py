"""Evidence files on disk keep a name any file system takes, whatever the sender called them."""

from __future__ import annotations

import pytest

from bot.services.files import MAX_NAME_BYTES, FileStore, safe_name


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("ảnh 1.jpg", "ảnh 1.jpg"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("a\x07b\x0b.txt", "a_b_.txt"),
        ("", "file"),
        ("...", "file"),
        ("🎓" * 70 + ".pdf", "🎓" * 49 + ".pdf"),  # 4 bytes each: cut to 200 bytes, .pdf kept
        ("Biên bản " * 40 + ".docx", ("Biên bản " * 40)[:115] + ".docx"),  # 120 characters
    ],
)
def test_safe_name(sent, kept):
    assert safe_name(sent) == kept
    assert len(kept.encode()) <= MAX_NAME_BYTES


def test_a_long_name_in_utf8_is_stored(tmp_path):
    store = FileStore(tmp_path)
    relative, _ = store.save(1, 2, "🎓" * 70 + ".pdf", b"%PDF")  # 284 bytes: over 255
    assert relative.endswith(".pdf") and store.read(relative) == b"%PDF"
