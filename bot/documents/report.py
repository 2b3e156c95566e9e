"""The end-of-year report ("Báo cáo kết quả thực hiện kế hoạch cải tiến chất lượng") as DOCX,
and the evidence files as one ZIP arranged by criterion."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from bot.documents.plan_export import (
    PlanDocument,
    _cell_text,
    _font,
    _groups,
    _paragraph,
    criterion_cell,
    new_document,
)
from db.models import PlanRow, ProgressReport, ProgressStatus

STATUS_VI = {
    ProgressStatus.NOT_STARTED: "Chưa thực hiện",
    ProgressStatus.IN_PROGRESS: "Đang thực hiện",
    ProgressStatus.DONE: "Hoàn thành",
    ProgressStatus.DIFFICULTY: "Gặp khó khăn",
    None: "Chưa có báo cáo",
}


@dataclass(frozen=True)
class RowProgress:
    row: PlanRow
    owners: str
    reports: list[ProgressReport]  # oldest first

    @property
    def status(self) -> str | None:
        return self.reports[-1].status if self.reports else None


def write_report_docx(plan: PlanDocument, progress: list[RowProgress]) -> bytes:
    document = new_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, plan.school.upper(), bold=True)
    _paragraph(document, "BÁO CÁO", bold=True, align=center, size=14, space_after=0)
    _paragraph(
        document,
        f"Kết quả thực hiện kế hoạch cải tiến chất lượng giáo dục năm học {plan.school_year}",
        bold=True,
        align=center,
        size=14,
    )

    _paragraph(document, "I. TỔNG HỢP THEO TIÊU CHUẨN", bold=True)
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
        _cell_text(cell, text, bold=True, align=center)
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
            _cell_text(cell, str(value), bold=key == "Cộng")

    _paragraph(document, "")
    _paragraph(document, "II. KẾT QUẢ THỰC HIỆN TỪNG NỘI DUNG", bold=True)
    by_row = {item.row.id: item for item in progress}
    for kind, entry in _groups(plan.rows, plan.regulation):
        if kind != "row":
            _paragraph(document, str(entry), bold=True, italic=True)
            continue
        item = by_row[entry.id]  # type: ignore[attr-defined]
        row = item.row
        _paragraph(document, f"{row.position}. {criterion_cell(row, plan.regulation)}", bold=True)
        lines = [
            ("Kết quả cần đạt", row.expected_result),
            ("Công việc/giải pháp", row.tasks),
            ("Người phụ trách", item.owners or row.lead_text),
            ("Thời gian", row.timeline_text),
            ("Kết quả (trạng thái cuối)", STATUS_VI.get(item.status, str(item.status))),
        ]
        for label, value in lines:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(0)
            _font(paragraph.add_run(f"{label}: "), bold=True)
            _font(paragraph.add_run(value or "—"))
        last: dict[object, ProgressReport] = {}
        for report in item.reports:
            last.pop(report.member_id, None)
            last[report.member_id] = report
        for report in last.values():
            who = report.member.display_name if report.member else "—"
            day = report.created_at.strftime("%d/%m/%Y")
            _paragraph(
                document, f"- {who} ({day}): {report.text or ''}", italic=True, space_after=0
            )
        files = [(e, r) for r in item.reports for e in r.evidence]
        if files:
            _paragraph(document, "Minh chứng:", bold=True, space_after=0)
            for evidence, report in files:
                who = report.member.display_name if report.member else "—"
                _paragraph(
                    document,
                    f"  • {evidence.file_name} — "
                    f"{evidence.created_at.strftime('%d/%m/%Y')} — {who}",
                    space_after=0,
                )
        _paragraph(document, "")

    _paragraph(document, "III. NHỮNG NỘI DUNG CHUYỂN SANG NĂM HỌC SAU", bold=True)
    remaining = [i for i in progress if i.status != ProgressStatus.DONE]
    if not remaining:
        _paragraph(document, "Tất cả nội dung đã hoàn thành.")
    for item in remaining:
        _paragraph(
            document,
            f"- {criterion_cell(item.row, plan.regulation)}: "
            f"{STATUS_VI.get(item.status, str(item.status)).lower()}",
            space_after=0,
        )
    _paragraph(document, "")
    _paragraph(document, "HIỆU TRƯỞNG", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, plan.principal or "", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
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
