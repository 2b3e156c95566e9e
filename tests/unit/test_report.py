"""The end-of-year report and the evidence ZIP, from reports stored on the rows."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from pathlib import Path

import docx
from openpyxl import load_workbook

from bot.documents.report import write_evidence_zip, write_report_docx
from bot.services import members, owners, plans, progress
from bot.services.files import FileStore
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from tests.unit.test_cli import caitien
from tests.unit.test_storage import NOW

STORE: FileStore = FileStore(Path(tempfile.mkdtemp()))


def make_plan(db):
    with db.transaction() as session:
        school, invite = create_school(session, "THCS Lê Quý Đôn", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Nguyễn Thị Thu Hà"))
        principal = join_with_code(session, person, invite.code, NOW).member
        lan, _ = members.add_member(session, school, "Đặng Thị Lan", "staff", "Kế toán")
        plan = plans.ensure_plan(session, school, "2025-2026")
        regulation = plans.regulation_of(school)
        rows = []
        for code, budget in (("1.6", "5 triệu"), ("5.2", "Không")):
            row = plans.new_draft(session, principal, plan)
            plans.set_criterion(session, row, regulation, code, principal)
            plans.set_field(
                session, row, "expected_result", f"Kết quả {code}", "2025-2026", principal
            )
            plans.set_field(session, row, "budget_text", budget, "2025-2026", principal)
            plans.save_draft(session, row, principal)
            rows.append(row)
        owners.set_owners(session, rows[0], [lan.id], lan.id, principal)
        progress.add_report(session, rows[0], lan, "in_progress", "Đã rà soát sổ sách", "mid_year")
        final = progress.add_report(
            session, rows[0], lan, "done", "Hoàn thành quyết toán", "end_year"
        )
        for name, mime, content in (
            ("quyet-toan.pdf", "application/pdf", b"%PDF-1.4 ..."),
            ("anh 1.jpg", "image/jpeg", b"\xff\xd8 jpeg"),
        ):
            progress.add_evidence(session, STORE, final, school.id, name, mime, content)
        document = plans.plan_document(session, school, plan, dt.date(2026, 6, 10))
        items = progress.row_progress(session, plan.id, document.rows)
        return school.id, write_report_docx(document, items), write_evidence_zip(items, STORE.read)


def test_report_and_evidence(db):
    _, report, archive = make_plan(db)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(report)).paragraphs)
    tables = docx.Document(io.BytesIO(report)).tables
    summary = [[c.text for c in r.cells] for r in tables[1].rows]  # after the heading
    assert "Kết quả thực hiện kế hoạch cải tiến chất lượng giáo dục năm học 2025-2026" in text
    assert summary[-1] == ["Cộng", "2", "1", "0", "0", "1", "5.000.000"]
    assert "Kết quả (trạng thái cuối): Hoàn thành" in text
    assert "- Đặng Thị Lan" in text and "Hoàn thành quyết toán" in text
    assert "Đã rà soát sổ sách" not in text  # only each owner's last report
    cells = "\n".join(c.text for table in tables for r in table.rows for c in r.cells)
    assert "quyet-toan.pdf" in cells  # in the row's evidence table
    assert "III. NHỮNG NỘI DUNG CHUYỂN SANG NĂM HỌC SAU" in text
    assert "Tiêu chí 5.2" in text.split("III.")[1] and "Tiêu chí 1.6" not in text.split("III.")[1]
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert len(names) == 2 and all(n.startswith("01 1.6/") for n in names)
    assert any(n.endswith("Đặng Thị Lan - quyet-toan.pdf") for n in names)


def test_xlsx_export_carries_owners_and_latest_status(db, db_url, tmp_path):
    school_id, _, _ = make_plan(db)
    out = tmp_path / "ke-hoach.xlsx"
    done = caitien(
        db_url, "plan", "export", "--school", str(school_id), "--format", "xlsx", "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(out).active
    data = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[2]]
    assert data[0][12:14] == ("Đặng Thị Lan (chủ trì)", "Hoàn thành")
    assert data[1][13] == "Chưa có báo cáo"


def test_cli_report(db, db_url, tmp_path):
    school_id, _, _ = make_plan(db)
    out, evidence = tmp_path / "bao-cao.docx", tmp_path / "minh-chung.zip"
    done = caitien(
        db_url,
        "plan",
        "report",
        "--school",
        str(school_id),
        "--year",
        "2025-2026",
        "-o",
        str(out),
        "--evidence",
        str(evidence),
        files_dir=STORE.root,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["rows"] == 2 and result["done"] == 1 and result["evidence_files"] == 2
    assert out.stat().st_size > 0 and zipfile.is_zipfile(evidence)
