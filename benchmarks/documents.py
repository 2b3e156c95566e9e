"""Import and export of a 60-row plan: seconds per operation, against a baseline in the same run.

The baseline is python-docx / openpyxl alone doing the least work on the same data (opening
the file and reading every cell; writing a bare 9-column table), so the ratio shows what the
importer's and exporter's own logic costs.

    python -m benchmarks.documents --rows 60 --repeat 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import tempfile
import time
from collections.abc import Callable

import docx
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from bot.documents.plan_export import HEADERS, write_docx, write_xlsx
from bot.documents.plan_import import read_plan
from bot.services import plans
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from db.models import Member, Plan, School
from db.session import Database

TASKS = (
    "- Các tổ xây dựng kế hoạch thực hiện chuyên đề sát với yêu cầu;\n"
    "- Tổ chức sinh hoạt chuyên môn theo nghiên cứu bài học hai lần mỗi tháng;\n"
    "- Sơ kết học kỳ I, tổng kết cuối năm, rút kinh nghiệm."
)


def timed(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def build_plan(rows: int):
    tmp = tempfile.mkdtemp()
    db = Database(f"sqlite:///{tmp}/bench.db")
    db.upgrade()
    with db.transaction() as session:
        school, invite = create_school(session, "THCS Lê Quý Đôn", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Hà"))
        principal = join_with_code(session, person, invite.code, dt.datetime.now(dt.UTC)).member
        plan = plans.ensure_plan(session, school, "2025-2026")
        seed_rows(session, school, plan, principal, rows)
        document = plans.plan_document(session, school, plan, dt.date(2025, 9, 5))
    return document


def seed_rows(session: Session, school: School, plan: Plan, author: Member, rows: int) -> None:
    """Write `rows` complete rows into `plan`, criteria in the regulation's order (also used
    by the throughput benchmark for the plan its exporters export)."""
    regulation = plans.regulation_of(school)
    codes = [c.code for c in regulation.criteria()]
    first, second = plan.school_year.split("-")
    for i in range(rows):
        row = plans.new_draft(session, author, plan)
        plans.set_criterion(session, row, regulation, codes[i % len(codes)], author)
        for field, value in (
            ("expected_result", "Giữ vững Mức 2, phấn đấu đạt Mức 3"),
            ("tasks", TASKS),
            ("lead_text", "PHT chuyên môn, TTCM"),
            ("timeline_text", f"Tháng 9/{first} – 5/{second}"),
            ("budget_text", "Dự kiến 5.000.000/năm học"),
            ("support", "BĐD CMHS hỗ trợ"),
        ):
            plans.set_field(session, row, field, value, plan.school_year, author)
        plans.save_draft(session, row, author)


def baseline_docx_write(document) -> bytes:
    out = docx.Document()
    table = out.add_table(rows=1, cols=len(HEADERS))
    for row in document.rows:
        cells = table.add_row().cells
        for cell, value in zip(
            cells,
            (
                str(row.position),
                row.criterion_code,
                row.expected_result,
                row.tasks,
                row.lead_text,
                row.timeline_text,
                row.budget_text,
                row.support,
                row.notes or "",
            ),
            strict=True,
        ):
            cell.text = value or ""
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def baseline_docx_read(data: bytes) -> int:
    return sum(
        len(c.text) for t in docx.Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells
    )


def baseline_xlsx_write(document) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in document.rows:
        sheet.append([row.position, row.criterion_code, row.expected_result, row.tasks])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def baseline_xlsx_read(data: bytes) -> int:
    sheet = load_workbook(io.BytesIO(data)).active
    return sum(1 for _ in sheet.iter_rows(values_only=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    document = build_plan(args.rows)
    docx_bytes = write_docx(document)
    xlsx_bytes = write_xlsx(document, {}, {})
    assert len(read_plan(docx_bytes, "p.docx").rows) == args.rows
    assert len(read_plan(xlsx_bytes, "p.xlsx").rows) == args.rows
    figures = [
        ("export DOCX", lambda: write_docx(document), lambda: baseline_docx_write(document)),
        (
            "import DOCX",
            lambda: read_plan(docx_bytes, "p.docx"),
            lambda: baseline_docx_read(docx_bytes),
        ),
        (
            "export XLSX",
            lambda: write_xlsx(document, {}, {}),
            lambda: baseline_xlsx_write(document),
        ),
        (
            "import XLSX",
            lambda: read_plan(xlsx_bytes, "p.xlsx"),
            lambda: baseline_xlsx_read(xlsx_bytes),
        ),
    ]
    print(f"{args.rows}-row plan, median of {args.repeat} runs")
    for name, ours, baseline in figures:
        mine, base = timed(ours, args.repeat), timed(baseline, args.repeat)
        print(
            f"{name}: {mine * 1000:7.1f} ms   baseline {base * 1000:7.1f} ms   "
            f"ratio {mine / base:5.2f}"
        )


if __name__ == "__main__":
    main()
