"""The principal's review of a TT57 plan (Biểu 2, section VI): the owners' situation and the
default answers the review turn offers.

Column (10) of each row follows the owners' latest status (`plan_json.implementations`); the
tasks done are criterion 1.4's indicator (`plan_json.indicator_14`). What the principal answers
is stored at once in the plan's monitoring row (`priorities.review` / `set_review_field`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.i18n import number, percent
from bot.domain import document_settings, notification_rules
from bot.domain.notification_rules import Rules
from bot.domain.templates import END_YEAR, MID_YEAR, TT57, template_of
from bot.services import plan_json, plans
from bot.services.progress import latest_statuses
from db.models import Plan, PlanRow, ProgressReport, ProgressStatus, School

DONE_LEVEL = "Hoàn thành"
IN_PROGRESS_LEVEL = "Đang thực hiện"


@dataclass(frozen=True)
class Situation:
    """Where the plan's rows stand, as the review message and the default answers tell it."""

    plan: Plan
    checkpoint: str
    done: int  # criterion 1.4's indicator: rows reported done
    total: int
    # Column (10) of each row, in plan order: the level, or None (nobody reported, none written)
    rows: list[tuple[PlanRow, str | None]] = field(default_factory=list)
    # Rows whose owners report difficulties, with the latest words about them
    difficulties: list[tuple[PlanRow, str | None]] = field(default_factory=list)

    @property
    def levels(self) -> dict[str | None, int]:
        """How many rows at each level of column (10), in the template's order; None last."""
        order = [*template_of(self.plan.template).implementation_levels, None]
        counts: dict[str | None, int] = {}
        for _, level in self.rows:
            counts[level] = counts.get(level, 0) + 1
        ranked = sorted(counts, key=lambda level: order.index(level) if level in order else -1)
        return {level: counts[level] for level in ranked}

    @property
    def in_progress(self) -> int:
        return sum(1 for _, level in self.rows if level == IN_PROGRESS_LEVEL)

    @property
    def not_done(self) -> int:
        """Rows neither done nor under way (never reported included)."""
        return max(self.total - self.done - self.in_progress, 0)


def is_tt57(plan: Plan | None) -> bool:
    return plan is not None and plan.template == TT57


def checkpoint_on(school_year: str, day: dt.date, rules: Rules) -> str:
    """The checkpoint a review made on `day` is for: before the end-of-year moment (the first
    end-of-year prompt day, 15/05 by default) the mid-year one, from it on the end-of-year one."""
    return notification_rules.review_checkpoint(school_year, day, rules)


def situation(session: Session, plan: Plan, checkpoint: str) -> Situation:
    rows = plans.active_rows(session, plan.id)
    statuses = latest_statuses(session, [row.id for row in rows])
    column_10 = plan_json.implementations(session, plan, rows, statuses)
    done, total = plan_json.completed(plan, column_10.values()), len(rows)
    stuck = [row for row in rows if statuses.get(row.id) == ProgressStatus.DIFFICULTY]
    words = _latest_words(session, [row.id for row in stuck])
    return Situation(
        plan=plan,
        checkpoint=checkpoint,
        done=done,
        total=total,
        rows=[(row, column_10[row.id]) for row in rows],
        difficulties=[(row, words.get(row.id)) for row in stuck],
    )


def _latest_words(session: Session, row_ids: list[int]) -> dict[int, str | None]:
    """The words of each row's latest report."""
    found: dict[int, str | None] = {}
    if not row_ids:
        return found
    for report in session.scalars(
        select(ProgressReport)
        .where(ProgressReport.row_id.in_(row_ids))
        .order_by(ProgressReport.created_at, ProgressReport.id)
    ):
        found[report.row_id] = report.text
    return found


def default_content(found: Situation) -> str:
    template = template_of(found.plan.template)
    label = template.checkpoint_label(found.checkpoint)
    values = {
        "total": number(found.total),
        "checkpoint": label[:1].lower() + label[1:],
        "difficulties": number(len(found.difficulties)),
    }
    key = "content_difficulties" if found.difficulties else "content"
    return template.review_default(key, **values)


def default_result(found: Situation) -> str:
    """ "Hoàn thành 3/5 nhiệm vụ (60 %); Đang thực hiện 1; Chưa hoàn thành 1." """
    return template_of(found.plan.template).review_default(
        "result",
        done=number(found.done),
        total=number(found.total),
        percent=percent(found.done, found.total),
        in_progress=number(found.in_progress),
        not_done=number(found.not_done),
    )


def default_evaluator(school: School, plan: Plan) -> str:
    """The self-assessment council and the principal, by name when the document settings
    have it."""
    template = template_of(plan.template)
    name = document_settings.load(school).principal_name
    if name:
        return template.review_default("evaluator_named", name=name)
    return template.review_default("evaluator")


CHECKPOINT_ORDER = (MID_YEAR, END_YEAR)
