"""Texts the bot shows: row cards, the plan list, prompts. Plain parts, translated, no Telegram."""

from __future__ import annotations

import math

from bot.core.i18n import N_, Translator
from bot.domain.catalog import Regulation, is_level4_code
from bot.domain.constants import BLOCK_LEVEL_4, ECHO_LENGTH
from bot.domain.parsing import BEFORE_SCHOOL_YEAR, CONFIRMED
from bot.domain.rowform import FieldSpec, by_name, fields_for
from bot.domain.rowname import row_name, short_title
from bot.domain.schoolyear import end_of_school_year
from bot.domain.templates import TT57
from bot.services.members import ROLE_LABELS
from bot.services.plans import row_title
from bot.ui.views import Part, bold, italic, plain
from db.models import PlanRow, PriorityIssue, Role

FLAG_TEXTS = {
    "no_date": N_("no date could be read; the row counts as due at the end of the school year"),
    "far_from_plan_years": N_("a date lies far outside the plan's years: please check it"),
    "reversed_range": N_("the start comes after the end: please check it"),
    "no_amount": N_("no amount could be read; the words are kept as written"),
    "several_amounts": N_("several amounts were added up"),
    "range_upper_bound": N_("a range was given; the upper amount is counted"),
    BEFORE_SCHOOL_YEAR: N_(
        "this timeline ends before the school year begins: not counted overdue and no "
        "reminders until it is confirmed"
    ),
}
CONFIRMED_TEXT = N_("this timeline ends before the school year begins (confirmed)")


def criterion_label(t: Translator, row: PlanRow, regulation: Regulation) -> str:
    code = row.criterion_code
    if not code:
        return t._("(criterion not chosen yet)")
    if is_level4_code(code):
        return t._("Level 4 – criterion {number}").format(number=code.split(".", 1)[1])
    return t._("Criterion {code}").format(code=code)


def row_heading(t: Translator, row: PlanRow, regulation: Regulation) -> list[Part]:
    title = row_title(row, regulation)
    parts: list[Part] = [bold(criterion_label(t, row, regulation))]
    if title:
        parts.append(plain(f": {title}"))
    if row.block == BLOCK_LEVEL_4:
        parts.append(italic("\n" + t._("Level 4 block")))
    elif row.standard:
        parts.append(italic("\n" + t._("Levels 1-3 block · Standard {n}").format(n=row.standard)))
    return parts


def _flags(t: Translator, flags: list[str] | None) -> list[Part]:
    shown = []
    for flag in flags or []:
        if flag == CONFIRMED:
            continue
        if flag == BEFORE_SCHOOL_YEAR and CONFIRMED in (flags or []):
            shown.append(plain("\n✔️ " + t._(CONFIRMED_TEXT)))
        else:
            shown.append(plain("\n⚠️ " + t._(FLAG_TEXTS.get(flag, flag))))
    return shown


def timeline_span(t: Translator, row: PlanRow, school_year: str) -> str:
    """What the bot read from a timeline: "01/09/2025 – 31/05/2026", "due 30/05/2026"."""
    if row.start_date:
        return f"{t.date(row.start_date)} – {t.date(row.due_date)}"
    if row.due_date:
        return t._("due {date}").format(date=t.date(row.due_date))
    return t._("Due at the end of the school year ({date})").format(
        date=t.date(end_of_school_year(school_year))
    )


def before_school_year_question(t: Translator, row: PlanRow, school_year: str) -> list[Part]:
    """ "→ Hiểu là … — thời gian này kết thúc trước năm học 2026-2027, thầy/cô xác nhận?",
    under the timeline as written (shortened with a note when very long)."""
    question = t._(
        "→ Understood as: {span} — this timeline ends before school year {year}; do you confirm it?"
    ).format(span=timeline_span(t, row, school_year), year=school_year)
    return [
        bold(t._("Timeline") + ": "),
        *echo(t, row.timeline_text or ""),
        plain("\n\n"),
        bold(question),
    ]


def understood(t: Translator, row: PlanRow, field: str, school_year: str) -> list[Part]:
    """What the bot read from a field, shown under the words as written."""
    if field == "timeline_text" and row.timeline_text:
        parts: list[Part] = []
        if row.start_date or row.due_date:
            span = (
                f"{t.date(row.start_date)} – {t.date(row.due_date)}"
                if row.start_date
                else t._("due {date}").format(date=t.date(row.due_date))
            )
            parts.append(italic("\n→ " + t._("Understood as: {span}").format(span=span)))
        else:
            due = t.date(end_of_school_year(school_year))
            parts.append(
                italic("\n→ " + t._("Due at the end of the school year ({date})").format(date=due))
            )
        return parts + _flags(t, row.timeline_flags)
    if field == "budget_text" and row.budget_text:
        parts = []
        if row.budget_vnd is not None:
            parts.append(
                italic(
                    "\n→ " + t._("Understood as: {amount}").format(amount=t.money(row.budget_vnd))
                )
            )
        return parts + _flags(t, row.budget_flags)
    if field == "expected_result" and row.target_level:
        return [italic("\n→ " + t._("Target level: {level}").format(level=row.target_level))]
    return []


def field_block(t: Translator, row: PlanRow, spec: FieldSpec, school_year: str) -> list[Part]:
    value = getattr(row, spec.name)
    parts: list[Part] = [bold(t._(spec.label) + ": ")]
    parts.append(plain(value) if value else italic(t._("(empty)")))
    parts.extend(understood(t, row, spec.name, school_year))
    if spec.name == "lead_text" and row.owners:
        names = ", ".join(("⭐ " if o.is_lead else "") + o.member.display_name for o in row.owners)
        parts.append(italic("\n→ " + t._("Owners: {names}").format(names=names)))
    return parts


def row_card(
    t: Translator,
    row: PlanRow,
    regulation: Regulation,
    school_year: str,
    *,
    issue: PriorityIssue | None = None,
    implementation: str | None = None,
) -> list[Part]:
    """The row's fields with what the bot understood; a TT57 row shows Biểu 2's columns
    (2)-(9) numbered, the priority issue it answers and column (10) `implementation`."""
    if row.plan.template == TT57:
        return _tt57_card(t, row, regulation, school_year, issue, implementation)
    parts = row_heading(t, row, regulation)
    for spec in fields_for(row.plan.template):
        parts.append(plain("\n\n"))
        parts.extend(field_block(t, row, spec, school_year))
    return parts


def standard_label(t: Translator, number: int | None, regulation: Regulation) -> str:
    """ "Tiêu chuẩn 3: Thực hiện chương trình…" (the number alone when the title is unknown)."""
    if not number:
        return t._("(standard not chosen yet)")
    label = t._("Standard {n}").format(n=number)
    standard = regulation.standard(number)
    return f"{label}: {standard.title}" if standard and standard.title else label


def issue_name(t: Translator, issue: PriorityIssue, limit: int = 60) -> str:
    """A priority issue in lists and buttons: "1. Tiêu chí 2.2 — Một số giáo viên…"."""
    if issue.criterion_code:
        head = t._("Criterion {code}").format(code=issue.criterion_code)
    elif issue.standard:
        head = t._("Standard {n}").format(n=issue.standard)
    else:
        head = "—"
    head = f"{issue.position}. {head}" if issue.position else head
    room = limit - len(head) - 3
    title = short_title(issue.limitations or issue.current_state, room) if room > 1 else ""
    return f"{head} — {title}" if title else head


def _tt57_card(
    t: Translator,
    row: PlanRow,
    regulation: Regulation,
    school_year: str,
    issue: PriorityIssue | None,
    implementation: str | None,
) -> list[Part]:
    parts: list[Part] = []
    if row.criterion_code:
        parts.append(bold(criterion_label(t, row, regulation)))
        title = row_title(row, regulation)
        if title:
            parts.append(plain(f": {title}"))
        parts.append(italic("\n" + standard_label(t, row.standard, regulation)))
    else:
        parts.append(bold(standard_label(t, row.standard, regulation)))
        if row.standard:
            parts.append(italic("\n" + t._("No specific criterion")))
    parts.append(plain("\n"))
    parts.append(italic(t._("Priority issue it answers:") + " "))
    parts.append(plain(issue_name(t, issue, 90)) if issue else italic(t._("none")))
    for number, spec in enumerate(fields_for(TT57), start=2):
        parts.append(plain(f"\n\n({number}) "))
        parts.extend(field_block(t, row, spec, school_year))
    parts.append(plain("\n\n(10) "))
    parts.append(bold(t._("Implementation level") + ": "))
    parts.append(plain(implementation) if implementation else italic(t._("(not reported yet)")))
    return parts


def question(
    t: Translator, field: str, step: int | None = None, template: str | None = None
) -> list[Part]:
    spec = by_name(template)[field]
    head = f"({step}/{len(fields_for(template))}) " if step else ""
    parts: list[Part] = [bold(head + t._(spec.question))]
    parts.append(italic("\n" + t._(spec.hint)))
    if not spec.required:
        parts.append(italic("\n" + t._("Optional: /skip to leave it empty.")))
    parts.append(italic("\n" + t._("/back: previous question · /cancel: stop (the draft is kept)")))
    return parts


def echo(t: Translator, text: str, limit: int = ECHO_LENGTH) -> list[Part]:
    """A person's words shown back inside a message: whole when short, else their start and a
    note of how much is stored ("…(đã lưu đủ 5.000 ký tự)"): never cut without saying so."""
    if len(text) <= limit:
        return [plain(text)]
    at = text.rfind(" ", 0, limit)
    head = text[: at if at > limit // 2 else limit].rstrip()
    note = t._("(stored in full: {n} characters)").format(n=t.number(len(text)))
    return [plain(head), italic("…" + note)]


def too_large(t: Translator, size: int, limit: int) -> str:
    """ "Tệp này 25 MB, lớn hơn giới hạn 20 MB …": the size and the limit, in whole MB."""
    return t._(
        "This file is {size} MB, over the {limit} MB a bot can receive. "
        "Please send a smaller file (for example, compress the pictures in it)."
    ).format(size=t.number(math.ceil(size / 2**20)), limit=t.number(limit // 2**20))


FILE_PROBLEMS = {
    "doc": N_(
        "This is an old Word file (.doc), which cannot be read. Please open it in Word, save "
        "it as .docx (File → Save As → Word Document) and send that file."
    ),
    "xls": N_(
        "This is an old Excel file (.xls), which cannot be read. Please open it in Excel, "
        "save it as .xlsx (File → Save As → Excel Workbook) and send that file."
    ),
    "pdf": N_(
        "A PDF cannot be read back into the plan's rows. Please send the Word or Excel file "
        "of the plan (.docx or .xlsx)."
    ),
    "image": N_(
        "A photo cannot be read into the plan's rows. Please send the Word or Excel file of "
        "the plan (.docx or .xlsx)."
    ),
    "other": N_(
        "This kind of file cannot be read as a plan. Please send the Word or Excel file of "
        "the plan (.docx or .xlsx)."
    ),
}


def short_row(t: Translator, row: PlanRow, limit: int = 60) -> str:
    """A row as messages and buttons name it (bot.domain.rowname.row_name): "1.4 — Xây dựng…"."""
    return row_name(row, limit)


def role_name(t: Translator, role: str) -> str:
    """A role as people say it ("hiệu trưởng"), in the reader's language."""
    return t._(ROLE_LABELS[Role(role)]) if role in ROLE_LABELS else role
