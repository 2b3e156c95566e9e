"""/schools: a unit's specialist sees the linked schools at a glance, and a school's plan and
its rows, read-only.

The list is `unit_digest.build` (the schools needing attention first), paged; a school's
plan lists its rows with their status and due date; a row's card is the card the school sees
(`bot.ui.render.row_card`), its owners by name and position only, the reports' words and the
evidence list, and no button that changes anything.

Isolation: every button names a school (and a row), and every press asks the server again
(`units.school_for`): a school of another unit, a row of another school, a school that
unlinked, a specialist who was removed all get the refusal every forged button gets. Every
view is recorded (`units.record_view`): the principal sees who looked (/supervisor).
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.core.i18n import Translator
from bot.domain.constants import ROWS_PER_PAGE
from bot.domain.rowname import short_title
from bot.domain.schoolyear import current_school_year
from bot.domain.templates import TT57, template_of
from bot.services import plan_json, plans, priorities, progress, unit_digest, units
from bot.services.unit_digest import SchoolLine
from bot.ui.render import echo, row_card, short_row
from bot.ui.views import Button, Part, View, bold, italic, paging, plain
from conversations import registry
from conversations.base import Turn, parse_number
from db.models import (
    PlanRow,
    PriorityIssue,
    ProgressReport,
    ProgressStatus,
    RowStatus,
    School,
    UnitMember,
)

log = logging.getLogger(__name__)

PREFIX = "h:"
SCHOOLS_PER_PAGE = 10  # one message of about 3 000 characters, ten buttons
REPORTS_SHOWN = 10


def refused(turn: Turn) -> list[View]:
    """What a forged or stale button gets (as `conversations.fallback` answers one)."""
    log.info(
        "refused unit button %r from user %s", turn.incoming.callback_data, turn.incoming.user.id
    )
    t = turn.t
    no = t._("This button is no longer valid.")
    return [View([bold(no)], toast=no)]


def _not_specialist(turn: Turn) -> list[View]:
    t = turn.t
    text = t._(
        "Only the specialists of a supervising unit use /schools. A specialist joins with "
        "the code the unit gave: /start CODE"
    )
    return [View([bold(text)])]


def template_name(t: Translator, template: str) -> str:
    return t._("Biểu 2 (Thông tư 57)") if template == TT57 else t._("2018 template")


def _school_parts(t: Translator, number: int, line: SchoolLine, tz: ZoneInfo) -> list[Part]:
    parts: list[Part] = [bold(f"\n\n{number}. {line.name}")]
    if line.plan is None:
        return [*parts, italic("\n" + t._("no plan for this school year yet"))]
    rows = t.ngettext("{n} row", "{n} rows", line.plan.rows).format(n=line.plan.rows)
    plan = t._("Plan {year} · {template} · {rows}").format(
        year=line.plan.school_year, template=template_name(t, line.plan.template), rows=rows
    )
    counts = t._(
        "Done {done} · in progress {in_progress} · not started {not_started} · "
        "having difficulties {difficulty}"
    ).format(
        done=line.done,
        in_progress=line.in_progress,
        not_started=line.not_started,
        difficulty=line.difficulty,
    )
    done, total = line.indicator_14
    last = (
        t._("last report {date}").format(
            date=line.last_report_at.astimezone(tz).strftime("%d/%m/%Y")
        )
        if line.last_report_at
        else t._("no report yet")
    )
    facts = " · ".join(
        (
            t._("Overdue {n}").format(n=line.overdue),
            t._("Indicator 1.4: {done}/{total}").format(done=done, total=total),
            last,
        )
    )
    parts += [plain(f"\n{plan}\n{counts}\n{facts}")]
    if line.silent_owners:
        silent = t._("Silent since the last prompt: {names}").format(
            names=", ".join(line.silent_owners)
        )
        parts.append(italic("\n" + silent))
    return parts


def schools_view(turn: Turn, specialist: UnitMember, page: int = 0) -> list[View]:
    """The unit's schools, attention first, a page at a time; each listed school recorded."""
    t = turn.t
    digest = unit_digest.build(turn.session, specialist.unit_id, turn.now)
    if digest is None:
        return refused(turn)
    lines = digest.schools
    pages = max(1, -(-len(lines) // SCHOOLS_PER_PAGE))
    if page >= pages:
        return refused(turn)
    start = page * SCHOOLS_PER_PAGE
    shown = lines[start : start + SCHOOLS_PER_PAGE]
    tz = digest.at.tzinfo
    assert isinstance(tz, ZoneInfo)
    count = t.ngettext("{n} linked school", "{n} linked schools", len(lines)).format(n=len(lines))
    parts: list[Part] = [
        bold(digest.name),
        plain(f"\n{count} · " + digest.at.strftime("%d/%m/%Y %H:%M")),
    ]
    if not lines:
        text = t._(
            "No school is linked to your unit yet: a principal links the school with your "
            "unit's code (/supervisor CODE)."
        )
        return [View([*parts, italic("\n\n" + text)])]
    parts.append(
        italic("\n" + t._("Schools needing attention come first. Tap one to see its plan."))
    )
    if pages > 1:
        parts.append(italic("\n" + t._("Page {n} of {pages}").format(n=page + 1, pages=pages)))
    for number, line in enumerate(shown, start=start + 1):
        parts += _school_parts(t, number, line, tz)
    units.record_view(turn.session, specialist, [s.school_id for s in shown], "schools", turn.now)
    buttons = [
        [Button(f"{number}. {short_title(line.name)}", f"h:s:{line.school_id}")]
        for number, line in enumerate(shown, start=start + 1)
    ]
    buttons += paging(page, page + 1 < pages, f"h:l:{specialist.unit_id}:{{page}}")
    buttons.append([Button("📊 " + t._("Export the roll-up"), f"h:x:{specialist.unit_id}")])
    return [View(parts, buttons)]


def plan_view(turn: Turn, specialist: UnitMember, school: School, page: int = 0) -> list[View]:
    """The school's plan of its current year, read-only: rows with status and due date."""
    t = turn.t
    year = current_school_year(ZoneInfo(school.timezone), turn.now)
    plan = plans.find_plan(turn.session, school.id, year)
    back = [Button("◀ " + t._("Schools"), f"h:l:{specialist.unit_id}:0")]
    head = t._("Quality-improvement plan, school year {year}").format(year=year)
    parts: list[Part] = [bold(school.name), plain("\n" + head)]
    rows = plans.in_table_order(plans.active_rows(turn.session, plan.id)) if plan else []
    start = page * ROWS_PER_PAGE
    if page > 0 and start >= len(rows):
        return refused(turn)
    units.record_view(turn.session, specialist, [school.id], "plan", turn.now)
    if plan is None or not rows:
        parts.append(italic("\n\n" + t._("The school has no rows in this plan yet.")))
        return [View(parts, [back])]
    count = t.ngettext("{n} row", "{n} rows", len(rows)).format(n=len(rows))
    parts.append(italic(f"\n{template_name(t, plan.template)} · {count}"))
    parts.append(italic("\n" + t._("Read-only: the plan as the school keeps it.")))
    statuses = progress.latest_statuses(turn.session, [row.id for row in rows])
    for row in rows:
        status = statuses.get(row.id)
        label = (
            t._(progress.STATUS_LABELS[ProgressStatus(status)]) if status else t._("no report yet")
        )
        facts = [label]
        if row.due_date:
            facts.append(t._("due {date}").format(date=t.date(row.due_date)))
        parts.append(plain(f"\n{row.position}. {short_row(t, row, 80)}"))
        parts.append(italic(" — " + " · ".join(facts)))
    shown = rows[start : start + ROWS_PER_PAGE]
    buttons = [[Button(short_row(t, row), f"h:r:{school.id}:{row.id}")] for row in shown]
    more = start + ROWS_PER_PAGE < len(rows)
    buttons += paging(page, more, f"h:s:{school.id}:{{page}}")
    buttons.append(back)
    return [View(parts, buttons)]


def _tt57_columns(
    turn: Turn, school: School, row: PlanRow, reports: list[ProgressReport]
) -> tuple[PriorityIssue | None, str | None]:
    """A Biểu 2 card's issue and column (10), as the school's card shows them."""
    if row.plan.template != TT57:
        return None, None
    issue = priorities.get_issue(turn.session, school.id, row.issue_id) if row.issue_id else None
    latest = progress.latest_status(reports)
    return issue, plan_json.implementation(row, latest, template_of(row.plan.template))


def _owners_parts(t: Translator, row: PlanRow) -> list[Part]:
    """Owners by name and position only (no username, no phone)."""
    if not row.owners:
        return [plain("\n\n" + t._("Owners") + ": —")]
    names = []
    for owner in row.owners:
        member = owner.member
        name = member.display_name + (f" — {member.title}" if member.title else "")
        names.append(name + (" (" + t._("lead") + ")" if owner.is_lead else ""))
    return [bold("\n\n" + t._("Owners") + ": "), plain("; ".join(names))]


def _progress_parts(turn: Turn, school: School, reports: list[ProgressReport]) -> list[Part]:
    """The latest status, the reports' words and the evidence list (names, captions, dates)."""
    t = turn.t
    if not reports:
        return [italic("\n\n" + t._("No progress report yet."))]
    tz = ZoneInfo(school.timezone)
    latest = t._(progress.STATUS_LABELS[ProgressStatus(reports[-1].status)])
    parts: list[Part] = [bold("\n\n" + t._("Progress: {status}").format(status=latest))]
    for report in reports[-REPORTS_SHOWN:][::-1]:
        when = report.created_at.astimezone(tz).strftime("%d/%m/%Y")
        who = report.member.display_name if report.member else "—"
        status = t._(progress.STATUS_LABELS[ProgressStatus(report.status)])
        parts.append(plain(f"\n• {when} · {who}: {status}"))
        if report.text:
            parts.append(plain(" — "))
            parts += echo(t, report.text, 300)
        for evidence in report.evidence:
            day = evidence.created_at.astimezone(tz).strftime("%d/%m/%Y")
            caption = f" — {short_title(evidence.caption, 120)}" if evidence.caption else ""
            parts.append(italic(f"\n   📎 {evidence.file_name}{caption} ({day})"))
    return parts


def row_view(turn: Turn, specialist: UnitMember, school: School, row: PlanRow) -> list[View]:
    """A row's card, read-only: no edit button."""
    t = turn.t
    parts: list[Part] = [
        bold(school.name + "\n"),
        bold(t._("Row {position}").format(position=row.position)),
        bold(" · "),
    ]
    reports = progress.reports_of(turn.session, row.id)
    issue, column_10 = _tt57_columns(turn, school, row, reports)
    regulation = plans.regulation_of(school)
    year = row.plan.school_year
    parts += row_card(t, row, regulation, year, issue=issue, implementation=column_10)
    parts += _owners_parts(t, row)
    parts += _progress_parts(turn, school, reports)
    units.record_view(turn.session, specialist, [school.id], "row", turn.now, row_id=row.id)
    buttons = [
        [Button("◀ " + t._("Plan"), f"h:s:{school.id}")],
        [Button("◀ " + t._("Schools"), f"h:l:{specialist.unit_id}:0")],
    ]
    return [View(parts, buttons)]


def on_schools(turn: Turn) -> list[View]:
    """/schools: the unit's schools (for a specialist, whether or not also a school member)."""
    specialist = units.specialist_writing(turn.session, turn.person)
    if specialist is None:
        return _not_specialist(turn)
    return schools_view(turn, specialist)


def on_export(turn: Turn) -> list[View]:
    """/export of a specialist: the roll-up of the linked schools (`registry.unit_export`)."""
    specialist = units.specialist_writing(turn.session, turn.person)
    if specialist is None:
        return _not_specialist(turn)
    return registry.unit_export(turn, specialist)


def on_callback(turn: Turn) -> list[View]:
    """A page of the list, a school's plan (a page of it), a row's card, the export; each
    asked of the server again: the specialist active, the school linked to their unit."""
    specialist = units.specialist_writing(turn.session, turn.person)
    if specialist is None:
        return refused(turn)
    parts = (turn.incoming.callback_data or "")[len(PREFIX) :].split(":")
    action, numbers = parts[0], [parse_number(p) for p in parts[1:]]
    if None in numbers:
        return refused(turn)
    ids = [n for n in numbers if n is not None]
    # The list and the roll-up name the unit: another unit's button is refused too.
    if action in ("l", "x") and ids and ids[0] != specialist.unit_id:
        return refused(turn)
    if action == "l" and len(ids) == 2:
        return schools_view(turn, specialist, ids[1])
    if action == "x" and len(ids) == 1:
        return registry.unit_export(turn, specialist)
    if action not in ("s", "r") or not ids:
        return refused(turn)
    school = units.school_for(turn.session, specialist, ids[0])
    if school is None:
        return refused(turn)
    if action == "s" and len(ids) in (1, 2):
        return plan_view(turn, specialist, school, ids[1] if len(ids) == 2 else 0)
    if action == "r" and len(ids) == 2:
        row = plans.get_row(turn.session, school.id, ids[1])
        if row is None or row.status != RowStatus.ACTIVE:
            return refused(turn)
        return row_view(turn, specialist, school, row)
    return refused(turn)
