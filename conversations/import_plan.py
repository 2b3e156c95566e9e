"""/import: send the plan the school already has (.docx/.xlsx) → preview → confirm → rows."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from bot.core.i18n import Translator
from bot.documents.imported import ImportedIssue, ImportedReview, ImportResult
from bot.documents.plan_import import (
    ImportedRow,
    NotAPlan,
    before_school_year,
    file_problem,
    read_plan,
)
from bot.domain.parsing import parse_timeline
from bot.domain.permissions import can_manage_team
from bot.domain.rowname import name, short_title
from bot.domain.schoolyear import is_school_year
from bot.domain.templates import TT57
from bot.services import plans, tt57_import
from bot.services.chatstate import enter, leave
from bot.ui.render import FILE_PROBLEMS
from bot.ui.views import Button, View, bold, italic, plain
from conversations import registry
from conversations.base import MAX_DOWNLOAD_BYTES, Turn, file_refusal, parse_number, stale_button

log = logging.getLogger(__name__)

FLOW = "import"
PREFIX = "i:"
STEP_FILE = "file"
STEP_PREVIEW = "preview"
STEP_APPEND = "append"


def on_import(turn: Turn) -> list[View]:
    """Ask for the file."""
    t = turn.t
    if not can_manage_team(turn.member):
        log.info("refused /import for member %s", turn.member.id if turn.member else None)
        return [View([bold(t._("Only the principal and vice-principals import a plan."))])]
    enter(turn.state, FLOW, STEP_FILE, rows=None)
    return prompt(turn)


def prompt(turn: Turn) -> list[View]:
    t = turn.t
    if turn.state.step == STEP_FILE:
        return [
            View(
                [
                    bold(t._("Send the plan as a Word (.docx) or Excel (.xlsx) file.")),
                    italic("\n" + t._("/cancel: stop")),
                ]
            )
        ]
    return [_preview(turn)]


def on_file(turn: Turn) -> list[View]:
    """Read the file and show what would be stored; nothing is stored yet."""
    t = turn.t
    incoming = turn.incoming
    if turn.state.flow != FLOW or turn.state.step != STEP_FILE:
        return [View([bold(t._("Please answer with a text message."))])]
    problem = file_problem(incoming.file_name or "", incoming.file_mime)
    if problem is not None:
        log.info("refused %r for /import: %s", incoming.file_name, problem)
        return [View([bold(t._(FILE_PROBLEMS[problem]))]), *prompt(turn)]
    refusal = file_refusal(turn, MAX_DOWNLOAD_BYTES)
    if refusal is not None or incoming.file_bytes is None:
        return [View([bold(refusal or "")]), *prompt(turn)]
    try:
        result = read_plan(
            incoming.file_bytes, incoming.file_name or "", plans.regulation_of(turn.school)
        )
    except NotAPlan as exc:
        log.info("not a plan (%r): %s", incoming.file_name, exc)
        return [
            View(
                [
                    bold(
                        t._(
                            "This file is not a plan I can read: it needs the plan's table "
                            "(.docx or .xlsx) or 'Tiêu chí n.m' headings."
                        )
                    )
                ]
            ),
            *prompt(turn),
        ]
    year = (
        result.school_year
        if result.school_year and is_school_year(result.school_year)
        else turn.school_year()
    )
    years = [y for y in dict.fromkeys([year, turn.school_year()]) if _fits(turn, result, y)]
    if not years:
        log.info("refused %r for /import: template %s", incoming.file_name, result.template)
        return [View([bold(_mismatch(turn.t, result.template, year))]), *prompt(turn)]
    enter(
        turn.state,
        FLOW,
        STEP_PREVIEW,
        rows=[asdict(r) for r in result.rows],
        year=years[0],
        years=years,
        file=incoming.file_name,
        # Biểu 2: sections IV and VI and the prose come with the rows
        template=result.template,
        issues=[asdict(i) for i in result.issues],
        reviews=[asdict(r) for r in result.reviews],
        sections=result.sections,
    )
    return [_preview(turn)]


def _fits(turn: Turn, result: ImportResult, year: str) -> bool:
    """Whether the file's template is the one of the plan of `year` (made or to be made)."""
    plan_template = plans.template_of_year(turn.session, turn.school, year)
    try:
        tt57_import.check_template(result.template, plan_template)
    except tt57_import.TemplateMismatch:
        return False
    return True


def _mismatch(t: Translator, file_template: str, year: str) -> str:
    if file_template == TT57:
        return t._(
            "This file is a plan written as Biểu 2 of Thông tư 57/2026 (ten columns), but the "
            "plan of {year} follows the 2018 layout (nine columns); the two cannot be mixed. "
            "Nothing was imported: send the plan in the nine-column layout."
        ).format(year=year)
    return t._(
        "This file is a plan in the 2018 layout (nine columns), but the plan of {year} is "
        "written as Biểu 2 of Thông tư 57/2026 (ten columns); the two cannot be mixed. "
        "Nothing was imported: send the plan as Biểu 2."
    ).format(year=year)


def _result(turn: Turn) -> ImportResult:
    """What was read from the file, as kept in the conversation's state."""
    data = turn.state.data or {}
    return ImportResult(
        rows=_rows(turn),
        template=str(data.get("template") or "2018"),
        issues=[ImportedIssue(**raw) for raw in data.get("issues") or []],
        reviews=[ImportedReview(**raw) for raw in data.get("reviews") or []],
        sections=dict(data.get("sections") or {}),
    )


def _rows(turn: Turn) -> list[ImportedRow]:
    return [ImportedRow(**raw) for raw in (turn.state.data or {}).get("rows") or []]


def _preview(turn: Turn) -> View:
    t = turn.t
    rows = _rows(turn)
    year = str((turn.state.data or {}).get("year"))
    by_group: dict[str, int] = {}
    for row in rows:
        key = (
            t._("Level 4")
            if row.block == "M4"
            else (t._("Standard {n}").format(n=row.standard) if row.standard else t._("Other"))
        )
        by_group[key] = by_group.get(key, 0) + 1
    parts = [bold(t.ngettext("{n} row found", "{n} rows found", len(rows)).format(n=len(rows)))]
    parts.append(plain("\n" + "; ".join(f"{k}: {v}" for k, v in by_group.items())))
    data = turn.state.data or {}
    if data.get("template") == TT57:
        issues, reviews = len(data.get("issues") or []), len(data.get("reviews") or [])
        parts.append(plain("\n" + t._("Biểu 2 of Thông tư 57/2026 (ten columns).")))
        parts.append(
            plain(
                "\n"
                + t.ngettext(
                    "{n} priority issue (section IV)", "{n} priority issues (section IV)", issues
                ).format(n=issues)
                + "; "
                + t.ngettext(
                    "{n} monitoring row (section VI)", "{n} monitoring rows (section VI)", reviews
                ).format(n=reviews)
            )
        )
    unread = sum(1 for r in rows if not r.criterion_code)
    no_date = sum(1 for r in rows if not parse_timeline(r.timeline_text or "", year).understood)
    if unread:
        parts.append(
            italic(
                "\n⚠️ "
                + t._("{n} rows without a recognised criterion (kept as written)").format(n=unread)
            )
        )
    if no_date:
        parts.append(
            italic(
                "\n⚠️ "
                + t._(
                    "{n} rows whose timeline has no date (due at the end of the school year)"
                ).format(n=no_date)
            )
        )
    early = before_school_year(rows, year)
    if early:
        head = t.ngettext(
            "{n} row whose timeline ends before school year {year} begins; it is not counted "
            "overdue and gets no reminders until it is confirmed on its card:",
            "{n} rows whose timeline ends before school year {year} begins; they are not "
            "counted overdue and get no reminders until each is confirmed on its card:",
            len(early),
        ).format(n=len(early), year=year)
        parts.append(italic("\n⚠️ " + head))
        for row in early[:10]:
            label = name(row.criterion_code, row.expected_result or row.criterion_text, 70)
            parts.append(plain(f"\n• {label}: {_timeline(t, row, year)}"))
        if len(early) > 10:
            more = t._("… and {n} more").format(n=t.number(len(early) - 10))
            parts.append(plain(f"\n{more}"))
    for row in rows[:3]:
        parts.append(
            plain(f"\n\n{name(row.criterion_code, row.content or row.criterion_text, 90)}")
        )
        parts.append(italic(f"\n{short_title(row.expected_result, 120)}"))
        parts.append(italic("\n" + t._("Timeline") + ": " + _timeline(t, row, year)))
    v = turn.state.version
    # the file's year, then this one (those whose plan is in the file's template)
    years = list(data.get("years") or dict.fromkeys([year, turn.school_year()]))
    buttons = [
        [Button(t._("Import into the plan of {year}").format(year=y), f"i:ok:{v}:{y}")]
        for y in years
    ]
    return View(parts, [*buttons, [Button(t._("Cancel"), f"i:no:{v}")]])


def _timeline(t: Translator, row: ImportedRow, year: str) -> str:
    """ "Năm học 2025-2026 → 01/09/2025 – 31/05/2026": the words (their start) and the dates."""
    timeline = parse_timeline(row.timeline_text or "", year)
    if timeline.start:
        span = f"{t.date(timeline.start)} – {t.date(timeline.due)}"
    elif timeline.due:
        span = t._("due {date}").format(date=t.date(timeline.due))
    else:
        span = "—"
    return f"{short_title(row.timeline_text, 60) or '—'} → {span}"


def on_callback(turn: Turn) -> list[View]:
    """Confirm (twice when the plan already has rows) or cancel."""
    t = turn.t
    parts = (turn.incoming.callback_data or "")[len(PREFIX) :].split(":")
    if (
        turn.state.flow != FLOW
        or len(parts) not in (2, 3)
        or parse_number(parts[1]) != turn.state.version
        or not can_manage_team(turn.member)
    ):
        return stale_button(turn)
    if parts[0] == "no":
        leave(turn.state)
        return [View([bold(t._("Import cancelled. Nothing was changed."))], edit=True)]
    data: dict[str, Any] = turn.state.data or {}
    if len(parts) == 3 and is_school_year(parts[2]):
        data = {**data, "year": parts[2]}
    result = _result(turn)
    if not _fits(turn, result, str(data.get("year"))):  # the plan was made in between
        leave(turn.state)
        return [View([bold(_mismatch(t, result.template, str(data.get("year"))))], edit=True)]
    plan = plans.ensure_plan(turn.session, turn.school, str(data.get("year")))
    existing = plans.count_rows(turn.session, plan.id)
    if existing and turn.state.step == STEP_PREVIEW:
        enter(turn.state, FLOW, STEP_APPEND, year=plan.school_year)
        v = turn.state.version
        question = t._(
            "The plan of {year} already has {n} rows. Add the imported rows after them?"
        ).format(year=plan.school_year, n=existing)
        return [
            View(
                [bold(question)],
                [[Button(t._("Add after them"), f"i:ok:{v}"), Button(t._("Cancel"), f"i:no:{v}")]],
            )
        ]
    imported = tt57_import.import_plan(
        turn.session, plan, result, turn.member, plans.regulation_of(turn.school)
    )
    leave(turn.state)
    if result.template == TT57:
        done = t._(
            "{n} rows, {issues} priority issues and {reviews} monitoring rows were added to "
            "the plan of {year}. /plan shows them."
        ).format(
            n=len(imported.rows),
            issues=imported.issues,
            reviews=imported.reviews,
            year=plan.school_year,
        )
    else:
        done = t._("{n} rows were added to the plan of {year}. /plan shows them.").format(
            n=len(imported.rows), year=plan.school_year
        )
    return [View([bold("✅ " + done)], edit=True)]


def skip(turn: Turn) -> list[View]:
    return prompt(turn)


def go_back(turn: Turn) -> list[View]:
    enter(turn.state, FLOW, STEP_FILE, rows=None)
    return prompt(turn)


def cancel(turn: Turn) -> list[View]:
    leave(turn.state)
    return [View([bold(turn.t._("Import cancelled. Nothing was changed."))])]


def on_text(turn: Turn) -> list[View]:
    return [View([bold(turn.t._("Please send the file, or /cancel."))]), *prompt(turn)]


registry.add_flow(registry.Flow(FLOW, prompt, on_text, skip, go_back, cancel, on_file))
