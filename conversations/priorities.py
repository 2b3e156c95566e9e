"""/priorities: the priority issues of a TT57-2026 plan (Biểu 2, section IV "Các vấn đề trọng
tâm cần cải tiến"), for the principal and vice-principals.

The list of the current school year's issues; an issue's card (standard, criterion, Đánh giá
hiện trạng, Điểm hạn chế, Nguyên nhân) with an edit button for each and delete with a
confirmation; add asks standard → criterion (or "no specific criterion") → the three texts →
card → save. Every answer is stored as it comes in a draft issue (not in section IV until it is
saved), so a restart loses nothing; /back and /cancel work at every question.
"""

from __future__ import annotations

import logging

from bot.core.i18n import N_
from bot.domain.catalog import Regulation
from bot.domain.permissions import can_manage_team
from bot.domain.templates import TT57, template_of
from bot.services import plans, priorities
from bot.services.chatstate import enter, leave
from bot.ui.render import echo, issue_name, standard_label
from bot.ui.views import Button, Part, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, flow_button, parse_number, stale_button
from db.models import Plan, PriorityIssue, RowStatus

log = logging.getLogger(__name__)

FLOW = "issue"
PREFIX = "q:"
STEP_STANDARD = "standard"
STEP_CRITERION = "criterion"
STEP_REVIEW = "review"
STEP_DELETE = "delete"
RET_CARD = "card"
RET_REVIEW = "review"
NO_CRITERION = "-"

# The three texts of an issue, in the order of the table's columns.
TEXTS: dict[str, tuple[str, str, str]] = {
    "current_state": (
        N_("Current state"),
        N_("How is the current state assessed (Đánh giá hiện trạng)?"),
        N_("For example: 3 of 28 teachers have not yet met the professional standard."),
    ),
    "limitations": (
        N_("Limitations"),
        N_("What are the limitations (Điểm hạn chế)?"),
        N_("For example: Few teachers apply digital tools in their lessons."),
    ),
    "causes": (
        N_("Causes"),
        N_("What are the causes (Nguyên nhân)?"),
        N_("For example: Training has been short; the equipment is old."),
    ),
}
ORDER = (STEP_STANDARD, STEP_CRITERION, *TEXTS)
# Short keys of the edit buttons: the standard (with its criterion after it) and the texts.
SHORT = {STEP_STANDARD: "s", "current_state": "h", "limitations": "l", "causes": "n"}
FROM_SHORT = {v: k for k, v in SHORT.items()}


# ---------------------------------------------------------------- helpers


def _notice(text: str) -> View:
    return View([bold(text)])


def _refusal(turn: Turn) -> list[View] | None:
    """None for the principal and vice-principals; the usual refusal for anyone else."""
    if can_manage_team(turn.member):
        return None
    log.info("refused /priorities for member %s", turn.member.id if turn.member else None)
    if turn.state.flow == FLOW:
        leave(turn.state)
    text = turn.t._("Only the principal and vice-principals manage the priority issues.")
    return [View([bold(text)], toast=turn.t._("Not allowed"))]


def _plan(turn: Turn) -> Plan:
    return plans.ensure_plan(turn.session, turn.school, turn.school_year())


def _not_tt57(turn: Turn, plan: Plan) -> list[View]:
    text = turn.t._(
        "Priority issues (section IV) belong to plans under Thông tư 57/2026 (Biểu 2). The plan "
        "of school year {year} follows the 2018 layout, which has none."
    ).format(year=plan.school_year)
    return [_notice(text)]


def _issue(turn: Turn) -> PriorityIssue | None:
    issue_id = (turn.state.data or {}).get("issue_id")
    if issue_id is None:
        return None
    return priorities.get_issue(turn.session, turn.school.id, int(issue_id), drafts=True)


def _regulation(turn: Turn) -> Regulation:
    return plans.regulation_of(turn.school)


def _cb(turn: Turn, *parts: str) -> str:
    return PREFIX + ":".join([*parts, str(turn.state.version)])


def _fit(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _criterion_button(turn: Turn, code: str, title: str | None) -> str:
    return _fit(f"{code} {title}" if title else turn.t._("Criterion {code}").format(code=code))


def _criterion_text(turn: Turn, issue: PriorityIssue) -> str:
    t = turn.t
    if not issue.criterion_code:
        return t._("No specific criterion") if issue.standard else t._("(empty)")
    found = _regulation(turn).criterion(issue.criterion_code)
    label = t._("Criterion {code}").format(code=issue.criterion_code)
    return f"{label}: {found.title}" if found and found.title else label


# ---------------------------------------------------------------- views


def list_view(turn: Turn, plan: Plan) -> View:
    """Section IV of the plan of the current year: each issue, add (or continue the draft)."""
    t = turn.t
    assert turn.member is not None
    template = template_of(plan.template)
    title = template.priority_issues.title if template.priority_issues else ""
    issues = priorities.issues_of(turn.session, plan.id)
    parts: list[Part] = [
        bold(title),
        plain("\n" + t._("School year {year}").format(year=plan.school_year)),
    ]
    if not issues:
        parts.append(italic("\n\n" + t._("No priority issues yet.")))
    for issue in issues:
        parts.append(plain("\n\n" + issue_name(t, issue, 90)))
    buttons = [[Button(issue_name(t, issue), f"q:o:{issue.id}")] for issue in issues]
    draft = priorities.open_issue_draft(turn.session, plan, turn.member)
    add = t._("Continue the draft issue") if draft else t._("Add a priority issue")
    buttons.append([Button("➕ " + add, "q:a")])
    return View(parts, buttons)


def card_parts(turn: Turn, issue: PriorityIssue) -> list[Part]:
    t = turn.t
    if issue.status == RowStatus.DRAFT:
        head = t._("New priority issue (draft)")
    else:
        head = t._("Priority issue {n}").format(n=issue.position)
    parts: list[Part] = [bold(head)]
    parts += [plain("\n\n"), bold(t._("Standard") + ": ")]
    parts.append(plain(standard_label(t, issue.standard, _regulation(turn))))
    parts += [plain("\n"), bold(t._("Criterion") + ": "), plain(_criterion_text(turn, issue))]
    for field, (label, _question, _hint) in TEXTS.items():
        value = getattr(issue, field)
        parts += [plain("\n\n"), bold(t._(label) + ": ")]
        parts += echo(t, value) if value else [italic(t._("(empty)"))]
    return parts


def card_view(turn: Turn, issue: PriorityIssue) -> View:
    """A saved issue: its words, an edit button per column, delete, back to the list."""
    t = turn.t
    labels = [(STEP_STANDARD, t._("Standard and criterion"))] + [
        (field, t._(label)) for field, (label, _q, _h) in TEXTS.items()
    ]
    edits = [Button("✏️ " + label, f"q:e:{issue.id}:{SHORT[field]}") for field, label in labels]
    buttons = [edits[i : i + 2] for i in range(0, len(edits), 2)]
    buttons.append([Button("🗑 " + t._("Delete this issue"), f"q:d:{issue.id}")])
    buttons.append([Button("◀ " + t._("Priority issues"), "q:l")])
    return View(card_parts(turn, issue), buttons)


def prompt(turn: Turn) -> list[View]:
    """The question of the current step, with its buttons (bound to the current version)."""
    t = turn.t
    issue = _issue(turn)
    if issue is None:
        leave(turn.state)
        return [_notice(t._("This priority issue no longer exists. /priorities lists them."))]
    step = turn.state.step
    back = [Button("◀ " + t._("Back"), _cb(turn, "b"))]
    if step == STEP_STANDARD:
        buttons = [
            [
                Button(
                    _fit(standard_label(t, s.number, _regulation(turn))),
                    _cb(turn, "s", str(s.number)),
                )
            ]
            for s in _regulation(turn).standards
        ]
        if (turn.state.data or {}).get("ret"):
            buttons.append(back)
        return [View([bold(t._("Choose the standard (Tiêu chuẩn):"))], buttons)]
    if step == STEP_CRITERION:
        number = int((turn.state.data or {}).get("std") or issue.standard or 1)
        standard = _regulation(turn).standard(number)
        buttons = [
            [Button(_criterion_button(turn, c.code, c.title), _cb(turn, "c", c.code))]
            for c in (standard.criteria if standard else ())
        ]
        buttons.append([Button(t._("No specific criterion"), _cb(turn, "c", NO_CRITERION))])
        buttons.append(back)
        head = t._("Standard {n}: choose the criterion (Tiêu chí):").format(n=number)
        return [View([bold(head)], buttons)]
    if step in TEXTS:
        _label, question, hint = TEXTS[step]
        parts: list[Part] = [bold(t._(question)), italic("\n" + t._(hint))]
        parts.append(italic("\n" + t._("/back: previous question · /cancel: stop")))
        current = getattr(issue, step)
        if current:
            parts += [plain("\n\n"), italic(t._("Now:") + " "), *echo(t, current)]
        return [View(parts, [back])]
    if step == STEP_REVIEW:
        edits = [
            Button("✏️ " + t._(label), _cb(turn, "x", SHORT[field]))
            for field, (label, _q, _h) in TEXTS.items()
        ]
        buttons = [
            [Button("✏️ " + t._("Standard and criterion"), _cb(turn, "x", SHORT[STEP_STANDARD]))],
            edits[:2],
            edits[2:],
            [Button("💾 " + t._("Save"), _cb(turn, "v"))],
        ]
        return [View(card_parts(turn, issue), buttons)]
    if step == STEP_DELETE:
        return [_delete_view(turn, issue)]
    leave(turn.state)
    return [_notice(t._("Something went wrong with this conversation. Please start again."))]


# ---------------------------------------------------------------- entry points


def on_priorities(turn: Turn) -> list[View]:
    """/priorities: the list of the current year's priority issues."""
    refused = _refusal(turn)
    if refused is not None:
        return refused
    plan = _plan(turn)
    if plan.template != TT57:
        return _not_tt57(turn, plan)
    return [list_view(turn, plan)]


def _add(turn: Turn) -> list[View]:
    """Start a new issue, or go on with the member's draft where it stopped."""
    assert turn.member is not None
    plan = _plan(turn)
    if plan.template != TT57:
        return _not_tt57(turn, plan)
    draft = priorities.open_issue_draft(turn.session, plan, turn.member)
    if draft is None:
        draft = priorities.new_issue_draft(turn.session, plan, turn.member)
    missing = priorities.missing_in_issue(draft)
    enter(turn.state, FLOW, missing[0] if missing else STEP_REVIEW, issue_id=draft.id, ret=None)
    return prompt(turn)


# ---------------------------------------------------------------- moving between steps


def _after(turn: Turn, issue: PriorityIssue, done: str) -> list[View]:
    ret = (turn.state.data or {}).get("ret")
    if ret == RET_CARD and done != STEP_STANDARD:
        leave(turn.state)
        return [card_view(turn, issue)]
    if ret == RET_REVIEW and done != STEP_STANDARD:
        enter(turn.state, FLOW, STEP_REVIEW, ret=None)
        return prompt(turn)
    following = ORDER[ORDER.index(done) + 1] if ORDER.index(done) + 1 < len(ORDER) else None
    if ret is None and following in TEXTS and getattr(issue, following):
        missing = [f for f in priorities.missing_in_issue(issue) if f in TEXTS]
        following = missing[0] if missing else STEP_REVIEW  # a resumed draft: what is left
    enter(turn.state, FLOW, following or STEP_REVIEW)
    return prompt(turn)


def go_back(turn: Turn) -> list[View]:
    issue = _issue(turn)
    if issue is None:
        return prompt(turn)
    step = turn.state.step
    ret = (turn.state.data or {}).get("ret")
    if step == STEP_CRITERION:
        enter(turn.state, FLOW, STEP_STANDARD)
    elif ret == RET_CARD:
        leave(turn.state)
        return [card_view(turn, issue)]
    elif ret == RET_REVIEW:
        enter(turn.state, FLOW, STEP_REVIEW, ret=None)
    elif step == STEP_REVIEW:
        enter(turn.state, FLOW, "causes")
    elif step in TEXTS:
        previous = ORDER[ORDER.index(step) - 1]
        enter(turn.state, FLOW, previous, std=issue.standard)
    return prompt(turn)


def skip(turn: Turn) -> list[View]:
    t = turn.t
    if turn.state.step in TEXTS:
        return [_notice(t._("This answer is required.")), *prompt(turn)]
    return [_notice(t._("Please choose with the buttons.")), *prompt(turn)]


def cancel(turn: Turn) -> list[View]:
    t = turn.t
    issue = _issue(turn)
    leave(turn.state)
    if issue is not None and issue.status == RowStatus.DRAFT:
        return [_notice(t._("Stopped. Your draft is kept: /priorities continues it."))]
    return [_notice(t._("Stopped. Nothing else was changed."))]


def on_text(turn: Turn) -> list[View]:
    t = turn.t
    refused = _refusal(turn)
    if refused is not None:
        return refused
    issue = _issue(turn)
    step = turn.state.step
    if issue is None:
        return prompt(turn)
    if step in TEXTS:
        text = turn.incoming.text or ""
        if not text.strip():
            return [_notice(t._("This answer is empty.")), *prompt(turn)]
        priorities.set_issue_field(issue, step, text)
        turn.session.flush()
        return _after(turn, issue, step)
    return [_notice(t._("Please choose with the buttons.")), *prompt(turn)]


# ---------------------------------------------------------------- buttons


def on_callback(turn: Turn) -> list[View]:
    """A button of /priorities: the member's role is checked first, then the issue (of this
    school) and, for the buttons of a question, the current step and version."""
    t = turn.t
    refused = _refusal(turn)
    if refused is not None:
        return refused
    parts = (turn.incoming.callback_data or "")[len(PREFIX) :].split(":")
    action = parts[0]
    if action == "l":
        return on_priorities(turn)
    if action == "a" and len(parts) == 1:
        return _add(turn)
    if action in ("o", "e", "d"):
        number = parse_number(parts[1]) if len(parts) > 1 else None
        issue = priorities.get_issue(turn.session, turn.school.id, number) if number else None
        if issue is None:
            log.info("issue %r not found for school %s", parts[1:], turn.school.id)
            return [
                View(
                    [bold(t._("This priority issue no longer exists. /priorities lists them."))],
                    toast=t._("Not found"),
                )
            ]
        return _on_issue(turn, issue, action, parts[2:])
    pressed = flow_button(turn, PREFIX, FLOW)
    if pressed is None:
        log.info("stale or forged button %r from user %s", parts, turn.incoming.user.id)
        return stale_button(turn, FLOW, prompt)
    issue = _issue(turn)
    if issue is None:
        return prompt(turn)
    return _on_step(turn, issue, *pressed)


def _on_issue(turn: Turn, issue: PriorityIssue, action: str, args: list[str]) -> list[View]:
    t = turn.t
    if action == "o":
        if turn.state.flow == FLOW:
            leave(turn.state)
        return [card_view(turn, issue)]
    if action == "e" and args and args[0] in FROM_SHORT:
        field = FROM_SHORT[args[0]]
        enter(turn.state, FLOW, field, issue_id=issue.id, ret=RET_CARD, std=issue.standard)
        return prompt(turn)
    if action == "d":
        enter(turn.state, FLOW, STEP_DELETE, issue_id=issue.id, ret=None)
        return [_delete_view(turn, issue)]
    return [_notice(t._("This button is no longer valid."))]


def _delete_view(turn: Turn, issue: PriorityIssue) -> View:
    t = turn.t
    question = t._(
        "Delete {issue}? The rows that answer it keep their words and are no longer linked."
    ).format(issue=issue_name(t, issue, 80))
    return View(
        [bold(question)],
        [
            [
                Button("🗑 " + t._("Yes, delete"), _cb(turn, "y", str(issue.id))),
                Button(t._("No, keep it"), f"q:o:{issue.id}"),
            ]
        ],
    )


def _on_step(turn: Turn, issue: PriorityIssue, action: str, args: list[str]) -> list[View]:
    t = turn.t
    step = turn.state.step
    regulation = _regulation(turn)
    if action == "b":
        return go_back(turn)
    if action == "s" and step == STEP_STANDARD and args:
        number = parse_number(args[0])
        if number is not None and regulation.standard(number):
            enter(turn.state, FLOW, STEP_CRITERION, std=number)
            view = prompt(turn)
            view[0].edit = True
            return view
    if action == "c" and step == STEP_CRITERION and args:
        number = parse_number(str((turn.state.data or {}).get("std")))
        picked = regulation.criterion(args[0]) if args[0] != NO_CRITERION else None
        if (
            number is not None
            and regulation.standard(number)
            and (args[0] == NO_CRITERION or (picked is not None and picked.standard == number))
        ):
            priorities.set_issue_criterion(
                turn.session, issue, number, picked.code if picked else None
            )
            label = _criterion_text(turn, issue)
            done = View([bold("✅ " + t._("Picked: {criterion}").format(criterion=label))])
            done.edit = True
            return [done, *_after(turn, issue, STEP_CRITERION)]
    if action == "x" and step == STEP_REVIEW and args and args[0] in FROM_SHORT:
        enter(turn.state, FLOW, FROM_SHORT[args[0]], ret=RET_REVIEW, std=issue.standard)
        return prompt(turn)
    if action == "v" and step == STEP_REVIEW:
        return _save(turn, issue)
    if action == "y" and step == STEP_DELETE and args and args[0] == str(issue.id):
        named = issue_name(t, issue, 80)
        priorities.delete_issue(turn.session, issue)
        leave(turn.state)
        done_text = t._("{issue} was deleted.").format(issue=named)
        return [View([bold("🗑 " + done_text)], edit=True)]
    log.info("button %r %r does not fit step %s", action, args, step)
    return [_notice(t._("This button is no longer valid.")), *prompt(turn)]


def _save(turn: Turn, issue: PriorityIssue) -> list[View]:
    t = turn.t
    missing = priorities.missing_in_issue(issue)
    if missing:
        enter(turn.state, FLOW, missing[0], ret=RET_REVIEW)
        return [_notice(t._("Some required answers are missing.")), *prompt(turn)]
    priorities.save_issue_draft(turn.session, issue)
    leave(turn.state)
    plan = turn.session.get(Plan, issue.plan_id)
    saved = t._("Saved priority issue {n} in the plan of school year {year}.").format(
        n=issue.position, year=plan.school_year if plan else ""
    )
    return [View([bold("✅ " + saved)]), card_view(turn, issue)]


registry.add_flow(registry.Flow(FLOW, prompt, on_text, skip, go_back, cancel))
