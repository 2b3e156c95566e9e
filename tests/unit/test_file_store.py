"""Evidence files on disk keep a name any file system takes, whatever the sender called them."""

from __future__ import annotations

import pytest

from bot.services import plans, progress
from bot.services.files import MAX_NAME_BYTES, FileStore, safe_name
from tests.unit.test_storage import make_school


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


def test_evidence_with_a_long_name_and_mime_type_is_recorded(db, tmp_path):
    """Cut to the columns' lengths (PostgreSQL refuses longer values), whole enough to read."""
    with db.transaction() as session:
        school, principal = make_school(session)
        plan = plans.ensure_plan(session, school, "2026-2027")
        row = plans.new_draft(session, principal, plan)
        report = progress.add_report(session, row, principal, "done", None, "any")
        name = "Biên bản họp tổ chuyên môn 🎓 " * 10 + ".pdf"
        evidence = progress.add_evidence(
            session, FileStore(tmp_path), report, school.id, name, "x/" * 80, b"%PDF", "f" * 300
        )
    assert evidence.file_name == name[:255] and len(evidence.mime_type) == 100
    assert len(evidence.telegram_file_id) == 200
