"""The end-of-year report ("Báo cáo kết quả thực hiện kế hoạch cải tiến chất lượng") as DOCX,
and the evidence files as one ZIP arranged by criterion."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from bot.documents.docx_style import add_paragraph, add_run, new_document, set_cell_text
from bot.documents.plan_export import criterion_cell, grouped_rows
from bot.services.plans import PlanDocument
from bot.services.progress import RowProgress, status_vi
from db.models import PlanRow, ProgressReport, ProgressStatus


def write_report_docx(plan: PlanDocument, progress: list[RowProgress]) -> bytes:
    document = new_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    add_paragraph(document, plan.school.upper(), bold=True)
    add_paragraph(document, "BÁO CÁO", bold=True, align=center, size=14, space_after=0)
    add_paragraph(
        document,
        f"Kết quả thực hiện kế hoạch cải tiến chất lượng giáo dục năm học {plan.school_year}",
        bold=True,
        align=center,
        size=14,
    )

    add_paragraph(document, "I. TỔNG HỢP THEO TIÊU CHUẨN", bold=True)
    columns = (
        "Tiêu chuẩn",
        "Số nội dung",
        "Hoàn thành",
        "Đang thực hiện",
        "Gặp khó khăn",
        "Chưa thực hiện / chưa báo cáo",
        "Kinh phí dự kiến (đồng)",
    )
    summary = document.add_table(rows=1, cols=len(columns))
    summary.style = "Table Grid"
    for cell, text in zip(summary.rows[0].cells, columns, strict=True):
        set_cell_text(cell, text, bold=True, align=center)
    groups: dict[str, list[RowProgress]] = {}
    for item in progress:
        key = "Mức 4" if item.row.block == "M4" else f"Tiêu chuẩn {item.row.standard or '?'}"
        groups.setdefault(key, []).append(item)
    for key, items in [*groups.items(), ("Cộng", progress)]:
        statuses = [i.status for i in items]
        budget = sum(i.row.budget_vnd or 0 for i in items)
        values = (
            key,
            len(items),
            statuses.count(ProgressStatus.DONE),
            statuses.count(ProgressStatus.IN_PROGRESS),
            statuses.count(ProgressStatus.DIFFICULTY),
            sum(1 for s in statuses if s in (None, ProgressStatus.NOT_STARTED)),
            f"{budget:,}".replace(",", "."),
        )
        cells = summary.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            set_cell_text(cell, str(value), bold=key == "Cộng")

    add_paragraph(document, "")
    add_paragraph(document, "II. KẾT QUẢ THỰC HIỆN TỪNG NỘI DUNG", bold=True)
    by_row = {item.row.id: item for item in progress}
    for kind, entry in grouped_rows(plan.rows, plan.regulation):
        if kind != "row":
            add_paragraph(document, str(entry), bold=True, italic=True)
            continue
        assert isinstance(entry, PlanRow)
        item = by_row[entry.id]
        row = item.row
        add_paragraph(
            document, f"{row.position}. {criterion_cell(row, plan.regulation)}", bold=True
        )
        lines = [
            ("Kết quả cần đạt", row.expected_result),
            ("Công việc/giải pháp", row.tasks),
            ("Người phụ trách", item.owners or row.lead_text),
            ("Thời gian", row.timeline_text),
            ("Kết quả (trạng thái cuối)", status_vi(item.status)),
        ]
        for label, value in lines:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(0)
            add_run(paragraph, f"{label}: ", bold=True)
            add_run(paragraph, value or "—")
        last: dict[object, ProgressReport] = {}
        for report in item.reports:
            last.pop(report.member_id, None)
            last[report.member_id] = report
        for report in last.values():
            who = report.member.display_name if report.member else "—"
            day = report.created_at.strftime("%d/%m/%Y")
            add_paragraph(
                document, f"- {who} ({day}): {report.text or ''}", italic=True, space_after=0
            )
        files = [(e, r) for r in item.reports for e in r.evidence]
        if files:
            add_paragraph(document, "Minh chứng:", bold=True, space_after=0)
            for evidence, report in files:
                who = report.member.display_name if report.member else "—"
                add_paragraph(
                    document,
                    f"  • {evidence.file_name} — "
                    f"{evidence.created_at.strftime('%d/%m/%Y')} — {who}",
                    space_after=0,
                )
        add_paragraph(document, "")

    add_paragraph(document, "III. NHỮNG NỘI DUNG CHUYỂN SANG NĂM HỌC SAU", bold=True)
    remaining = [i for i in progress if i.status != ProgressStatus.DONE]
    if not remaining:
        add_paragraph(document, "Tất cả nội dung đã hoàn thành.")
    for item in remaining:
        add_paragraph(
            document,
            f"- {criterion_cell(item.row, plan.regulation)}: {status_vi(item.status).lower()}",
            space_after=0,
        )
    add_paragraph(document, "")
    add_paragraph(document, "HIỆU TRƯỞNG", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_paragraph(document, plan.principal or "", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _safe(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", "_", name).strip() or "file"


def write_evidence_zip(progress: list[RowProgress], read: Callable[[str], bytes]) -> bytes:
    """Evidence files in folders per criterion: "1.4/2026-05-20 Đặng Thị Lan - anh.jpg"."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        used: set[str] = set()
        for item in progress:
            folder = _safe(f"{item.row.position:02d} {item.row.criterion_code or 'khac'}")
            for report in item.reports:
                who = report.member.display_name if report.member else "khac"
                for evidence in report.evidence:
                    base = (
                        f"{folder}/{evidence.created_at:%Y-%m-%d} {_safe(who)} - "
                        f"{_safe(evidence.file_name)}"
                    )
                    name, n = base, 1
                    while name in used:
                        n += 1
                        name = f"{base} ({n})"
                    used.add(name)
                    archive.writestr(name, read(evidence.path))
    return buffer.getvalue()
