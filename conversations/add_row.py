"""/add: write a plan row question by question, then a summary card, then save.

Also the editor behind every "edit" button, for drafts and saved rows alike. Steps:
standard → criterion (Mức 4: number → wording) → expected result → tasks → lead →
timeline → budget → support → notes → summary card → save. Each answer is stored in the
draft row as it comes; /skip, /back and /cancel work at every question.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.domain.catalog import Regulation, is_level4_code
from bot.domain.parsing import awaits_confirmation
from bot.domain.permissions import can_edit_row, can_write_rows
from bot.domain.rowform import (
    BY_NAME,
    CRITERION,
    FIELDS,
    FROM_SHORT,
    SHORT,
    next_field,
    previous_field,
)
from bot.services import outbox, plans
from bot.services.chatstate import enter, leave
from bot.ui.render import before_school_year_question, echo, question, row_card, short_row
from bot.ui.views import Button, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, parse_number, stale_button
from db.models import PlanRow, RowStatus

log = logging.getLogger(__name__)

FLOW = "row"
PREFIX = "f:"
STEP_RESUME = "resume"
STEP_STANDARD = "standard"
STEP_CRITERION = "criterion"
STEP_M4_NUMBER = "m4_number"
STEP_M4_TEXT = "m4_text"
STEP_REVIEW = "review"
# A timeline that ends before the plan's school year: shown back, confirmed or written again.
STEP_CONFIRM_TIMELINE = "confirm_timeline"
RET_REVIEW = "review"
RET_CARD = "card"


# ---------------------------------------------------------------- helpers


def _row(turn: Turn) -> PlanRow | None:
    row_id = (turn.state.data or {}).get("row_id")
    if row_id is None or turn.member is None:
        return None
    row = plans.get_row(turn.session, turn.school.id, int(row_id))
    if row is None or row.status == RowStatus.DELETED:
        return None
    return row


def _regulation(turn: Turn) -> Regulation:
    return plans.regulation_of(turn.school)


def _school_year(turn: Turn, row: PlanRow) -> str:
    return row.plan.school_year


def _cb(turn: Turn, *parts: str) -> str:
    return PREFIX + ":".join([*parts, str(turn.state.version)])


def _nav(turn: Turn, *, skip: bool) -> list[list[Button]]:
    t = turn.t
    row = [Button("◀ " + t._("Back"), _cb(turn, "back"))]
    if skip:
        row.append(Button(t._("Skip") + " ▶", _cb(turn, "skip")))
    return [row]


def _notice(text: str) -> View:
    return View([bold(text)])


# ---------------------------------------------------------------- prompts


def prompt(turn: Turn) -> list[View]:
    """The question of the current step, with its buttons (bound to the current version)."""
    t = turn.t
    step = turn.state.step
    row = _row(turn)
    if row is None:
        leave(turn.state)
        return [_notice(t._("This row no longer exists. /plan shows the plan."))]
    regulation = _regulation(turn)
    if step == STEP_RESUME:
        parts = [bold(t._("You have an unfinished draft:")), plain("\n\n")]
        parts += row_card(t, row, regulation, _school_year(turn, row))
        return [
            View(
                parts,
                [
                    [Button(t._("Continue the draft"), _cb(turn, "resume"))],
                    [Button(t._("Discard it and start a new row"), _cb(turn, "fresh"))],
                ],
            )
        ]
    if step == STEP_STANDARD:
        buttons = [
            [Button(_standard_label(turn, s.number, s.title), _cb(turn, "s", str(s.number)))]
            for s in regulation.standards
        ]
        if regulation.has_level4:
            buttons.append([Button(t._("Level 4"), _cb(turn, "s", "m4"))])
        if (turn.state.data or {}).get("ret"):
            buttons.append([Button("◀ " + t._("Back"), _cb(turn, "back"))])
        return [View([bold(t._("Choose the standard (Tiêu chuẩn):"))], buttons)]
    if step == STEP_CRITERION:
        number = int((turn.state.data or {}).get("std", 1))
        standard = regulation.standard(number)
        criteria = standard.criteria if standard else ()
        buttons = [
            [Button(_criterion_label(turn, c.code, c.title), _cb(turn, "c", c.code))]
            for c in criteria
        ]
        buttons.append([Button("◀ " + t._("Back"), _cb(turn, "back"))])
        head = t._("Standard {n}: choose the criterion (Tiêu chí):").format(n=number)
        return [View([bold(head)], buttons)]
    if step in (STEP_M4_NUMBER, STEP_M4_TEXT):
        ask = (
            t._("Level 4: which criterion number? (for example: 2)")
            if step == STEP_M4_NUMBER
            else t._("Write the criterion as your plan words it:")
        )
        hint = italic("\n" + t._("/back: previous question · /cancel: stop"))
        return [View([bold(ask), hint], _nav(turn, skip=False))]
    if step == STEP_REVIEW:
        return [review_view(turn, row)]
    if step == STEP_CONFIRM_TIMELINE:
        return [_confirm_view(turn, row)]
    if step in BY_NAME:
        spec = BY_NAME[step]
        field_number = None if (turn.state.data or {}).get("ret") else _field_number(step)
        parts = question(t, step, field_number)
        current = getattr(row, step)
        if current:
            parts += [plain("\n\n"), italic(t._("Now:") + " "), *echo(t, current)]
        return [View(parts, _nav(turn, skip=not spec.required))]
    leave(turn.state)
    return [_notice(t._("Something went wrong with this conversation. Please start again."))]


def _confirm_view(turn: Turn, row: PlanRow) -> View:
    t = turn.t
    return View(
        before_school_year_question(t, row, _school_year(turn, row)),
        [
            [Button("✅ " + t._("Yes, keep it"), _cb(turn, "tk"))],
            [Button("✏️ " + t._("Write it again"), _cb(turn, "tr"))],
        ],
    )


def _field_number(name: str) -> int:
    return [f.name for f in FIELDS].index(name) + 1


def _standard_label(turn: Turn, number: int, title: str | None) -> str:
    label = turn.t._("Standard {n}").format(n=number)
    return _fit(f"{label}: {title}" if title else label)


def _criterion_label(turn: Turn, code: str, title: str | None) -> str:
    return _fit(f"{code} {title}" if title else turn.t._("Criterion {code}").format(code=code))


def _fit(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def review_view(turn: Turn, row: PlanRow) -> View:
    """The summary card of a draft: each field, what was understood, edit and save buttons."""
    t = turn.t
    parts = [bold(t._("Summary of the new row")), plain("\n\n")]
    parts += row_card(t, row, _regulation(turn), _school_year(turn, row))
    buttons = edit_buttons(turn, lambda field: _cb(turn, "e", SHORT[field]))
    if awaits_confirmation(row.timeline_flags):
        buttons.append([Button("✅ " + t._("Confirm the timeline"), _cb(turn, "tk"))])
    buttons.append([Button("👥 " + t._("Owners"), f"o:r:{row.id}")])
    buttons.append([Button("💾 " + t._("Save"), _cb(turn, "save"))])
    return View(parts, buttons)


@registry.edit_buttons.provide
def edit_buttons(turn: Turn, data_for: Callable[[str], str]) -> list[list[Button]]:
    """Two edit buttons per line, one per field (criterion first)."""
    t = turn.t
    labels = [(CRITERION, t._("Criterion"))] + [(f.name, t._(f.label)) for f in FIELDS]
    buttons = [Button("✏️ " + label, data_for(name)) for name, label in labels]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


# ---------------------------------------------------------------- entry points


def on_add(turn: Turn) -> list[View]:
    """Start a new row, or offer the unfinished draft again."""
    t = turn.t
    if not can_write_rows(turn.member):
        log.info("refused /add for member %s", turn.member.id if turn.member else None)
        return [_notice(t._("Only the principal, vice-principals and council members write rows."))]
    assert turn.member is not None
    plan = plans.ensure_plan(turn.session, turn.school, turn.school_year())
    draft = plans.open_draft(turn.session, turn.member, plan)
    if draft is not None:
        enter(turn.state, FLOW, STEP_RESUME, row_id=draft.id, mode="new", ret=None)
        return prompt(turn)
    row = plans.new_draft(turn.session, turn.member, plan)
    enter(turn.state, FLOW, STEP_STANDARD, row_id=row.id, mode="new", ret=None, std=None)
    year = t._("New row for the plan of school year {year}.").format(year=plan.school_year)
    return [_notice(year), *prompt(turn)]


def start_edit(turn: Turn, row: PlanRow, field: str, ret: str) -> list[View]:
    """Ask again for one field of a row (from a card's edit button)."""
    step = STEP_STANDARD if field == CRITERION else field
    enter(turn.state, FLOW, step, row_id=row.id, mode="edit", ret=ret, std=None)
    return prompt(turn)


# ---------------------------------------------------------------- moving between steps


def _after(turn: Turn, row: PlanRow, done: str) -> list[View]:
    """Where to go once `done` (a field or the criterion) is answered."""
    if done == "timeline_text" and awaits_confirmation(row.timeline_flags):
        enter(turn.state, FLOW, STEP_CONFIRM_TIMELINE)  # ret is kept for after the answer
        return prompt(turn)
    ret = (turn.state.data or {}).get("ret")
    if ret == RET_CARD:
        return _back_to_card(turn, row)
    if ret == RET_REVIEW:
        enter(turn.state, FLOW, STEP_REVIEW, ret=None)
        return prompt(turn)
    following = next_field(done)
    enter(turn.state, FLOW, following or STEP_REVIEW)
    return prompt(turn)


def _back_to_card(turn: Turn, row: PlanRow) -> list[View]:
    leave(turn.state)
    return [registry.card_view(turn, row)]


def go_back(turn: Turn) -> list[View]:
    """/back: the previous question (or, when editing one field, the card it came from)."""
    row = _row(turn)
    if row is None:
        return prompt(turn)
    step = turn.state.step
    ret = (turn.state.data or {}).get("ret")
    if step == STEP_CRITERION:
        enter(turn.state, FLOW, STEP_STANDARD)
    elif step == STEP_M4_TEXT:
        enter(turn.state, FLOW, STEP_M4_NUMBER)
    elif step == STEP_CONFIRM_TIMELINE:
        enter(turn.state, FLOW, "timeline_text")
    elif ret == RET_CARD and step != STEP_REVIEW:
        return _back_to_card(turn, row)
    elif ret == RET_REVIEW:
        enter(turn.state, FLOW, STEP_REVIEW, ret=None)
    elif step in (STEP_STANDARD, STEP_M4_NUMBER, STEP_RESUME):
        enter(turn.state, FLOW, STEP_STANDARD)
    elif step == STEP_REVIEW:
        enter(turn.state, FLOW, FIELDS[-1].name)
    elif step in BY_NAME:
        previous = previous_field(step)
        if previous == CRITERION:
            previous = STEP_M4_TEXT if is_level4_code(row.criterion_code or "") else STEP_CRITERION
            if previous == STEP_CRITERION:
                enter(turn.state, FLOW, previous, std=row.standard or 1)
                return prompt(turn)
        enter(turn.state, FLOW, previous or STEP_STANDARD)
    return prompt(turn)


def skip(turn: Turn) -> list[View]:
    """/skip: leave an optional field empty; a required one is asked again."""
    t = turn.t
    row = _row(turn)
    step = turn.state.step
    if row is None:
        return prompt(turn)
    if step in BY_NAME and not BY_NAME[step].required:
        plans.set_field(turn.session, row, step, None, _school_year(turn, row), turn.member)
        return _after(turn, row, step)
    if step in BY_NAME:
        return [_notice(t._("This answer is required.")), *prompt(turn)]
    return [_notice(t._("Please choose with the buttons.")), *prompt(turn)]


def cancel(turn: Turn) -> list[View]:
    """/cancel: stop; the draft stays and is offered again on the next /add."""
    t = turn.t
    row = _row(turn)
    leave(turn.state)
    if row is not None and row.status == RowStatus.DRAFT:
        return [_notice(t._("Stopped. Your draft is kept: /add continues it."))]
    return [_notice(t._("Stopped. Nothing else was changed."))]


# ---------------------------------------------------------------- answers


def on_text(turn: Turn) -> list[View]:
    """An answer typed for the current step."""
    t = turn.t
    text = turn.incoming.text or ""
    row = _row(turn)
    refused = _refuse_edit(turn, row)
    if refused is not None or row is None:
        return refused or prompt(turn)
    step = turn.state.step
    regulation = _regulation(turn)
    if step in (STEP_STANDARD, STEP_CRITERION):
        code = text.strip().removeprefix("Tiêu chí").strip().rstrip(".:")
        if regulation.criterion(code):
            plans.set_criterion(turn.session, row, regulation, code, turn.member)
            return _after(turn, row, CRITERION)
        return [_notice(t._("Please choose with the buttons.")), *prompt(turn)]
    if step in (STEP_RESUME, STEP_REVIEW):
        return [_notice(t._("Please choose with the buttons.")), *prompt(turn)]
    if step == STEP_CONFIRM_TIMELINE:  # a text here is the timeline written again
        enter(turn.state, FLOW, "timeline_text")
        step = "timeline_text"
    if step == STEP_M4_NUMBER:
        digits = text.strip().lower().removeprefix("tiêu chí").strip().rstrip(".:")
        m4 = parse_number(digits)
        if m4 is None or not 1 <= m4 <= 30:
            return [_notice(t._("Please send a number, for example 2.")), *prompt(turn)]
        enter(turn.state, FLOW, STEP_M4_TEXT, m4=m4)
        return prompt(turn)
    if step == STEP_M4_TEXT:
        number = int((turn.state.data or {}).get("m4") or 1)
        plans.set_level4(turn.session, row, number, text, turn.member)
        return _after(turn, row, CRITERION)
    if step in BY_NAME:
        if not text.strip():
            return [_notice(t._("This answer is empty.")), *prompt(turn)]
        plans.set_field(turn.session, row, step, text, _school_year(turn, row), turn.member)
        return _after(turn, row, step)
    return prompt(turn)


def _refuse_edit(turn: Turn, row: PlanRow | None) -> list[View] | None:
    """None when the member may change this row (or there is no row); else the refusal."""
    if row is None or _may_edit(turn, row):
        return None
    leave(turn.state)
    return [_notice(turn.t._("You may not change this row."))]


def _may_edit(turn: Turn, row: PlanRow) -> bool:
    if row.status == RowStatus.DRAFT:
        return turn.member is not None and row.created_by_member_id == turn.member.id
    return can_edit_row(turn.member, row)


def on_callback(turn: Turn) -> list[View]:
    """A button of this conversation: checked against the current step before anything."""
    t = turn.t
    data = (turn.incoming.callback_data or "")[len(PREFIX) :]
    *parts, version = data.split(":") if data else ["", ""]
    if turn.state.flow != FLOW or parse_number(version) != turn.state.version or not parts:
        log.info("stale or forged button %r from user %s", data, turn.incoming.user.id)
        return stale_button(turn, FLOW, prompt)
    row = _row(turn)
    refused = _refuse_edit(turn, row)
    if refused is not None or row is None:
        return refused or prompt(turn)
    action, args = parts[0], parts[1:]
    regulation = _regulation(turn)
    step = turn.state.step
    if action == "back":
        return go_back(turn)
    if action == "skip":
        return skip(turn)
    if action == "resume" and step == STEP_RESUME:
        missing = plans.missing_required(row, tuple(f.name for f in FIELDS if f.required))
        target = (
            STEP_REVIEW
            if not missing
            else (STEP_STANDARD if missing[0] == CRITERION else missing[0])
        )
        enter(turn.state, FLOW, target)
        return prompt(turn)
    if action == "fresh" and step == STEP_RESUME:
        plans.discard_draft(turn.session, row)
        return on_add(turn)
    if action == "s" and step == STEP_STANDARD and args:
        if args[0] == "m4" and regulation.has_level4:
            enter(turn.state, FLOW, STEP_M4_NUMBER)
            return prompt(turn)
        standard = parse_number(args[0])
        if standard is not None and regulation.standard(standard):
            enter(turn.state, FLOW, STEP_CRITERION, std=standard)
            view = prompt(turn)
            view[0].edit = True
            return view
    picked = regulation.criterion(args[0]) if action == "c" and args else None
    if picked is not None and step == STEP_CRITERION:
        plans.set_criterion(turn.session, row, regulation, picked.code, turn.member)
        # The picker says what was picked (its buttons go): the chat shows the choice.
        label = f"{picked.code} {picked.title}" if picked.title else picked.code
        done = View([bold("✅ " + t._("Picked: {criterion}").format(criterion=label))], edit=True)
        return [done, *_after(turn, row, CRITERION)]
    if action == "e" and step == STEP_REVIEW and args and args[0] in FROM_SHORT:
        field = FROM_SHORT[args[0]]
        step_to = STEP_STANDARD if field == CRITERION else field
        enter(turn.state, FLOW, step_to, ret=RET_REVIEW)
        return prompt(turn)
    if action == "tk" and step in (STEP_CONFIRM_TIMELINE, STEP_REVIEW):
        plans.confirm_timeline(turn.session, row, turn.member)
        if step == STEP_REVIEW:
            return prompt(turn)
        return _after(turn, row, "timeline_text")
    if action == "tr" and step == STEP_CONFIRM_TIMELINE:
        enter(turn.state, FLOW, "timeline_text")
        return prompt(turn)
    if action == "save" and step == STEP_REVIEW:
        return _save(turn, row)
    log.info("button %r does not fit step %s", data, step)
    return [_notice(t._("This button is no longer valid.")), *prompt(turn)]


def _save(turn: Turn, row: PlanRow) -> list[View]:
    t = turn.t
    missing = plans.missing_required(row, tuple(f.name for f in FIELDS if f.required))
    if missing:
        first = missing[0]
        enter(turn.state, FLOW, STEP_STANDARD if first == CRITERION else first, ret=RET_REVIEW)
        return [_notice(t._("Some required answers are missing.")), *prompt(turn)]
    plans.save_draft(turn.session, row, turn.member)
    if outbox.tell_assigned(
        turn.session, row, [o.member_id for o in row.owners], turn.member, turn.now
    ):
        turn.wake_sender = True  # its owners hear of it now that it is a row of the plan
    leave(turn.state)
    saved = t._("Saved {row} in the plan of school year {year}.").format(
        row=short_row(t, row, 80), year=row.plan.school_year
    )
    return [View([bold("✅ " + saved)]), registry.card_view(turn, row)]


@registry.edit_from_card.provide
def edit_from_card(turn: Turn, row: PlanRow, field: str) -> list[View]:
    """Edit one field from the row's card; the card is shown again once it is answered."""
    return start_edit(turn, row, field, RET_CARD)


@registry.back_to_review.provide
def back_to_review(turn: Turn, row: PlanRow) -> list[View]:
    """Back to the summary card of a new row (after its owners were picked)."""
    enter(turn.state, FLOW, STEP_REVIEW, row_id=row.id, mode="new", ret=None)
    return prompt(turn)


registry.add_flow(registry.Flow(FLOW, prompt, on_text, skip, go_back, cancel))
