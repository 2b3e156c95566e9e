"""/add: write a plan row question by question, then a summary card, then save.

Also the editor behind every "edit" button, for drafts and saved rows alike. Steps of a 2018
plan: standard → criterion (Mức 4: number → wording) → expected result → tasks → lead →
timeline → budget → support → notes → summary card → save. A TT57-2026 plan (Biểu 2): standard
→ criterion or "no specific criterion" → the priority issue it answers (when section IV has
any) → the questions of `rowform.FIELDS_TT57`. The plan's template says which questions are
asked (`fields_for`). Each answer is stored in the draft row as it comes; /skip, /back and
/cancel work at every question.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.domain.catalog import Regulation, is_level4_code
from bot.domain.parsing import awaits_confirmation
from bot.domain.permissions import can_edit_row, can_write_rows
from bot.domain.rowform import (
    CRITERION,
    FROM_SHORT,
    ISSUE,
    SHORT,
    FieldSpec,
    by_name,
    fields_for,
    next_field,
    previous_field,
)
from bot.domain.templates import TT57
from bot.services import outbox, plans, priorities
from bot.services.chatstate import enter, leave
from bot.ui.render import (
    before_school_year_question,
    echo,
    issue_name,
    question,
    row_card,
    short_row,
)
from bot.ui.views import Button, Part, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, parse_number, stale_button
from db.models import PlanRow, PriorityIssue, RowStatus

log = logging.getLogger(__name__)

FLOW = "row"
PREFIX = "f:"
STEP_RESUME = "resume"
STEP_STANDARD = "standard"
STEP_CRITERION = "criterion"
STEP_M4_NUMBER = "m4_number"
STEP_M4_TEXT = "m4_text"
STEP_REVIEW = "review"
# TT57: the priority issue (section IV) the row answers (its edit key on cards: `ISSUE`).
STEP_ISSUE = ISSUE
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


def _template(row: PlanRow) -> str | None:
    return row.plan.template


def _tt57(row: PlanRow) -> bool:
    return row.plan.template == TT57


def _fields(row: PlanRow) -> tuple[FieldSpec, ...]:
    return fields_for(row.plan.template)


def _missing(row: PlanRow) -> list[str]:
    required = tuple(f.name for f in _fields(row) if f.required)
    return plans.missing_required(row, required, criterion_optional=_tt57(row))


def _card(turn: Turn, row: PlanRow) -> list[Part]:
    """A draft's card: the fields of its template (a TT57 draft: the issue it answers and
    column (10) as written, nobody has reported on a draft)."""
    issue = (
        priorities.get_issue(turn.session, turn.school.id, row.issue_id) if row.issue_id else None
    )
    return row_card(
        turn.t,
        row,
        _regulation(turn),
        _school_year(turn, row),
        issue=issue,
        implementation=row.implementation_text,
    )


def _issues(turn: Turn, row: PlanRow) -> list[PriorityIssue]:
    return priorities.issues_of(turn.session, row.plan_id) if _tt57(row) else []


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
        parts += _card(turn, row)
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
        if _tt57(row):  # Biểu 2: the criterion is optional ("Tiêu chí (nếu có)")
            buttons.append([Button(t._("No specific criterion"), _cb(turn, "n"))])
        buttons.append([Button("◀ " + t._("Back"), _cb(turn, "back"))])
        head = t._("Standard {n}: choose the criterion (Tiêu chí):").format(n=number)
        return [View([bold(head)], buttons)]
    if step == STEP_ISSUE:
        return [_issue_view(turn, row)]
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
    fields = by_name(_template(row))
    if step in fields:
        spec = fields[step]
        field_number = None if (turn.state.data or {}).get("ret") else _field_number(row, step)
        parts = question(t, step, field_number, _template(row))
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


def _field_number(row: PlanRow, name: str) -> int:
    return [f.name for f in _fields(row)].index(name) + 1


def _issue_view(turn: Turn, row: PlanRow) -> View:
    """Which priority issue (section IV) the row answers: one button per issue, the linked one
    marked ✅, and "None"."""
    t = turn.t
    issues = _issues(turn, row)
    parts = [bold(t._("Which priority issue (section IV) does this row answer?"))]
    if not issues:
        none_yet = t._("The plan has no priority issues yet: /priorities adds them.")
        parts.append(italic("\n" + none_yet))
    buttons = [
        [
            Button(
                ("✅ " if issue.id == row.issue_id else "") + issue_name(t, issue),
                _cb(turn, "q", str(issue.id)),
            )
        ]
        for issue in issues
    ]
    none = ("✅ " if row.issue_id is None else "") + t._("None of them")
    buttons.append([Button(none, _cb(turn, "q", "0"))])
    buttons.append([Button("◀ " + t._("Back"), _cb(turn, "back"))])
    return View(parts, buttons)


def _preselect_issue(turn: Turn, row: PlanRow) -> None:
    """An unlinked row is linked to the one issue of its criterion (or, with no criterion, of
    its standard when that issue names none): shown marked, changed with one press."""
    if row.issue_id is not None:
        return
    issues = _issues(turn, row)
    if row.criterion_code:
        found = [i for i in issues if i.criterion_code == row.criterion_code]
    else:
        found = [i for i in issues if i.standard == row.standard and not i.criterion_code]
    if len(found) == 1:
        priorities.link_row(turn.session, row, found[0])


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
    parts += _card(turn, row)
    buttons = edit_buttons(turn, row, lambda field: _cb(turn, "e", SHORT[field]))
    if awaits_confirmation(row.timeline_flags):
        buttons.append([Button("✅ " + t._("Confirm the timeline"), _cb(turn, "tk"))])
    buttons.append([Button("👥 " + t._("Owners"), f"o:r:{row.id}")])
    buttons.append([Button("💾 " + t._("Save"), _cb(turn, "save"))])
    return View(parts, buttons)


@registry.edit_buttons.provide
def edit_buttons(turn: Turn, row: PlanRow, data_for: Callable[[str], str]) -> list[list[Button]]:
    """Two edit buttons per line, one per field of the row's template (criterion first); a
    TT57 row also gets "Link to a priority issue"."""
    t = turn.t
    labels = [(CRITERION, t._("Criterion"))] + [(f.name, t._(f.label)) for f in _fields(row)]
    buttons = [Button("✏️ " + label, data_for(name)) for name, label in labels]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if _tt57(row):
        rows.append([Button("🔗 " + t._("Link to a priority issue"), data_for(ISSUE))])
    return rows


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
    step = {CRITERION: STEP_STANDARD, ISSUE: STEP_ISSUE}.get(field, field)
    if step not in (STEP_STANDARD, *by_name(_template(row))) and not (
        step == STEP_ISSUE and _tt57(row)
    ):
        log.info("field %r is not a question of plan template %s", field, _template(row))
        return [_notice(turn.t._("This button is no longer valid."))]
    enter(turn.state, FLOW, step, row_id=row.id, mode="edit", ret=ret, std=None)
    return prompt(turn)


# ---------------------------------------------------------------- moving between steps


def _after(turn: Turn, row: PlanRow, done: str) -> list[View]:
    """Where to go once `done` (a field, the criterion or the issue) is answered."""
    if done == "timeline_text" and awaits_confirmation(row.timeline_flags):
        enter(turn.state, FLOW, STEP_CONFIRM_TIMELINE)  # ret is kept for after the answer
        return prompt(turn)
    if done == CRITERION and _issues(turn, row):  # TT57: which issue it answers, next
        _preselect_issue(turn, row)
        enter(turn.state, FLOW, STEP_ISSUE)
        return prompt(turn)
    ret = (turn.state.data or {}).get("ret")
    if ret == RET_CARD:
        return _back_to_card(turn, row)
    if ret == RET_REVIEW:
        enter(turn.state, FLOW, STEP_REVIEW, ret=None)
        return prompt(turn)
    following = next_field(CRITERION if done == ISSUE else done, _template(row))
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
    elif step == STEP_ISSUE and ret == RET_CARD:
        return _back_to_card(turn, row)
    elif step == STEP_ISSUE and ret == RET_REVIEW:
        enter(turn.state, FLOW, STEP_REVIEW, ret=None)
    elif step == STEP_ISSUE:
        enter(turn.state, FLOW, STEP_CRITERION, std=row.standard or 1)
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
        enter(turn.state, FLOW, _fields(row)[-1].name)
    elif step in by_name(_template(row)):
        previous = previous_field(step, _template(row))
        if previous == CRITERION and _issues(turn, row):
            enter(turn.state, FLOW, STEP_ISSUE)
            return prompt(turn)
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
    fields = by_name(_template(row))
    if step in fields and not fields[step].required:
        plans.set_field(turn.session, row, step, None, _school_year(turn, row), turn.member)
        return _after(turn, row, step)
    if step in fields:
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
    if step in (STEP_RESUME, STEP_REVIEW, STEP_ISSUE):
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
    if step in by_name(_template(row)):
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
        missing = _missing(row)
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
    if action == "n" and step == STEP_CRITERION and _tt57(row):
        number = parse_number(str((turn.state.data or {}).get("std")))
        if number is not None and regulation.standard(number):
            plans.set_standard(turn.session, row, number, turn.member)
            label = t._("Standard {n}").format(n=number) + " · " + t._("No specific criterion")
            picked_text = "✅ " + t._("Picked: {criterion}").format(criterion=label)
            return [View([bold(picked_text)], edit=True), *_after(turn, row, CRITERION)]
    if action == "q" and step == STEP_ISSUE and args:
        return _link_issue(turn, row, args[0])
    field = FROM_SHORT.get(args[0]) if action == "e" and args else None
    if field is not None and step == STEP_REVIEW:
        if field == ISSUE and _tt57(row):
            enter(turn.state, FLOW, STEP_ISSUE, ret=RET_REVIEW)
            return prompt(turn)
        if field == CRITERION or field in by_name(_template(row)):
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


def _link_issue(turn: Turn, row: PlanRow, arg: str) -> list[View]:
    """The issue button pressed: link the row to it ("0": to none), then go on."""
    t = turn.t
    number = parse_number(arg)
    issue = priorities.get_issue(turn.session, turn.school.id, number) if number else None
    if number is None or (number and (issue is None or issue.plan_id != row.plan_id)):
        log.info("issue %r is not one of plan %s", arg, row.plan_id)
        return [_notice(t._("This button is no longer valid.")), *prompt(turn)]
    priorities.link_row(turn.session, row, issue)
    label = issue_name(t, issue, 80) if issue else t._("None of them")
    done = View([bold("✅ " + t._("Priority issue: {issue}").format(issue=label))], edit=True)
    return [done, *_after(turn, row, ISSUE)]


def _save(turn: Turn, row: PlanRow) -> list[View]:
    t = turn.t
    missing = _missing(row)
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
