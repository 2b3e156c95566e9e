"""A saved row: its card, an edit button per field, delete with confirmation."""

from __future__ import annotations

import logging
from typing import Any

from bot.core.i18n import N_
from bot.domain.parsing import awaits_confirmation
from bot.domain.permissions import can_edit_row, can_manage_team
from bot.domain.rowform import BY_NAME, FIELDS, FIELDS_TT57, FROM_SHORT, SHORT
from bot.domain.templates import TT57, template_of
from bot.services import plan_json, plans, priorities, progress
from bot.services.chatstate import enter, leave
from bot.ui.render import echo, row_card, short_row
from bot.ui.views import Button, Part, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, parse_number, stale_button
from db.models import PlanRow, ProgressStatus, RowStatus

log = logging.getLogger(__name__)

PREFIX = "r:"
FIELD_LABELS = {
    **{spec.name: spec.label for spec in FIELDS},
    **{spec.name: spec.label for spec in FIELDS_TT57 if spec.name not in BY_NAME},
    "criterion": N_("Criterion"),
    "owners": N_("Owners"),
    "timeline_confirmed": N_("Timeline confirmed"),
}
FLOW_DELETE = "row_delete"


@registry.card_view.provide
def card_view(turn: Turn, row: PlanRow) -> View:
    """The row card with the buttons this member may use."""
    t = turn.t
    parts = [bold(t._("Row {position}").format(position=row.position)), bold(" · ")]
    parts += row_card(
        t,
        row,
        plans.regulation_of(turn.school),
        row.plan.school_year,
        **_tt57_columns(turn, row),
    )
    parts += progress_parts(turn, row)
    buttons: list[list[Button]] = []
    if can_edit_row(turn.member, row):
        if awaits_confirmation(row.timeline_flags):
            buttons.append([Button("✅ " + t._("Confirm the timeline"), f"r:k:{row.id}")])
        buttons += registry.edit_buttons(turn, row, lambda field: f"r:e:{row.id}:{SHORT[field]}")
        buttons.append([Button("👥 " + t._("Owners"), f"o:s:{row.id}")])
        buttons.append([Button("🗑 " + t._("Delete row"), f"r:d:{row.id}")])
    if can_manage_team(turn.member):
        buttons.append([Button("🕓 " + t._("History"), f"r:h:{row.id}")])
    buttons.append([Button("◀ " + t._("Plan"), f"p:y:{row.plan.school_year}")])
    return View(parts, buttons)


def _tt57_columns(turn: Turn, row: PlanRow) -> dict[str, Any]:
    """What a TT57 card shows beside the row's words: the issue it answers and column (10)
    "Mức độ thực hiện" (the owners' latest status, else as written). Nothing for 2018."""
    if row.plan.template != TT57:
        return {}
    issue = (
        priorities.get_issue(turn.session, turn.school.id, row.issue_id) if row.issue_id else None
    )
    latest = progress.latest_status(progress.reports_of(turn.session, row.id))
    column_10 = plan_json.implementation(row, latest, template_of(row.plan.template))
    return {"issue": issue, "implementation": column_10}


def history_view(turn: Turn, row: PlanRow) -> View:
    """Who changed what on the row, when (newest first)."""
    t = turn.t
    parts = [bold(t._("History of {row}").format(row=short_row(t, row, 80)))]
    for entry in plans.history(turn.session, row.id)[:40]:
        when = entry.at.astimezone(turn.now.tzinfo).strftime("%d/%m/%Y %H:%M")
        who = entry.member.display_name if entry.member else "—"
        field = t._(FIELD_LABELS.get(entry.field or "", entry.field or "")) if entry.field else ""
        change = {"created": t._("created"), "deleted": t._("deleted")}.get(entry.action, "")
        if entry.action == "updated":
            change = f"{field}: {entry.old_value or '∅'} → {entry.new_value or '∅'}"
        parts.append(plain(f"\n\n{when} · {who}\n"))
        parts += echo(t, change, 600)
    return View(parts, [[Button("◀ " + t._("Back"), f"r:o:{row.id}")]])


def progress_parts(turn: Turn, row: PlanRow) -> list[Part]:
    """The latest status and the last reports, under the card."""
    t = turn.t
    reports = progress.reports_of(turn.session, row.id)
    if not reports:
        return [italic("\n\n" + t._("No progress report yet."))]
    latest = reports[-1]
    parts: list[Part] = [
        bold(
            "\n\n"
            + t._("Progress: {status}").format(
                status=t._(progress.STATUS_LABELS[ProgressStatus(latest.status)])
            )
        )
    ]
    for report in reports[-3:][::-1]:
        when = report.created_at.astimezone(turn.now.tzinfo).strftime("%d/%m/%Y")
        who = report.member.display_name if report.member else "—"
        files = t.ngettext("{n} file", "{n} files", len(report.evidence)).format(
            n=len(report.evidence)
        )
        status = t._(progress.STATUS_LABELS[ProgressStatus(report.status)])
        parts.append(plain(f"\n• {when} · {who}: {status} — "))
        parts += echo(t, report.text or "", 200)
        parts.append(italic(f" ({files})"))
    return parts


def _not_found(turn: Turn) -> list[View]:
    return [
        View(
            [bold(turn.t._("This row was not found (it may have been deleted)."))],
            toast=turn.t._("Not found"),
        )
    ]


def on_callback(turn: Turn) -> list[View]:
    """Open, edit or delete a row; the row must belong to the member's school."""
    t = turn.t
    parts = (turn.incoming.callback_data or "")[len(PREFIX) :].split(":")
    action = parts[0]
    row_id = parse_number(parts[1]) if len(parts) > 1 else None
    row = plans.get_row(turn.session, turn.school.id, row_id) if row_id else None
    if row is None or row.status != RowStatus.ACTIVE:
        log.info(
            "row %r not found for school %s (user %s)",
            row_id,
            turn.school.id,
            turn.incoming.user.id,
        )
        return _not_found(turn)
    if action == "o":
        return [card_view(turn, row)]
    if action == "h" and can_manage_team(turn.member):
        return [history_view(turn, row)]
    if not can_edit_row(turn.member, row):
        log.info(
            "refused %s on row %s for member %s", action, row.id, turn.member and turn.member.id
        )
        return [View([bold(t._("You may not change this row."))], toast=t._("Not allowed"))]
    if action == "k":
        plans.confirm_timeline(turn.session, row, turn.member)
        view = card_view(turn, row)
        view.edit = True
        return [view]
    if action == "e" and len(parts) > 2 and parts[2] in FROM_SHORT:
        return registry.edit_from_card(turn, row, FROM_SHORT[parts[2]])
    if action == "d":
        enter(turn.state, FLOW_DELETE, "confirm", row_id=row.id)
        question = t._("Delete {row}? This cannot be undone from the chat.")
        return [
            View(
                [bold(question.format(row=short_row(t, row, 80)))],
                [
                    [
                        Button("🗑 " + t._("Yes, delete"), f"r:y:{row.id}:{turn.state.version}"),
                        Button(t._("No, keep it"), f"r:o:{row.id}"),
                    ]
                ],
            )
        ]
    if action == "y" and len(parts) > 2:
        data = turn.state.data or {}
        if (
            turn.state.flow != FLOW_DELETE
            or data.get("row_id") != row.id
            or parse_number(parts[2]) != turn.state.version
        ):
            return stale_button(turn)
        named = short_row(t, row, 80)
        plans.delete_row(turn.session, row, turn.member)
        leave(turn.state)
        done = t._("{row} was deleted.").format(row=named)
        return [View([bold("🗑 " + done)], edit=True)]
    return [View([bold(t._("This button is no longer valid."))])]
