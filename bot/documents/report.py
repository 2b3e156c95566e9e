"""The end-of-year report ("Báo cáo kết quả thực hiện kế hoạch cải tiến chất lượng") as DOCX,
and the evidence files as one ZIP arranged by criterion."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from bot.documents.docx_style import (
    add_paragraph,
    add_run,
    fixed_widths,
    headed_document,
    repeat_header,
    rows_whole,
    set_cell_text,
    signature_block,
)
from bot.documents.evidence import (
    PICTURE_WIDTH_CM,
    evidence_title,
    is_image,
    safe_name,
    thumbnail,
)
from bot.documents.plan_export import criterion_cell, grouped_rows
from bot.documents.report_tt57 import write_tt57_evidence_zip, write_tt57_report_docx
from bot.domain.catalog import is_level4_code
from bot.domain.constants import BLOCK_LEVEL_4
from bot.services.plans import PlanDocument
from bot.services.progress import RowProgress, last_text_per_owner, status_vi
from bot.services.year_report import Tt57Facts
from db.models import Evidence, PlanRow, ProgressReport, ProgressStatus

# Portrait A4, 16 cm of text width (docx_style.new_document(portrait=True)).
SUMMARY_WIDTHS_CM = (2.9, 1.7, 1.9, 1.9, 1.9, 2.5, 3.2)
EVIDENCE_WIDTHS_CM = (2.9, 6.1, 1.5, 2.4, 3.1)


@dataclass(frozen=True)
class EvidenceEntry:
    code: str  # "[H1-1.4-01]"
    title: str  # the owner's caption, else the file's own name
    criterion: str  # "1.4"
    day: dt.date
    who: str
    evidence: Evidence


def evidence_code(row: PlanRow, number: int) -> str:
    """The code in the style of the 2018 guidance (Công văn 5932): [H<standard>-<criterion>-nn],
    e.g. [H1-1.1-01]; a Mức 4 row [M4.2-01], a row without a criterion [MC-<row>-01]."""
    code = row.criterion_code or ""
    if is_level4_code(code):
        return f"[{code}-{number:02d}]"
    if row.standard and code:
        return f"[H{row.standard}-{code}-{number:02d}]"
    return f"[MC-{row.position or 0}-{number:02d}]"


def evidence_entries(progress: list[RowProgress], tz: dt.tzinfo) -> dict[int, list[EvidenceEntry]]:
    """Each row's evidence with its code, numbered per criterion in date order across the plan."""
    found: list[tuple[PlanRow, Evidence, ProgressReport]] = [
        (item.row, evidence, report)
        for item in progress
        for report in item.reports
        for evidence in report.evidence
    ]
    found.sort(key=lambda f: (f[1].created_at, f[1].id))
    counters: dict[str, int] = {}
    entries: dict[int, list[EvidenceEntry]] = {}
    for row, evidence, report in found:
        key = row.criterion_code or f"row {row.id}"
        counters[key] = counters.get(key, 0) + 1
        entries.setdefault(row.id, []).append(
            EvidenceEntry(
                code=evidence_code(row, counters[key]),
                title=evidence_title(evidence),
                criterion=(row.criterion_code or "").removeprefix("M4.") or "—",
                day=evidence.created_at.astimezone(tz).date(),
                who=report.member.display_name if report.member else "—",
                evidence=evidence,
            )
        )
    return entries


def _evidence_table(
    document: DocumentObject, entries: list[EvidenceEntry], read: Callable[[str], bytes] | None
) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=1, cols=len(EVIDENCE_WIDTHS_CM))
    table.style = "Table Grid"
    repeat_header(table.rows[0])
    for cell, text in zip(
        table.rows[0].cells,
        ("Mã minh chứng", "Tên minh chứng", "Tiêu chí", "Ngày", "Người gửi"),
        strict=True,
    ):
        set_cell_text(cell, text, bold=True, align=center, size=11)
        cell.paragraphs[0].paragraph_format.keep_with_next = True  # not alone at a page's foot
    for entry in entries:
        cells = table.add_row().cells
        set_cell_text(cells[0], entry.code, size=11)
        set_cell_text(cells[1], entry.title, size=11)
        set_cell_text(cells[2], entry.criterion, align=center, size=11)
        set_cell_text(cells[3], entry.day.strftime("%d/%m/%Y"), align=center, size=11)
        set_cell_text(cells[4], entry.who, size=11)
        if read is not None and is_image(entry.evidence):
            try:
                picture = thumbnail(read(entry.evidence.path))
            except (OSError, ValueError):  # the file is gone from the store
                picture = None
            if picture is not None:
                run = cells[1].add_paragraph().add_run()
                run.add_picture(io.BytesIO(picture), width=Cm(PICTURE_WIDTH_CM))
    fixed_widths(table, EVIDENCE_WIDTHS_CM)
    rows_whole(table)


def write_report_docx(
    plan: PlanDocument,
    progress: list[RowProgress],
    read: Callable[[str], bytes] | None = None,
    tt57: Tt57Facts | None = None,
) -> bytes:
    """The report in the form of an administrative document (national heading, "Số: …/BC-…",
    place and date, signature); evidence listed by what it is, with codes, photos as small
    pictures (read from the file store with `read`). A TT57 plan's (`tt57`, from
    `year_report.facts`) is written in its own form (`report_tt57`)."""
    if tt57 is not None:
        return write_tt57_report_docx(plan, progress, tt57, read)
    document = headed_document(plan.heading, plan.school, "BC", plan.date, portrait=True)
    center = WD_ALIGN_PARAGRAPH.CENTER
    tz = ZoneInfo(plan.timezone)
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
        set_cell_text(cell, text, bold=True, align=center, size=12)
    groups: dict[tuple[int, int], tuple[str, list[RowProgress]]] = {}
    for item in progress:
        if item.row.block == BLOCK_LEVEL_4:
            key, label = (1, 0), "Mức 4"
        else:
            number = item.row.standard
            key, label = (0, number or 99), f"Tiêu chuẩn {number or '?'}"
        groups.setdefault(key, (label, []))[1].append(item)
    ordered = [groups[key] for key in sorted(groups)]
    for label, items in [*ordered, ("Cộng", progress)]:
        statuses = [i.status for i in items]
        budget = sum(i.row.budget_vnd or 0 for i in items)
        values = (
            label,
            len(items),
            statuses.count(ProgressStatus.DONE),
            statuses.count(ProgressStatus.IN_PROGRESS),
            statuses.count(ProgressStatus.DIFFICULTY),
            sum(1 for s in statuses if s in (None, ProgressStatus.NOT_STARTED)),
            format_decimal(budget, locale="vi_VN"),
        )
        cells = summary.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            set_cell_text(
                cell, str(value), bold=label == "Cộng", align=None if i == 0 else center, size=12
            )
        cells[-1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fixed_widths(summary, SUMMARY_WIDTHS_CM)
    rows_whole(summary)

    add_paragraph(document, "")
    add_paragraph(document, "II. KẾT QUẢ THỰC HIỆN TỪNG NỘI DUNG", bold=True)
    by_row = {item.row.id: item for item in progress}
    entries = evidence_entries(progress, tz)
    number = 0
    for kind, entry in grouped_rows(plan.rows, plan.regulation):
        if kind != "row":
            add_paragraph(document, str(entry), bold=True, italic=True)
            continue
        assert isinstance(entry, PlanRow)
        item = by_row[entry.id]
        row = item.row
        number += 1
        add_paragraph(document, f"{number}. {criterion_cell(row, plan.regulation)}", bold=True)
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
        for report in last_text_per_owner(item.reports):
            who = report.member.display_name if report.member else "—"
            day = report.created_at.astimezone(tz).strftime("%d/%m/%Y")
            add_paragraph(
                document, f"- {who} ({day}): {report.text or ''}", italic=True, space_after=0
            )
        if entries.get(row.id):
            heading_line = add_paragraph(document, "Minh chứng:", bold=True, space_after=2)
            heading_line.paragraph_format.keep_with_next = True
            _evidence_table(document, entries[row.id], read)
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
    authority = plan.heading.authority or "…" * 12
    signature_block(
        document,
        f"- {authority} (để báo cáo);\n- Hội đồng tự đánh giá;\n- Lưu: VT.",
        plan.principal,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_evidence_zip(
    progress: list[RowProgress], read: Callable[[str], bytes], tt57: Tt57Facts | None = None
) -> bytes:
    """Evidence files in folders per criterion: "1.4/2026-05-20 Đặng Thị Lan - anh.jpg"; a TT57
    plan's in folders named by evidence code ("MC.2.2/MC.2.2.01 - bien-ban.pdf")."""
    if tt57 is not None:
        return write_tt57_evidence_zip(progress, tt57, read)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        used: set[str] = set()
        for item in progress:
            folder = safe_name(f"{item.row.position:02d} {item.row.criterion_code or 'khac'}")
            for report in item.reports:
                who = report.member.display_name if report.member else "khac"
                for evidence in report.evidence:
                    base = (
                        f"{folder}/{evidence.created_at:%Y-%m-%d} {safe_name(who)} - "
                        f"{safe_name(evidence.file_name)}"
                    )
                    name, n = base, 1
                    while name in used:
                        n += 1
                        name = f"{base} ({n})"
                    used.add(name)
                    archive.writestr(name, read(evidence.path))
    return buffer.getvalue()
