"""/supervisor: the principal links the school to a supervising unit (the commune's or ward's
office, the Sở) with the code the unit gave, confirms, and may unlink it; the principal and
vice-principals see which units follow the school and which of their specialists looked.

Linking asks for confirmation (buttons carry the chat state's version: a button of an older
message is refused); a wrong code is said so and the code asked again. A school has one unit
of each kind (`units.link` refuses a second one): the refusal names the unit already linked.
Only the principal links and unlinks (`permissions.can_link_units`).
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.core.i18n import N_, Translator
from bot.domain.permissions import can_link_units, can_manage_team
from bot.services import units
from bot.services.chatstate import enter, leave
from bot.ui.views import Button, Part, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, flow_button, parse_number, stale_button
from db.models import SupervisingUnit, UnitKind

log = logging.getLogger(__name__)

PREFIX = "u:"
FLOW = "supervisor"
CODE, CONFIRM, UNLINK = "code", "confirm", "unlink"
KIND_LABELS = {
    UnitKind.COMMUNE: N_("commune or ward office"),
    UnitKind.PROVINCE: N_("Department of Education and Training (Sở)"),
}
WHAT_LABELS = {
    "schools": N_("the list of schools"),
    "plan": N_("the plan"),
    "row": N_("a row of the plan"),
}


def kind_name(t: Translator, kind: str) -> str:
    return t._(KIND_LABELS[UnitKind(kind)]) if kind in set(UnitKind) else kind


def _unit_name(t: Translator, unit: SupervisingUnit) -> str:
    return f"{unit.name} ({kind_name(t, unit.kind)})"


def _links(turn: Turn) -> bool:
    return can_link_units(turn.member)


def _only_principal(turn: Turn) -> list[View]:
    log.info("refused a unit link for member %s", turn.member.id if turn.member else None)
    t = turn.t
    text = t._("Only the principal links the school to a supervising unit or unlinks it.")
    return [View([bold(text)], toast=t._("Not allowed"))]


def _ask_code(turn: Turn) -> View:
    t = turn.t
    return View(
        [
            bold(t._("Please send the link code the supervising unit gave you.")),
            italic("\n" + t._("For example: ABCD-EFGH-JKMN. /cancel stops.")),
        ]
    )


def _confirm_view(turn: Turn, unit: SupervisingUnit) -> View:
    t = turn.t
    question = t._("Link {school} to {unit}?").format(
        school=turn.school.name, unit=_unit_name(t, unit)
    )
    version = turn.state.version
    return View(
        [
            bold(question),
            plain(
                "\n\n"
                + t._(
                    "Its specialists will see the school's plan and progress, read-only, and "
                    "you will see which of them looked (/supervisor)."
                )
            ),
        ],
        [
            [
                Button("🔗 " + t._("Link"), f"u:y:{unit.id}:{version}"),
                Button(t._("Cancel"), f"u:n:{version}"),
            ]
        ],
    )


def _unlink_view(turn: Turn, unit: SupervisingUnit) -> View:
    t = turn.t
    question = t._("Unlink {school} from {unit}?").format(
        school=turn.school.name, unit=_unit_name(t, unit)
    )
    version = turn.state.version
    return View(
        [
            bold(question),
            plain("\n\n" + t._("Its specialists will no longer see the school's plan.")),
        ],
        [
            [
                Button("✂️ " + t._("Unlink"), f"u:x:{unit.id}:{version}"),
                Button(t._("Cancel"), f"u:n:{version}"),
            ]
        ],
    )


def _pending_unit(turn: Turn) -> SupervisingUnit | None:
    unit_id = (turn.state.data or {}).get("unit_id")
    return turn.session.get(SupervisingUnit, unit_id) if isinstance(unit_id, int) else None


def prompt(turn: Turn) -> list[View]:
    """The open question again: the code, or the confirmation of a link or an unlink."""
    unit = _pending_unit(turn)
    if turn.state.step == CONFIRM and unit is not None:
        return [_confirm_view(turn, unit)]
    if turn.state.step == UNLINK and unit is not None:
        return [_unlink_view(turn, unit)]
    return [_ask_code(turn)]


def _try_code(turn: Turn, text: str) -> list[View]:
    """A code typed (spaces, lower case accepted): the unit's name and kind, to confirm."""
    t = turn.t
    unit = units.by_link_code(turn.session, text[:64])
    if unit is None:
        log.info("unknown unit link code from user %s", turn.incoming.user.id)
        enter(turn.state, FLOW, CODE)
        wrong = t._("This code is not valid: no supervising unit has it. Please check it.")
        return [View([bold(wrong)]), _ask_code(turn)]
    enter(turn.state, FLOW, CONFIRM, unit_id=unit.id)
    return [_confirm_view(turn, unit)]


def on_text(turn: Turn) -> list[View]:
    if not _links(turn):
        leave(turn.state)
        return _only_principal(turn)
    return _try_code(turn, turn.incoming.text or "")


def cancel(turn: Turn) -> list[View]:
    leave(turn.state)
    return [View([bold(turn.t._("Stopped. Nothing was linked or unlinked."))])]


def _on_command(turn: Turn) -> list[View]:
    """Another command: the question about a code ends (the next text is not taken for one)."""
    leave(turn.state)
    return []


registry.add_flow(
    registry.Flow(
        name=FLOW,
        prompt=prompt,
        on_text=on_text,
        skip=cancel,
        go_back=cancel,
        cancel=cancel,
        on_command=_on_command,
    )
)


def _views_parts(turn: Turn) -> list[Part]:
    """Which specialists looked at the school's plan, newest first."""
    t = turn.t
    lines = units.views_of_school(turn.session, turn.school.id)
    parts: list[Part] = [bold("\n\n" + t._("Who looked at the plan"))]
    if not lines:
        return [*parts, italic("\n" + t._("No specialist has looked at the plan yet."))]
    tz = ZoneInfo(turn.school.timezone)
    for line in lines:
        what = t._(WHAT_LABELS[line.what]) if line.what in WHAT_LABELS else line.what
        times = t.ngettext("{n} time", "{n} times", line.count).format(n=line.count)
        when = line.at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
        parts.append(plain(f"\n• {line.unit_name} · {line.specialist}: {what} — {when} ({times})"))
    return parts


def list_view(turn: Turn) -> View:
    """The units linked to the school, with an Unlink button each (the principal's), and
    the latest views by their specialists."""
    t = turn.t
    linked = units.units_of_school(turn.session, turn.school.id)
    parts: list[Part] = [bold(t._("Supervising units of {school}").format(school=turn.school.name))]
    if not linked:
        parts.append(italic("\n" + t._("No supervising unit follows this school yet.")))
    for unit in linked:
        parts.append(plain(f"\n• {_unit_name(t, unit)}"))
    parts += _views_parts(turn)
    buttons: list[list[Button]] = []
    if _links(turn):
        parts.append(
            italic(
                "\n\n"
                + t._(
                    "To link the school to a unit, send /supervisor with the code the unit "
                    "gave you, e.g. /supervisor ABCD-EFGH-JKMN."
                )
            )
        )
        buttons = [
            [Button("✂️ " + t._("Unlink {unit}").format(unit=unit.name), f"u:u:{unit.id}")]
            for unit in linked
        ]
        buttons.append([Button("➕ " + t._("Link a unit"), "u:a")])
    return View(parts, buttons)


def on_supervisor(turn: Turn) -> list[View]:
    """/supervisor CODE: link (after confirmation); /supervisor: the units and who looked."""
    t = turn.t
    if not can_manage_team(turn.member):
        log.info("refused /supervisor for member %s", turn.member.id if turn.member else None)
        text = t._("Only the principal and vice-principals see the supervising units.")
        return [View([bold(text)])]
    if turn.incoming.args:
        if not _links(turn):
            return _only_principal(turn)
        return _try_code(turn, " ".join(turn.incoming.args))
    if turn.state.flow == FLOW:
        leave(turn.state)
    return [list_view(turn)]


def _link(turn: Turn, unit: SupervisingUnit) -> list[View]:
    t = turn.t
    leave(turn.state)
    try:
        linked = units.link(turn.session, unit, turn.school, turn.now, by=turn.member)
    except units.UnitError:
        other = next(
            (u for u in units.units_of_school(turn.session, turn.school.id) if u.kind == unit.kind),
            None,
        )
        text = t._(
            "{school} is already linked to {other}. A school has one unit of each kind: "
            "unlink that one first (/supervisor)."
        ).format(school=turn.school.name, other=_unit_name(t, other) if other else "?")
        return [View([bold(text)], edit=True)]
    text = (
        t._("{school} is now linked to {unit}.")
        if linked
        else t._("{school} was already linked to {unit}.")
    )
    return [
        View(
            [bold("🔗 " + text.format(school=turn.school.name, unit=_unit_name(t, unit)))],
            edit=True,
        )
    ]


def _unlink(turn: Turn, unit: SupervisingUnit) -> list[View]:
    t = turn.t
    leave(turn.state)
    gone = units.unlink(turn.session, unit, turn.school, by=turn.member)
    text = (
        t._("{school} is no longer linked to {unit}: its specialists no longer see the plan.")
        if gone
        else t._("{school} was not linked to {unit}.")
    )
    return [View([bold(text.format(school=turn.school.name, unit=_unit_name(t, unit)))], edit=True)]


def on_callback(turn: Turn) -> list[View]:
    """Link a unit (ask the code), unlink one (confirm), confirm or cancel."""
    t = turn.t
    if not _links(turn):
        return _only_principal(turn)
    parts = (turn.incoming.callback_data or "")[len(PREFIX) :].split(":")
    action = parts[0]
    if action == "a" and len(parts) == 1:
        enter(turn.state, FLOW, CODE)
        return [_ask_code(turn)]
    if action == "u" and len(parts) == 2:
        unit_id = parse_number(parts[1])
        unit = next(
            (u for u in units.units_of_school(turn.session, turn.school.id) if u.id == unit_id),
            None,
        )
        if unit is None:
            log.info("unlink of unit %r refused for school %s", parts[1], turn.school.id)
            return [View([bold(t._("This button is no longer valid."))], toast=t._("Not found"))]
        enter(turn.state, FLOW, UNLINK, unit_id=unit.id)
        return [_unlink_view(turn, unit)]
    pressed = flow_button(turn, PREFIX, FLOW)
    if pressed is None:
        return stale_button(turn, FLOW, prompt)
    action, args = pressed
    if action == "n" and not args:
        return [*cancel(turn)]
    unit = _pending_unit(turn)
    step = {"y": CONFIRM, "x": UNLINK}.get(action)
    if (
        unit is None
        or step is None
        or turn.state.step != step
        or len(args) != 1
        or parse_number(args[0]) != unit.id
    ):
        return stale_button(turn, FLOW, prompt)
    return _link(turn, unit) if action == "y" else _unlink(turn, unit)
