"""The plan DOCX and the end-of-year report of a seeded school, read back with python-docx:
the national heading, authority, "Số:", place and date, the principal's full name as set,
standards in numeric order (1.9 before 1.10, Mức 4 last), no "★", evidence by what it is with
codes [H1-1.1-01], and a photo as a picture in the report."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import docx
from PIL import Image

from bot.documents.plan_export import write_docx
from bot.documents.report import write_report_docx
from bot.domain import document_settings
from bot.services import members, owners, plans, progress
from bot.services.files import FileStore
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from tests.unit.test_storage import NOW

STORE = FileStore(Path(tempfile.mkdtemp()))


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _all_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def seeded(db, with_settings: bool = True):
    with db.transaction() as session:
        school, invite = create_school(session, "THCS Lê Quý Đôn", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Hà"))  # the Telegram first name
        principal = join_with_code(session, person, invite.code, NOW).member
        if with_settings:
            document_settings.update(
                school,
                authority="UBND PHƯỜNG THỦ ĐỨC",
                place="Thủ Đức",
                symbol="KH-THCSLQĐ",
                principal_name="Nguyễn Thị Thu Hà",
            )
        lan, _ = members.add_member(session, school, "Đặng Thị Lan", "staff", "Tổ trưởng")
        plan = plans.ensure_plan(session, school, "2025-2026")
        regulation = plans.regulation_of(school)
        rows = {}
        for code in ("1.10", "5.2", "1.9", "2.1"):  # written out of order
            row = plans.new_draft(session, principal, plan)
            plans.set_criterion(session, row, regulation, code, principal)
            plans.set_field(session, row, "tasks", f"Việc {code}", "2025-2026", principal)
            plans.set_field(
                session, row, "timeline_text", "Tháng 9/2025 – 30/05/2026", "2025-2026", principal
            )
            plans.save_draft(session, row, principal)
            rows[code] = row
        level4 = plans.new_draft(session, principal, plan)
        plans.set_level4(session, level4, 2, "Tiêu chí 2 (Mức 4): kế hoạch chiến lược", principal)
        plans.set_field(session, level4, "tasks", "Việc Mức 4", "2025-2026", principal)
        plans.save_draft(session, level4, principal)
        owners.set_owners(session, rows["1.9"], [lan.id], lan.id, principal)
        report = progress.add_report(session, rows["1.9"], lan, "done", "Đã tổ chức", "end_year")
        progress.add_evidence(
            session, STORE, report, school.id, "anh-AgADBQ.jpg", "image/jpeg", _jpeg(),
            caption="Ảnh buổi sinh hoạt chuyên đề STEM",
        )  # fmt: skip
        progress.add_evidence(
            session, STORE, report, school.id, "bien-ban-hop-to.pdf", "application/pdf", b"%PDF-1"
        )
        progress.add_evidence(
            session, STORE, report, school.id, "anh-AgADBR.jpg", "image/jpeg", b"not a jpeg"
        )
        document = plans.plan_document(session, school, plan, dt.date(2026, 6, 10))
        items = progress.row_progress(session, plan.id, document.rows)
        return write_docx(document), write_report_docx(document, items, STORE.read)


def test_plan_docx_is_ready_to_sign(db):
    plan, _ = seeded(db)
    exported = docx.Document(io.BytesIO(plan))
    head = "\n".join(c.text for c in exported.tables[0].rows[0].cells)
    left, right = (c.text.split("\n") for c in exported.tables[0].rows[0].cells)
    assert left[:2] == ["UBND PHƯỜNG THỦ ĐỨC", "THCS LÊ QUÝ ĐÔN"]
    assert "Số: …/KH-THCSLQĐ" in left
    assert right[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert "Thủ Đức, ngày 10 tháng 6 năm 2026" in head
    assert exported.tables[0].rows[0].cells[0].paragraphs[1].runs[0].bold  # the school, bold
    sign = "\n".join(c.text for c in exported.tables[-1].rows[0].cells)
    assert "HIỆU TRƯỞNG" in sign and "Nguyễn Thị Thu Hà" in sign
    text = _all_text(exported)
    assert "★" not in text and "\nHà\n" not in text
    table = exported.tables[1]
    criteria = [r.cells[1].text for r in table.rows[1:]]
    order = [
        next(i for i, c in enumerate(criteria) if c.startswith(prefix))
        for prefix in ("Tiêu chuẩn 1", "Tiêu chí 1.9", "Tiêu chí 1.10", "Tiêu chuẩn 2",
                       "Tiêu chuẩn 5", "Tiêu chí 5.2", "Tiêu chí 2 (Mức 4)")
    ]  # fmt: skip
    assert order == sorted(order)
    numbers = [r.cells[0].text for r in table.rows[1:] if r.cells[0].text.isdigit()]
    assert numbers == ["1", "2", "3", "4", "5"]
    widths = [round(c.width.cm, 1) for c in table.rows[0].cells]
    assert widths[0] >= 1.0 and table._tbl.tblPr.xpath("w:tblLayout/@w:type") == ["fixed"]


def test_settings_not_set_leave_dotted_blanks(db):
    plan, report = seeded(db, with_settings=False)
    for content, kind in ((plan, "KH"), (report, "BC")):
        exported = docx.Document(io.BytesIO(content))
        head = "\n".join(c.text for c in exported.tables[0].rows[0].cells)
        assert f"Số: …/{kind}-…" in head
        assert "……, ngày … tháng … năm …" in head
        sign = exported.tables[-1].rows[0].cells[1].text
        assert "HIỆU TRƯỞNG" in sign and "…" in sign and "Hà" not in sign


def test_report_is_ready_to_sign_with_evidence_by_what_it_is(db):
    _, report = seeded(db)
    exported = docx.Document(io.BytesIO(report))
    head = "\n".join(c.text for c in exported.tables[0].rows[0].cells)
    assert "UBND PHƯỜNG THỦ ĐỨC" in head and "Số: …/BC-THCSLQĐ" in head
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head and "Độc lập - Tự do - Hạnh phúc" in head
    assert "Thủ Đức, ngày 10 tháng 6 năm 2026" in head
    sign = "\n".join(c.text for c in exported.tables[-1].rows[0].cells)
    assert "HIỆU TRƯỞNG" in sign and "Nguyễn Thị Thu Hà" in sign
    text = _all_text(exported)
    assert "★" not in text and "Đặng Thị Lan (chủ trì)" in text
    summary = [r.cells[0].text for r in exported.tables[1].rows[1:]]
    assert summary == ["Tiêu chuẩn 1", "Tiêu chuẩn 2", "Tiêu chuẩn 5", "Mức 4", "Cộng"]
    body = [p.text for p in exported.paragraphs]
    first = body.index(next(p for p in body if p.startswith("1. Tiêu chí 1.9")))
    second = body.index(next(p for p in body if p.startswith("2. Tiêu chí 1.10")))
    assert first < second
    [evidence] = [t for t in exported.tables if t.rows[0].cells[0].text == "Mã minh chứng"]
    listed = [[c.text for c in r.cells] for r in evidence.rows[1:]]
    assert [r[0] for r in listed] == ["[H1-1.9-01]", "[H1-1.9-02]", "[H1-1.9-03]"]
    assert listed[0][1].strip() == "Ảnh buổi sinh hoạt chuyên đề STEM"  # caption, picture below
    assert listed[1][1] == "bien-ban-hop-to.pdf"  # the file's own name
    assert listed[2][1] == "Ảnh"  # a photo sent without words: no storage name
    assert all(r[2] == "1.9" and r[4] == "Đặng Thị Lan" for r in listed)
    assert "anh-AgAD" not in text
    pictures = exported.inline_shapes
    assert len(pictures) == 1  # the readable photo; the damaged one is listed without it
    assert 4.0 <= pictures[0].width.cm <= 5.0


def test_report_is_portrait_and_the_signature_never_splits(db):
    """Seen on the rendered pages (LibreOffice → PNG): a report is a portrait A4 page with
    Nghị định 30's margins (the plan's table stays landscape), and HIỆU TRƯỞNG is never left on
    one page with the principal's name on the next."""
    plan, report = seeded(db)
    for content, portrait in ((plan, False), (report, True)):
        exported = docx.Document(io.BytesIO(content))
        section = exported.sections[0]
        assert (section.page_width < section.page_height) is portrait
        sign = exported.tables[-1].rows[0]._tr
        assert sign.trPr is not None and sign.trPr.xpath("w:cantSplit")
    section = docx.Document(io.BytesIO(report)).sections[0]
    assert round(section.left_margin.cm, 1) == 3.0 and round(section.right_margin.cm, 1) == 2.0
