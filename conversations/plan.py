"""/plan: the plan of the current school year, rows grouped by standard, other years by button."""

from __future__ import annotations

import logging

from bot.core.i18n import Translator
from bot.documents.plan_export import write_docx, write_xlsx
from bot.documents.report import write_evidence_zip, write_report_docx
from bot.domain.catalog import Regulation
from bot.domain.constants import BLOCK_LEVEL_4, ROWS_PER_PAGE
from bot.domain.permissions import can_export, can_manage_team
from bot.domain.rowname import short_title
from bot.domain.schoolyear import is_school_year
from bot.domain.templates import TT57, template_of
from bot.services import plan_json, plans, priorities, year_report
from bot.services.files import FileStore
from bot.services.progress import row_progress, status_labels
from bot.ui.render import short_row, standard_label
from bot.ui.views import Button, Later, Part, View, bold, italic, paging, plain
from conversations.base import Turn, parse_number
from db.models import Plan, PlanRow

PREFIX = "p:"
log = logging.getLogger(__name__)


def overview(t: Translator, rows: list[PlanRow], regulation: Regulation) -> list[Part]:
    """Rows grouped as the official table: Mức 1-3 by standard, then Mức 4."""
    parts: list[Part] = []
    block = standard = None
    for row in rows:
        row_block = row.block or ""
        if row_block != block:
            block = row_block
            standard = None
            title = t._("LEVEL 4") if block == BLOCK_LEVEL_4 else t._("LEVELS 1, 2, 3")
            parts.append(bold(f"\n\n{title}"))
        if block != BLOCK_LEVEL_4 and row.standard != standard:
            standard = row.standard
            std = regulation.standard(standard or 0)
            name = t._("Standard {n}").format(n=standard)
            parts.append(bold(f"\n{name}: {std.title}" if std and std.title else f"\n{name}"))
        due = t._("due {date}").format(date=t.date(row.due_date)) if row.due_date else ""
        parts.append(plain(f"\n{row.position}. {short_row(t, row, 80)}"))
        if due:
            parts.append(italic(f" ({due})"))
    return parts


def tt57_overview(turn: Turn, plan: Plan, rows: list[PlanRow]) -> list[Part]:
    """A Biểu 2 plan's rows by standard: each row by its content (2), with its timeline (6),
    who is responsible (7) and column (10) "Mức độ thực hiện"; the issue (IV) it answers."""
    t = turn.t
    regulation = plans.regulation_of(turn.school)
    column_10 = plan_json.implementations(turn.session, plan, rows)
    issues = {i.id: i for i in priorities.issues_of(turn.session, plan.id)}
    parts: list[Part] = []
    standard: int | None = -1
    for row in rows:
        if row.standard != standard:
            standard = row.standard
            parts.append(bold("\n\n" + standard_label(t, standard, regulation)))
        parts.append(plain(f"\n{row.position}. {short_row(t, row, 80)}"))
        facts = []
        if row.due_date:
            facts.append(t._("due {date}").format(date=t.date(row.due_date)))
        if row.lead_text:
            facts.append(t._("Responsible") + ": " + short_title(row.lead_text, 40))
        issue = issues.get(row.issue_id) if row.issue_id else None
        if issue is not None:
            facts.append(t._("issue {n}").format(n=issue.position))
        implementation = column_10.get(row.id)
        if implementation:
            facts.append(t._("Implementation level") + ": " + implementation)
        if facts:
            parts.append(italic("\n   " + " · ".join(facts)))
    return parts


def plan_view(turn: Turn, plan: Plan, page: int = 0) -> View:
    t = turn.t
    regulation = plans.regulation_of(turn.school)
    rows = plans.in_table_order(plans.active_rows(turn.session, plan.id))
    head = t._("Quality-improvement plan, school year {year}").format(year=plan.school_year)
    parts: list[Part] = [bold(head), plain("\n" + turn.school.name)]
    tt57 = plan.template == TT57
    if tt57:
        raw = template_of(plan.template).raw
        count_issues = len(priorities.issues_of(turn.session, plan.id))
        parts.append(italic(f"\n{raw.get('form', '')} · {raw.get('circular', '')}"))
        issues_line = t.ngettext(
            "{n} priority issue (section IV)", "{n} priority issues (section IV)", count_issues
        ).format(n=count_issues)
        parts.append(italic(f"\n{issues_line} · /priorities"))
    if not rows:
        parts.append(italic("\n\n" + t._("No rows yet. /add writes the first one.")))
    else:
        count = t.ngettext("{n} row", "{n} rows", len(rows)).format(n=len(rows))
        parts.append(italic(f"\n{count}"))
        parts += tt57_overview(turn, plan, rows) if tt57 else overview(t, rows, regulation)
        parts.append(italic("\n\n" + t._("Tap a row to open it.")))
    start = page * ROWS_PER_PAGE
    shown = rows[start : start + ROWS_PER_PAGE]
    buttons = [[Button(short_row(t, row), f"r:o:{row.id}")] for row in shown]
    more = start + ROWS_PER_PAGE < len(rows)
    buttons += paging(page, more, f"p:p:{plan.school_year}:{{page}}")
    others = [y for y in plans.plan_years(turn.session, turn.school.id) if y != plan.school_year]
    buttons += [[Button(t._("School year {year}").format(year=y), f"p:y:{y}")] for y in others[-4:]]
    return View(parts, buttons)


def on_plan(turn: Turn) -> list[View]:
    """Show the plan of the current school year, creating it on first use."""
    plan = plans.ensure_plan(turn.session, turn.school, turn.school_year())
    return [plan_view(turn, plan)]


def on_export(turn: Turn) -> list[View]:
    """Send the plan of the current school year as DOCX (to print) and XLSX (to work on)."""
    t = turn.t
    if not can_export(turn.member):
        log.info("refused /export for member %s", turn.member.id if turn.member else None)
        return [
            View(
                [
                    bold(
                        t._(
                            "Only the principal, vice-principals and the monitoring group "
                            "export the plan."
                        )
                    )
                ]
            )
        ]
    plan = plans.ensure_plan(turn.session, turn.school, turn.school_year())
    document = plan_json.document(turn.session, turn.school, plan, turn.now.date())
    caption = t._("Plan of school year {year}: {n} rows.").format(
        year=plan.school_year, n=len(document.rows)
    )
    name = f"ke-hoach-cai-tien-{plan.school_year}"
    statuses = status_labels(turn.session, document.rows)
    xlsx = Later(write_xlsx, (document, plans.owner_names(turn.session, plan), statuses))
    return [
        View([plain(caption)], document=(f"{name}.docx", Later(write_docx, (document,)))),
        View([plain(caption)], document=(f"{name}.xlsx", xlsx)),
    ]


def on_report_year(turn: Turn) -> list[View]:
    """The end-of-year report of the current school year (DOCX), and the evidence as a ZIP."""
    t = turn.t
    if not can_manage_team(turn.member):
        log.info("refused /report_year for member %s", turn.member.id if turn.member else None)
        return [View([bold(t._("Only the principal and vice-principals make the year's report."))])]
    plan = plans.ensure_plan(turn.session, turn.school, turn.school_year())
    document = plans.plan_document(turn.session, turn.school, plan, turn.now.date())
    progress = row_progress(turn.session, plan.id, document.rows)
    tt57 = year_report.facts(turn.session, plan, progress)  # None for a 2018 plan
    done = sum(1 for p in progress if p.status == "done")
    caption = t._("End-of-year report, school year {year}: {done} of {n} rows done.").format(
        year=plan.school_year, done=done, n=len(progress)
    )
    name = f"bao-cao-ket-qua-{plan.school_year}"
    read = FileStore(turn.settings.files_dir).read
    views = [
        View(
            [plain(caption)],
            document=(f"{name}.docx", Later(write_report_docx, (document, progress, read, tt57))),
        )
    ]
    if any(r.evidence for p in progress for r in p.reports):
        views.append(
            View(
                [plain(t._("Evidence files, one folder per criterion."))],
                document=(
                    f"minh-chung-{plan.school_year}.zip",
                    Later(write_evidence_zip, (progress, read, tt57)),
                ),
            )
        )
    return views


def on_callback(turn: Turn) -> list[View]:
    """Another year's plan, or another page of the list."""
    t = turn.t
    parts = (turn.incoming.callback_data or "")[len(PREFIX) :].split(":")
    year = parts[1] if len(parts) > 1 else ""
    plan = plans.find_plan(turn.session, turn.school.id, year) if is_school_year(year) else None
    if plan is None:
        return [View([bold(t._("This plan was not found."))], toast=t._("Not found"))]
    page = (parse_number(parts[2]) if parts[0] == "p" and len(parts) > 2 else None) or 0
    return [plan_view(turn, plan, page)]
