"""The end-of-year report of a TT57-2026 plan (Biểu 2 of Phụ lục V) and its evidence list in
the style of Phụ lục IV, as DOCX, and the evidence files as one ZIP arranged by evidence code.

The words come from `bot/data/plan_templates.yaml` (column headers and their numbers, section
VI's columns and checkpoints, criterion 1.4's indicator, the evidence code and list columns).

Evidence codes are `MC.x.y.zz`: the criterion x.y the row answers (its own, else that of the
priority issue it is linked to), then a two-digit number counted per criterion across the plan
in the order the files arrived. A row that names no criterion gets `MC.<standard>.0.zz` when its
standard is known (its own or its issue's, e.g. an issue "Tiêu chuẩn 4" with no criterion) and
`MC.0.0.zz` when not: criteria are numbered from 1 within a standard, so ".0" never takes a real
criterion's code; it reads "the standard as a whole" (".0.0": "the plan as a whole"), and such
codes are listed after the criteria of their standard (`MC.0.0` last). The same file sent
twice (for two rows, or twice for one) is one piece of evidence: listed once, under its first
code, with the rows it serves in "Ghi chú".
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import _Cell

from bot.core.i18n import percent
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
from bot.documents.plan_export import criterion_cell
from bot.domain.templates import Template, template_of
from bot.services.plans import PlanDocument
from bot.services.progress import RowProgress, last_text_per_owner, status_vi
from bot.services.year_report import Tt57Facts
from db.models import Evidence, PlanRow, ProgressReport, ProgressStatus

# Portrait A4, 16 cm of text width (docx_style.new_document(portrait=True)).
LEVEL_WIDTHS_CM = (8.0, 4.0, 4.0)
REVIEW_WIDTHS_CM = (1.0, 2.9, 3.4, 3.4, 3.0, 2.3)
EVIDENCE_WIDTHS_CM = (1.0, 2.7, 5.2, 4.5, 2.6)
NO_LEVEL = "Chưa ghi mức độ"
_KINDS = {
    ".pdf": "Tệp PDF",
    ".doc": "Tệp Word (DOC)",
    ".docx": "Tệp Word (DOCX)",
    ".odt": "Tệp văn bản (ODT)",
    ".xls": "Tệp Excel (XLS)",
    ".xlsx": "Tệp Excel (XLSX)",
    ".ods": "Tệp bảng tính (ODS)",
    ".ppt": "Tệp PowerPoint (PPT)",
    ".pptx": "Tệp PowerPoint (PPTX)",
    ".txt": "Tệp văn bản (TXT)",
    ".zip": "Tệp nén (ZIP)",
    ".rar": "Tệp nén (RAR)",
}
_IMAGE_NAMES = {"JPG": "JPEG", "JPEG": "JPEG"}


@dataclass(frozen=True)
class Tt57Evidence:
    code: str  # "MC.2.2.01"
    title: str  # the owner's caption, else the file's own name
    kind: str  # "Tệp PDF", "Ảnh (JPEG)"
    archive_path: str  # "MC.2.2/MC.2.2.01 - bien-ban.pdf": where it is in the evidence ZIP
    who: str
    day: dt.date
    rows: tuple[int, ...]  # the report's numbers of the rows it serves (first one first)
    evidence: Evidence


@dataclass
class _Found:
    code: str
    order: tuple[bool, int, int, int]
    rows: list[int]
    path: str
    who: str
    evidence: Evidence


def criterion_key(criterion: str | None, standard: int | None) -> str:
    """ "2.2"; a row with no criterion: "<standard>.0", or "0.0" with no standard either."""
    if criterion:
        return criterion
    return f"{standard or 0}.0"


def _key_order(key: str) -> tuple[bool, int, int]:
    major, _, minor = key.partition(".")
    standard = int(major) if major.isdigit() else 0
    return (standard == 0, standard, int(minor) if minor.isdigit() else 0)


def file_kind(evidence: Evidence) -> str:
    """The file's type as a list of evidence names it: "Tệp PDF", "Ảnh (JPEG)", "Video (MP4)"."""
    suffix = PurePosixPath(evidence.file_name).suffix.lower()
    extension = suffix.removeprefix(".").upper()
    mime = evidence.mime_type or ""
    if is_image(evidence):
        name = _IMAGE_NAMES.get(extension, extension) or mime.removeprefix("image/").upper()
        return f"Ảnh ({name})" if name else "Ảnh"
    if mime.startswith("video/"):
        return f"Video ({extension})" if extension else "Video"
    if mime.startswith("audio/"):
        return f"Âm thanh ({extension})" if extension else "Âm thanh"
    if suffix in _KINDS:
        return _KINDS[suffix]
    return f"Tệp {extension}" if extension else "Tệp"


def tt57_evidence(
    progress: list[RowProgress], facts: Tt57Facts, tz: dt.tzinfo = dt.UTC
) -> tuple[list[Tt57Evidence], dict[int, list[str]]]:
    """The evidence list in code order, and each row's codes (in the order its files came)."""
    template = template_of(facts.template)
    numbers = {item.row.id: number for number, item in enumerate(progress, start=1)}
    found: list[tuple[PlanRow, Evidence, ProgressReport]] = [
        (item.row, evidence, report)
        for item in progress
        for report in item.reports
        for evidence in report.evidence
    ]
    found.sort(key=lambda f: (f[1].created_at, f[1].id))
    counters: dict[str, int] = {}
    listed: dict[str, _Found] = {}  # by sha256: one file is one piece of evidence
    per_row: dict[int, list[str]] = {}
    for row, evidence, report in found:
        same = listed.get(evidence.sha256)
        if same is not None:  # used again (another row, or the same row twice)
            if numbers[row.id] not in same.rows:
                same.rows.append(numbers[row.id])
            codes = per_row.setdefault(row.id, [])
            if same.code not in codes:
                codes.append(same.code)
            continue
        key = criterion_key(facts.criteria.get(row.id), facts.standards.get(row.id))
        counters[key] = counters.get(key, 0) + 1
        code = template.evidence_code.format(criterion=key, number=counters[key])
        folder = code.rsplit(".", 1)[0]
        listed[evidence.sha256] = _Found(
            code=code,
            order=(*_key_order(key), counters[key]),
            rows=[numbers[row.id]],
            path=f"{safe_name(folder)}/{safe_name(f'{code} - {evidence.file_name}')}",
            who=report.member.display_name if report.member else "—",
            evidence=evidence,
        )
        per_row.setdefault(row.id, []).append(code)
    entries = [
        Tt57Evidence(
            code=item.code,
            title=evidence_title(item.evidence),
            kind=file_kind(item.evidence),
            archive_path=item.path,
            who=item.who,
            day=item.evidence.created_at.astimezone(tz).date(),
            rows=tuple(item.rows),
            evidence=item.evidence,
        )
        for item in sorted(listed.values(), key=lambda found: found.order)
    ]
    return entries, per_row


def indicator_line(template: Template, done: int, total: int) -> str:
    """ "Số nhiệm vụ cải tiến hoàn thành / tổng số … theo kế hoạch: 5/7 (71,4 %)"."""
    ratio = f"{done}/{total}"
    if total:
        ratio += f" ({percent(done, total)} %)"
    return f"{template.indicator_14}: {ratio}"


def _numbered(template: Template, key: str) -> str:
    """A column's header with its number, as Biểu 2 numbers them: "Mục tiêu (3)"."""
    column = template.column(key)
    return f"{column.header} ({template.columns.index(column) + 1})"


def _title_without_number(title: str) -> str:
    """ "VI. THEO DÕI, ĐÁNH GIÁ" → "THEO DÕI, ĐÁNH GIÁ"."""
    head, dot, rest = title.partition(". ")
    return rest if dot and head.isupper() and head.isalpha() else title


def _header_row(cells: Sequence[_Cell], texts: Sequence[str]) -> None:
    for cell, text in zip(cells, texts, strict=True):
        set_cell_text(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=11)
        cell.paragraphs[0].paragraph_format.keep_with_next = True  # not alone at a page's foot


def _line(document: DocumentObject, label: str, value: str | None) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    add_run(paragraph, f"{label}: ", bold=True)
    add_run(paragraph, value or "—")


def _levels_table(
    document: DocumentObject, template: Template, progress: list[RowProgress], facts: Tt57Facts
) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    values = [facts.implementation.get(item.row.id) or NO_LEVEL for item in progress]
    labels = list(template.implementation_levels)
    labels += [v for v in dict.fromkeys(values) if v not in labels and v != NO_LEVEL]
    if NO_LEVEL in values:
        labels.append(NO_LEVEL)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    headers = (_numbered(template, "implementation"), "Số nội dung", "Tỉ lệ")
    _header_row(table.rows[0].cells, headers)
    total = len(values)
    for label, count in [*((label, values.count(label)) for label in labels), ("Cộng", total)]:
        share = percent(count, total)
        cells = table.add_row().cells
        bold = label == "Cộng"
        set_cell_text(cells[0], label, bold=bold, size=12)
        set_cell_text(cells[1], str(count), bold=bold, align=center, size=12)
        set_cell_text(cells[2], f"{share} %" if total else "—", bold=bold, align=center, size=12)
    fixed_widths(table, LEVEL_WIDTHS_CM)
    rows_whole(table)


def _reviews_table(document: DocumentObject, template: Template, facts: Tt57Facts) -> None:
    monitoring = template.monitoring
    assert monitoring is not None
    table = document.add_table(rows=1, cols=len(monitoring.columns))
    table.style = "Table Grid"
    repeat_header(table.rows[0])
    _header_row(table.rows[0].cells, monitoring.headers)
    for number, review in enumerate(facts.reviews, start=1):
        cells = table.add_row().cells
        values = {
            "number": str(number),
            "checkpoint": review.label,
            "content": review.content,
            "result": review.result,
            "adjustment": review.adjustment,
            "evaluator": review.evaluator,
        }
        for cell, column in zip(cells, monitoring.columns, strict=True):
            align = WD_ALIGN_PARAGRAPH.CENTER if column.key == "number" else None
            set_cell_text(cell, values.get(column.key) or "", align=align, size=11)
    fixed_widths(table, REVIEW_WIDTHS_CM)
    rows_whole(table)


def _evidence_list(
    document: DocumentObject,
    template: Template,
    entries: list[Tt57Evidence],
    read: Callable[[str], bytes] | None,
) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=1, cols=len(template.evidence_columns))
    table.style = "Table Grid"
    repeat_header(table.rows[0])
    _header_row(table.rows[0].cells, template.evidence_columns)
    for number, entry in enumerate(entries, start=1):
        cells = table.add_row().cells
        note = f"{entry.who}, {entry.day:%d/%m/%Y}"
        if len(entry.rows) > 1:
            note += "; dùng cho nội dung " + ", ".join(str(n) for n in entry.rows)
        set_cell_text(cells[0], str(number), align=center, size=11)
        set_cell_text(cells[1], entry.code, size=11)
        set_cell_text(cells[2], entry.title, size=11)
        where = f"{entry.kind}\nTệp minh chứng (ZIP): {entry.archive_path}"
        set_cell_text(cells[3], where, size=11)
        set_cell_text(cells[4], note, size=11)
        if read is not None and is_image(entry.evidence):
            try:
                picture = thumbnail(read(entry.evidence.path))
            except (OSError, ValueError):  # the file is gone from the store
                picture = None
            if picture is not None:
                run = cells[2].add_paragraph().add_run()
                run.add_picture(io.BytesIO(picture), width=Cm(PICTURE_WIDTH_CM))
    fixed_widths(table, EVIDENCE_WIDTHS_CM)
    rows_whole(table)


def _row_title(row: PlanRow, plan: PlanDocument) -> str:
    return row.content or criterion_cell(row, plan.regulation) or "—"


def write_tt57_report_docx(
    plan: PlanDocument,
    progress: list[RowProgress],
    facts: Tt57Facts,
    read: Callable[[str], bytes] | None = None,
) -> bytes:
    """The report of a TT57 plan: the signed heading, criterion 1.4's indicator, each row with
    the columns of Biểu 2 it is judged by and what its owners reported, section VI's two
    reviews, the evidence list (Phụ lục IV), what carries over, the signature."""
    template = template_of(facts.template)
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
        space_after=0,
    )
    form = ", ".join(str(template.raw[k]) for k in ("form", "circular") if template.raw.get(k))
    add_paragraph(document, f"(Kế hoạch theo {form})", italic=True, align=center, size=13)

    add_paragraph(document, "I. KẾT QUẢ CHUNG", bold=True)
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(3)
    label, _, ratio = indicator_line(template, facts.done, facts.total).rpartition(": ")
    add_run(paragraph, f"1. {label}: ", bold=True)
    add_run(paragraph, ratio, bold=True)
    add_paragraph(
        document, f"2. Số nội dung cải tiến theo {_numbered(template, 'implementation')}:"
    ).paragraph_format.keep_with_next = True
    _levels_table(document, template, progress, facts)

    add_paragraph(document, "")
    add_paragraph(document, "II. KẾT QUẢ THỰC HIỆN TỪNG NỘI DUNG CẢI TIẾN", bold=True)
    entries, codes = tt57_evidence(progress, facts, tz)
    by_code = {entry.code: entry for entry in entries}
    for number, item in enumerate(progress, start=1):
        row = item.row
        title = add_paragraph(document, f"{number}. {_row_title(row, plan)}", bold=True)
        title.paragraph_format.keep_with_next = True
        _line(document, _numbered(template, "objective"), row.expected_result)
        _line(document, _numbered(template, "indicators"), row.indicators)
        _line(document, _numbered(template, "timeline"), row.timeline_text)
        _line(document, _numbered(template, "lead"), row.lead_text or item.owners)
        if row.lead_text and item.owners:
            _line(document, "Người được giao", item.owners)
        _line(
            document,
            _numbered(template, "implementation"),
            facts.implementation.get(row.id) or status_vi(None),
        )
        last = last_text_per_owner(item.reports)
        reported = document.add_paragraph()
        reported.paragraph_format.space_after = Pt(0)
        add_run(reported, "Báo cáo của người thực hiện: ", bold=True)
        if not last:
            add_run(reported, "chưa có.")
        for report in last:
            who = report.member.display_name if report.member else "—"
            day = report.created_at.astimezone(tz).strftime("%d/%m/%Y")
            words = f": {report.text}" if report.text else ""
            add_paragraph(
                document,
                f"- {who} ({day}, {status_vi(report.status).lower()}){words}",
                italic=True,
                space_after=0,
            )
        listed = document.add_paragraph()
        listed.paragraph_format.space_after = Pt(0)
        add_run(listed, "Minh chứng: ", bold=True)
        if not codes.get(row.id):
            add_run(listed, "chưa có.")
        for code in codes.get(row.id, []):
            add_paragraph(document, f"- {code}: {by_code[code].title}", space_after=0)
        add_paragraph(document, "")

    monitoring = template.monitoring
    title_vi = _title_without_number(monitoring.title if monitoring else "THEO DÕI, ĐÁNH GIÁ")
    reviews = add_paragraph(document, f"III. {title_vi}", bold=True)
    reviews.paragraph_format.keep_with_next = True
    _reviews_table(document, template, facts)

    add_paragraph(document, "")
    listing = add_paragraph(document, "IV. DANH MỤC MINH CHỨNG", bold=True)
    listing.paragraph_format.keep_with_next = True
    if entries:
        _evidence_list(document, template, entries, read)
    else:
        add_paragraph(document, "Chưa có minh chứng nào được gửi.")

    add_paragraph(document, "")
    add_paragraph(document, "V. NHỮNG NỘI DUNG CHUYỂN SANG NĂM HỌC SAU", bold=True)
    done_word = template.implementation(ProgressStatus.DONE)
    remaining = [
        (number, item)
        for number, item in enumerate(progress, start=1)
        if facts.implementation.get(item.row.id) != done_word
    ]
    if not remaining:
        add_paragraph(document, "Tất cả nội dung đã hoàn thành.")
    for number, item in remaining:
        level = facts.implementation.get(item.row.id) or status_vi(None)
        add_paragraph(
            document, f"- {number}. {_row_title(item.row, plan)}: {level.lower()}", space_after=0
        )
    add_paragraph(document, "")
    authority = plan.heading.authority or "…" * 12
    signature_block(
        document,
        f"- {authority} (để báo cáo);\n- Hội đồng tự đánh giá;\n- Lưu: VT, hồ sơ KĐCL.",
        plan.principal,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_tt57_evidence_zip(
    progress: list[RowProgress], facts: Tt57Facts, read: Callable[[str], bytes]
) -> bytes:
    """Evidence files in folders per criterion named by code, each file once under its own
    code, as the report's list says: "MC.2.2/MC.2.2.01 - bien-ban.pdf"."""
    entries, _ = tt57_evidence(progress, facts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            archive.writestr(entry.archive_path, read(entry.evidence.path))
    return buffer.getvalue()
