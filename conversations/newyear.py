"""/newyear: the principal (or a vice-principal) carries this year's plan over into the next
school year: the unfinished rows and the open priority issues (`bot.services.carryover`).

What would be carried is shown first (rows, issues, the new plan's template, which follows the
school's regulation now); one button carries it; a year whose plan has rows already asks a
second time before adding after them. The answer says what was carried and which rows need a
criterion picked (a 2018 criterion with no TT57 counterpart).
"""

from __future__ import annotations

import logging

from bot.domain.permissions import can_manage_team
from bot.domain.schoolyear import is_school_year
from bot.domain.templates import template_for_regulation, template_of
from bot.services import carryover, plans
from bot.services.chatstate import enter, leave
from bot.ui.views import Button, Part, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, flow_button, stale_button

log = logging.getLogger(__name__)

FLOW = "newyear"
PREFIX = "y:"
CONFIRM = "confirm"


def _cb(turn: Turn, *parts: str) -> str:
    return PREFIX + ":".join([*parts, str(turn.state.version)])


def _years(turn: Turn) -> tuple[str, str]:
    """From this school year into the next; once a new year has begun with an empty plan,
    from the year before into this one."""
    current = turn.school_year()
    first = int(current[:4])
    previous = f"{first - 1}-{first}"
    plan = plans.find_plan(turn.session, turn.school.id, current)
    if (plan is None or not plans.count_rows(turn.session, plan.id)) and plans.find_plan(
        turn.session, turn.school.id, previous
    ):
        return previous, current
    return current, carryover.next_year(current)


def on_newyear(turn: Turn) -> list[View]:
    t = turn.t
    if not can_manage_team(turn.member):
        log.info("refused /newyear for member %s", turn.member and turn.member.id)
        return [
            View(
                [bold(t._("Only the principal and vice-principals carry the plan over."))],
                toast=t._("Not allowed"),
            )
        ]
    source, target = _years(turn)
    if plans.find_plan(turn.session, turn.school.id, source) is None:
        return [View([bold(t._("There is no plan for {year} to carry over.").format(year=source))])]
    enter(turn.state, FLOW, CONFIRM, source=source, target=target, append=False)
    return prompt(turn)


def prompt(turn: Turn) -> list[View]:
    t = turn.t
    data = turn.state.data or {}
    source, target = str(data.get("source", "")), str(data.get("target", ""))
    plan = plans.find_plan(turn.session, turn.school.id, source)
    if plan is None or not is_school_year(target):
        leave(turn.state)
        return [View([bold(t._("This plan was not found."))])]
    rows = carryover.unfinished_rows(turn.session, plan)
    existing = plans.find_plan(turn.session, turn.school.id, target)
    template = (
        template_of(existing.template)
        if existing is not None
        else template_for_regulation(turn.school.regulation)
    )
    issues = (
        carryover.open_issues(turn.session, plan)
        if template.is_tt57 and plan.template == template.code
        else []
    )
    parts: list[Part] = [
        bold(
            "📅 "
            + t._("Carry the plan of {source} over into {target}").format(
                source=source, target=target
            )
        ),
        plain(
            "\n"
            + t.ngettext(
                "{n} row not reported done (words, owners and timelines kept).",
                "{n} rows not reported done (words, owners and timelines kept).",
                len(rows),
            ).format(n=len(rows))
        ),
    ]
    if issues:
        parts.append(
            plain(
                "\n"
                + t.ngettext(
                    "{n} open priority issue.", "{n} open priority issues.", len(issues)
                ).format(n=len(issues))
            )
        )
    layout = t._("Biểu 2 (Thông tư 57/2026)") if template.is_tt57 else t._("the 2018 table")
    parts.append(plain("\n" + t._("The new plan is written in {layout}.").format(layout=layout)))
    count = plans.count_rows(turn.session, existing.id) if existing is not None else 0
    buttons: list[list[Button]] = []
    if count and not data.get("append"):
        parts.append(
            bold(
                "\n\n"
                + t.ngettext(
                    "The plan of {year} already has {n} row.",
                    "The plan of {year} already has {n} rows.",
                    count,
                ).format(year=target, n=count)
            )
        )
        buttons.append([Button("➕ " + t._("Add after them"), _cb(turn, "a"))])
    else:
        buttons.append([Button("✅ " + t._("Carry over"), _cb(turn, "c"))])
    buttons.append([Button(t._("Cancel"), _cb(turn, "x"))])
    parts.append(italic("\n" + t._("/cancel: stop")))
    return [View(parts, buttons)]


def on_callback(turn: Turn) -> list[View]:
    t = turn.t
    pressed = flow_button(turn, PREFIX, FLOW)
    if pressed is None:
        return stale_button(turn, FLOW, prompt)
    if not can_manage_team(turn.member):
        leave(turn.state)
        return [View([bold(t._("Only the principal and vice-principals carry the plan over."))])]
    action, _ = pressed
    if action == "x":
        return cancel(turn)
    if action == "a":
        enter(turn.state, FLOW, CONFIRM, append=True)
        return prompt(turn)
    if action == "c":
        return _carry(turn)
    return [View([bold(t._("This button is no longer valid."))]), *prompt(turn)]


def _carry(turn: Turn) -> list[View]:
    t = turn.t
    data = turn.state.data or {}
    source, target = str(data.get("source", "")), str(data.get("target", ""))
    try:
        done = carryover.carry_over(
            turn.session,
            turn.school,
            source,
            target,
            turn.member,
            append=bool(data.get("append")),
        )
    except carryover.CarryOverError as exc:
        log.info("carry-over refused for school %s: %s", turn.school.id, exc)
        leave(turn.state)
        return [View([bold(t._("Nothing was carried over.")), plain(f"\n{exc}")])]
    leave(turn.state)
    parts: list[Part] = [
        bold(
            "✅ "
            + t._("Carried into the plan of {year}: {rows} rows, {issues} priority issues.").format(
                year=target, rows=t.number(len(done.rows)), issues=t.number(len(done.issues))
            )
        )
    ]
    if done.unmapped:
        positions = ", ".join(str(p) for p in done.unmapped)
        parts.append(
            plain(
                "\n"
                + t.ngettext(
                    "{n} row needs its criterion picked (no TT57 criterion matches its 2018 "
                    "one): row {positions}.",
                    "{n} rows need their criterion picked (no TT57 criterion matches their "
                    "2018 one): rows {positions}.",
                    len(done.unmapped),
                ).format(n=len(done.unmapped), positions=positions)
            )
        )
    parts.append(italic("\n" + t._("Open the new plan with /plan (its year's button).")))
    return [View(parts, edit=True)]


def on_text(turn: Turn) -> list[View]:
    return [View([bold(turn.t._("Please choose with the buttons."))]), *prompt(turn)]


def go_back(turn: Turn) -> list[View]:
    return prompt(turn)


def cancel(turn: Turn) -> list[View]:
    leave(turn.state)
    return [View([bold(turn.t._("Stopped. Nothing was carried over."))])]


registry.add_flow(registry.Flow(FLOW, prompt, on_text, on_text, go_back, cancel))
