"""/review: the principal's (or a vice-principal's) review of a TT57 plan, Biểu 2 section VI.

The owners' situation first (tasks done, rows by column (10) level, difficulties), then four
answers, each stored at once in the plan's monitoring row of the checkpoint
(`priorities.review` / `set_review_field`): Nội dung (a sentence made from the counts is
offered: accept it with a button or write another), Kết quả (likewise: "Hoàn thành x/y nhiệm vụ
(z %); Đang thực hiện …; Chưa hoàn thành …"), Điều chỉnh (free text, /skip leaves it empty),
Người đánh giá ("Hội đồng tự đánh giá; Hiệu trưởng" and the principal's name as signed) → the
card → Save.

The checkpoint goes by the date: before the end-of-year moment (the first end-of-year prompt
day, 15/05 by default) the mid-year one (Cuối học kỳ I), from it on the end-of-year one (Cuối
năm học); a button switches. The invitation the sender brings after each review moment opens
the same turn on its checkpoint. A 2018 plan has no review table: /review says so.
"""

from __future__ import annotations

import logging

from bot.core.i18n import N_
from bot.domain import school_settings
from bot.domain.permissions import can_manage_team
from bot.domain.templates import END_YEAR, MID_YEAR, template_of
from bot.services import plans, priorities, reviews
from bot.services.chatstate import enter, leave
from bot.ui.render import echo
from bot.ui.review_view import REVIEW_PREFIX, situation_parts
from bot.ui.views import Button, Part, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, flow_button, parse_number, stale_button
from db.models import Plan, PlanReview

log = logging.getLogger(__name__)

FLOW = "review"
PREFIX = REVIEW_PREFIX
STEPS = ("content", "result", "adjustment", "evaluator")  # priorities.REVIEW_FIELDS, in order
CARD = "card"
_QUESTIONS = {
    "content": N_("What was reviewed? (Nội dung)"),
    "result": N_("What is the result? (Kết quả)"),
    "adjustment": N_("What is adjusted in the plan? (Điều chỉnh; /skip if nothing)"),
    "evaluator": N_("Who reviewed? (Người đánh giá)"),
}


def _cb(turn: Turn, *parts: str) -> str:
    return PREFIX + ":".join([*parts, str(turn.state.version)])


def _refusal(turn: Turn) -> list[View] | None:
    if can_manage_team(turn.member):
        return None
    log.info("refused /review for member %s", turn.member and turn.member.id)
    t = turn.t
    return [
        View(
            [bold(t._("Only the principal and vice-principals write the plan's review."))],
            toast=t._("Not allowed"),
        )
    ]


def _current_plan(turn: Turn) -> Plan | list[View]:
    """This school year's plan if it is a TT57 one, else the answer that says why not."""
    t = turn.t
    plan = plans.find_plan(turn.session, turn.school.id, turn.school_year())
    if plan is None:
        return [View([bold(t._("There is no plan for this school year yet."))])]
    if not reviews.is_tt57(plan):
        return [
            View(
                [
                    bold(
                        t._(
                            "The review table (Theo dõi, đánh giá) belongs to plans under "
                            "Thông tư 57/2026 (Biểu 2)."
                        )
                    ),
                    plain(
                        "\n"
                        + t._(
                            "The plan of school year {year} follows the 2018 template; its "
                            "progress is in /digest and the end-of-year report (/report_year)."
                        ).format(year=plan.school_year)
                    ),
                ]
            )
        ]
    return plan


def on_review(turn: Turn) -> list[View]:
    refused = _refusal(turn)
    if refused is not None:
        return refused
    plan = _current_plan(turn)
    if not isinstance(plan, Plan):
        return plan
    rules = school_settings.load(turn.school).rules()
    checkpoint = reviews.checkpoint_on(plan.school_year, turn.now.date(), rules)
    return _open(turn, plan, checkpoint)


def _open(turn: Turn, plan: Plan, checkpoint: str) -> list[View]:
    priorities.review(turn.session, plan, checkpoint)  # the monitoring row exists from now
    enter(turn.state, FLOW, STEPS[0], plan_id=plan.id, checkpoint=checkpoint)
    return prompt(turn, intro=True)


def _plan(turn: Turn) -> Plan | None:
    plan_id = parse_number(str((turn.state.data or {}).get("plan_id", "")))
    plan = turn.session.get(Plan, plan_id) if plan_id else None
    return plan if plan is not None and plan.school_id == turn.school.id else None


def _checkpoint(turn: Turn) -> str:
    found = (turn.state.data or {}).get("checkpoint")
    return found if found in (MID_YEAR, END_YEAR) else MID_YEAR


def _row(turn: Turn, plan: Plan) -> PlanReview:
    return priorities.review(turn.session, plan, _checkpoint(turn))


def _default(turn: Turn, plan: Plan, step: str, found: reviews.Situation) -> str | None:
    if step == "content":
        return reviews.default_content(found)
    if step == "result":
        return reviews.default_result(found)
    if step == "evaluator":
        return reviews.default_evaluator(turn.school, plan)
    return None


def _heading(turn: Turn, plan: Plan) -> str:
    template = template_of(plan.template)
    return turn.t._("Review of the plan, school year {year}: {checkpoint}").format(
        year=plan.school_year, checkpoint=template.checkpoint_label(_checkpoint(turn))
    )


def _switch_button(turn: Turn, plan: Plan) -> Button:
    other = END_YEAR if _checkpoint(turn) == MID_YEAR else MID_YEAR
    label = template_of(plan.template).checkpoint_label(other)
    return Button(
        "🔁 " + turn.t._("Switch to {checkpoint}").format(checkpoint=label), _cb(turn, "k")
    )


def prompt(turn: Turn, intro: bool = False) -> list[View]:
    t = turn.t
    plan = _plan(turn)
    if plan is None:
        leave(turn.state)
        return [View([bold(t._("This plan was not found."))])]
    step = turn.state.step or STEPS[0]
    if step == CARD:
        return [_card(turn, plan)]
    found = reviews.situation(turn.session, plan, _checkpoint(turn))
    parts: list[Part] = [bold("📋 " + _heading(turn, plan))]
    if intro or step == STEPS[0]:
        parts += situation_parts(t, found)
        parts.append(plain("\n"))
    number = STEPS.index(step) + 1 if step in STEPS else 1
    parts.append(bold(f"\n{number}/{len(STEPS)}. " + t._(_QUESTIONS[step])))
    stored = getattr(_row(turn, plan), step, None)
    offered = stored or _default(turn, plan, step, found)
    buttons: list[list[Button]] = []
    if stored:
        parts += [italic("\n" + t._("Stored now:") + " "), *echo(t, stored)]
    if offered:
        if not stored:
            parts += [italic("\n" + t._("Suggested:") + " "), plain(offered)]
        label = t._("Keep it") if stored else t._("Use this")
        buttons.append([Button("✅ " + label, _cb(turn, "d"))])
    parts.append(
        italic(
            "\n"
            + t._("Or write your own.")
            + " "
            + t._("/skip: next question · /back: previous question · /cancel: stop")
        )
    )
    if step == STEPS[0]:
        buttons.append([_switch_button(turn, plan)])
    return [View(parts, buttons)]


def _card(turn: Turn, plan: Plan) -> View:
    t = turn.t
    review = _row(turn, plan)
    template = template_of(plan.template)
    monitoring = template.monitoring
    headers = {c.key: c.header for c in monitoring.columns} if monitoring else {}
    parts: list[Part] = [bold("📋 " + _heading(turn, plan))]
    for step in STEPS:
        value = getattr(review, step, None)
        parts.append(bold(f"\n{headers.get(step, step)}: "))
        parts += echo(t, value) if value else [italic("—")]
    buttons = [
        [Button("💾 " + t._("Save"), _cb(turn, "s"))],
        *[[Button("✏️ " + headers.get(step, step), _cb(turn, "e", step))] for step in STEPS],
        [_switch_button(turn, plan)],
    ]
    return View(parts, buttons)


def _store(turn: Turn, plan: Plan, step: str, text: str | None) -> list[View]:
    """Store one answer at once, then the next question (or the card)."""
    priorities.set_review_field(turn.session, _row(turn, plan), step, text, turn.member)
    return _next(turn, step)


def _next(turn: Turn, step: str) -> list[View]:
    later = STEPS[STEPS.index(step) + 1 :] if step in STEPS else ()
    editing = bool((turn.state.data or {}).get("editing"))
    enter(turn.state, FLOW, CARD if editing or not later else later[0])
    return prompt(turn)


def on_text(turn: Turn) -> list[View]:
    t = turn.t
    plan = _plan(turn)
    step = turn.state.step
    if plan is None or step not in STEPS:
        return [View([bold(t._("Please choose with the buttons."))]), *prompt(turn)]
    text = (turn.incoming.text or "").strip()
    if not text:
        return [View([bold(t._("Please answer with a text message."))]), *prompt(turn)]
    return _store(turn, plan, step, turn.incoming.text)


def on_callback(turn: Turn) -> list[View]:
    t = turn.t
    data = turn.incoming.callback_data or ""
    if data.startswith(PREFIX + "open:"):  # the invitation's button: no chat-state version
        return _from_invitation(turn, data[len(PREFIX + "open:") :])
    pressed = flow_button(turn, PREFIX, FLOW)
    if pressed is None:
        return stale_button(turn, FLOW, prompt)
    refused = _refusal(turn)
    if refused is not None:
        leave(turn.state)
        return refused
    plan = _plan(turn)
    if plan is None:
        leave(turn.state)
        return [View([bold(t._("This plan was not found."))])]
    action, args = pressed
    step = turn.state.step or ""
    if action == "d" and step in STEPS:
        found = reviews.situation(turn.session, plan, _checkpoint(turn))
        offered = getattr(_row(turn, plan), step, None) or _default(turn, plan, step, found)
        if offered:
            return _store(turn, plan, step, offered)
    if action == "k":
        other = END_YEAR if _checkpoint(turn) == MID_YEAR else MID_YEAR
        return _open(turn, plan, other)
    if action == "e" and step == CARD and args and args[0] in STEPS:
        enter(turn.state, FLOW, args[0], editing=True)
        return prompt(turn)
    if action == "s" and step == CARD:
        label = template_of(plan.template).checkpoint_label(_checkpoint(turn))
        leave(turn.state)
        text = t._("Review saved: {checkpoint}, school year {year}.").format(
            checkpoint=label, year=plan.school_year
        )
        return [View([bold("✅ " + text)], edit=True)]
    return [View([bold(t._("This button is no longer valid."))]), *prompt(turn)]


def _from_invitation(turn: Turn, checkpoint: str) -> list[View]:
    refused = _refusal(turn)
    if refused is not None:
        return refused
    if checkpoint not in (MID_YEAR, END_YEAR):
        log.info("unknown review checkpoint %r", checkpoint)
        return [
            View(
                [bold(turn.t._("This button is no longer valid."))],
                toast=turn.t._("Not allowed"),
            )
        ]
    plan = _current_plan(turn)
    if not isinstance(plan, Plan):
        return plan
    return _open(turn, plan, checkpoint)


def skip(turn: Turn) -> list[View]:
    step = turn.state.step or ""
    if step in STEPS:
        return _next(turn, step)
    return [View([bold(turn.t._("Please choose with the buttons."))]), *prompt(turn)]


def go_back(turn: Turn) -> list[View]:
    step = turn.state.step or ""
    if step == CARD:
        enter(turn.state, FLOW, STEPS[-1], editing=False)
    elif step in STEPS and STEPS.index(step) > 0:
        enter(turn.state, FLOW, STEPS[STEPS.index(step) - 1], editing=False)
    return prompt(turn)


def cancel(turn: Turn) -> list[View]:
    leave(turn.state)
    return [View([bold(turn.t._("Stopped. What you answered so far is kept."))])]


registry.add_flow(registry.Flow(FLOW, prompt, on_text, skip, go_back, cancel))
