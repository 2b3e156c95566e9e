"""Owners of a row (pick from the team, mark the lead) and /mine (the rows a member owns)."""

from __future__ import annotations

import logging

from bot.domain.parsing import fold
from bot.domain.permissions import can_edit_row
from bot.services import members, outbox, owners, plans, progress
from bot.services.chatstate import enter, leave
from bot.ui.render import short_row
from bot.ui.views import Button, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, parse_number, stale_button
from db.models import Member, PlanRow, ProgressStatus, RowStatus

log = logging.getLogger(__name__)

FLOW = "owners"
PREFIX = "o:"
PAGE = 20


def _row(turn: Turn, row_id: int | None) -> PlanRow | None:
    if row_id is None:
        return None
    row = plans.get_row(turn.session, turn.school.id, row_id)
    return row if row is not None and row.status != RowStatus.DELETED else None


def _may(turn: Turn, row: PlanRow) -> bool:
    if row.status == RowStatus.DRAFT:
        return turn.member is not None and row.created_by_member_id == turn.member.id
    return can_edit_row(turn.member, row)


def start(turn: Turn, row: PlanRow, ret: str) -> list[View]:
    """Open the owner picker for `row`; `ret` says where "Done" goes (card or review)."""
    enter(turn.state, FLOW, "pick", row_id=row.id, ret=ret, q="")
    return prompt(turn)


def prompt(turn: Turn) -> list[View]:
    t = turn.t
    data = turn.state.data or {}
    row = _row(turn, data.get("row_id"))
    if row is None:
        leave(turn.state)
        return [View([bold(t._("This row was not found (it may have been deleted)."))])]
    v = turn.state.version
    chosen_ids = {o.member_id: o.is_lead for o in row.owners}
    people = members.members(turn.session, turn.school.id)
    query = str(data.get("q") or "")
    if query:
        folded = fold(query)
        people = [m for m in people if folded in fold(m.display_name + " " + (m.title or ""))]
    parts = [bold(t._("Who answers for {row}?").format(row=short_row(t, row, 80)))]
    if row.lead_text:
        parts.append(
            italic(
                "\n" + t._("Lead and coordinators (as written): {text}").format(text=row.lead_text)
            )
        )
    parts.append(plain("\n" + t._("Tap a name to add or remove it; ⭐ marks the lead.")))
    # Suggested from the lead text: said once, and first in the list (each person once).
    suggested = list(
        {
            m.id: m
            for m in owners.suggest_owners(turn.session, turn.school.id, row.lead_text)
            if m.id not in chosen_ids
        }.values()
    )
    if suggested:
        names = ", ".join(_who(m) for m in suggested)
        parts.append(
            italic("\n💡 " + t._("Suggested from the lead text: {names}").format(names=names))
        )
    hinted = {m.id for m in suggested}
    shown = {m.id for m in people}
    people = [m for m in suggested if m.id in shown] + [m for m in people if m.id not in hinted]
    if len(people) > PAGE:
        parts.append(
            italic("\n" + t._("{n} people: type part of a name to search.").format(n=len(people)))
        )
    buttons: list[list[Button]] = []
    for member in people[:PAGE]:
        chosen = member.id in chosen_ids
        label = ("☑ " if chosen else "☐ ") + _label(member)
        if member.id in hinted:
            label += " 💡"
        buttons.append(
            [
                Button(label, f"o:t:{row.id}:{member.id}:{v}"),
                Button("⭐" if chosen_ids.get(member.id) else "☆", f"o:l:{row.id}:{member.id}:{v}"),
            ]
        )
    buttons.append([Button("✅ " + t._("Done"), f"o:d:{row.id}:{v}")])
    return [View(parts, buttons, edit=bool(turn.incoming.callback_data))]


def _who(member: Member) -> str:
    """A name with the position when it is known: "Đặng Thị Lan (Kế toán)"."""
    return f"{member.display_name} ({member.title})" if member.title else member.display_name


def _label(member: Member) -> str:
    """A member on a button: the name, then the position when known (kept short)."""
    name = member.display_name[:40]
    return f"{name} · {member.title[:24]}" if member.title else name


def on_text(turn: Turn) -> list[View]:
    """Typed text filters the team list."""
    enter(turn.state, FLOW, "pick", q=(turn.incoming.text or "").strip()[:50])
    view = prompt(turn)
    for v in view:
        v.edit = False
    return view


def _done(turn: Turn, row: PlanRow) -> list[View]:
    ret = (turn.state.data or {}).get("ret")
    if ret == "review":
        return registry.back_to_review(turn, row)
    leave(turn.state)
    return [registry.card_view(turn, row)]


def skip(turn: Turn) -> list[View]:
    return prompt(turn)


def go_back(turn: Turn) -> list[View]:
    row = _row(turn, (turn.state.data or {}).get("row_id"))
    return _done(turn, row) if row else prompt(turn)


cancel = go_back


def on_callback(turn: Turn) -> list[View]:
    """Toggle an owner, set the lead, or finish; checked against the row and the member."""
    t = turn.t
    parts = (turn.incoming.callback_data or "")[len(PREFIX) :].split(":")
    action = parts[0]
    numbers = [parse_number(p) for p in parts[1:]]
    row = _row(turn, numbers[0] if numbers else None)
    if row is None:
        return [
            View(
                [bold(t._("This row was not found (it may have been deleted)."))],
                toast=t._("Not found"),
            )
        ]
    if not _may(turn, row):
        log.info("refused owners of row %s for member %s", row.id, turn.member and turn.member.id)
        return [View([bold(t._("You may not change this row."))], toast=t._("Not allowed"))]
    if action == "s":
        return start(turn, row, "card")
    if action == "r":
        return start(turn, row, "review")
    if (
        turn.state.flow != FLOW
        or numbers[-1] != turn.state.version
        or (turn.state.data or {}).get("row_id") != row.id
    ):
        return stale_button(turn, FLOW, prompt)
    current = [o.member_id for o in row.owners]
    lead = next((o.member_id for o in row.owners if o.is_lead), None)
    member_id = numbers[1] if len(numbers) > 2 else None
    added: list[int] = []
    if action == "t" and member_id is not None:
        wanted = (
            [m for m in current if m != member_id]
            if member_id in current
            else [*current, member_id]
        )
        added = owners.set_owners(turn.session, row, wanted, lead, turn.member)
    elif action == "l" and member_id is not None:
        wanted = current if member_id in current else [*current, member_id]
        added = owners.set_owners(turn.session, row, wanted, member_id, turn.member)
    elif action == "d":
        return _done(turn, row)
    if added and outbox.tell_assigned(turn.session, row, added, turn.member, turn.now):
        turn.wake_sender = True  # told once, naming the row (a draft's owners: when saved)
    enter(turn.state, FLOW, "pick")
    return prompt(turn)


def on_mine(turn: Turn) -> list[View]:
    """The rows this member answers for: code, title, due date, status."""
    t = turn.t
    assert turn.member is not None
    rows = owners.rows_owned(turn.session, turn.member)
    if not rows:
        return [View([bold(t._("No rows are assigned to you yet."))])]
    regulation = plans.regulation_of(turn.school)
    parts = [bold(t._("Rows you answer for"))]
    for row in rows:
        title = plans.row_title(row, regulation)
        lead = next((o.is_lead for o in row.owners if o.member_id == turn.member.id), False)
        due = t.date(row.due_date) if row.due_date else t._("end of school year")
        latest = progress.latest_status(progress.reports_of(turn.session, row.id))
        status = (
            t._(progress.STATUS_LABELS[ProgressStatus(latest)]) if latest else t._("no report yet")
        )
        if row.content:  # a TT57 row: named by its content, its standard when no criterion
            code = row.criterion_code or (f"TC{row.standard}" if row.standard else "—")
            title = row.content
        else:
            code = str(row.criterion_code)
        parts.append(plain(f"\n\n{code} — {title[:80]}"))
        parts.append(
            italic(
                "\n"
                + t._("School year {year} · due {due} · {status}").format(
                    year=row.plan.school_year,
                    due=due,
                    status=status,
                )
                + (" · ⭐ " + t._("lead") if lead else "")
            )
        )
    buttons = [[Button(short_row(t, row), f"r:o:{row.id}")] for row in rows[:30]]
    return [View(parts, buttons)]


registry.add_flow(registry.Flow(FLOW, prompt, on_text, skip, go_back, cancel))
