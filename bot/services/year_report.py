"""What the end-of-year report of a TT57-2026 plan needs beside the rows' progress.

A 2018 plan's report is written from `progress.RowProgress` alone (`facts` gives None); a TT57
plan's also from column (10) of each row, the criterion and standard each row answers (its own,
else its priority issue's), section VI's two monitoring rows and criterion 1.4's indicator.
Plain data (no ORM objects): the document is made in another process (`bot.ui.views.Later`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.domain.templates import CHECKPOINTS, TT57, template_of
from bot.services import plan_json, priorities
from bot.services.progress import RowProgress
from db.models import Plan


@dataclass(frozen=True)
class ReviewLine:
    """One row of section VI, as written (None where nothing is written yet)."""

    checkpoint: str  # "mid_year" | "end_year"
    label: str  # "Cuối học kỳ I"
    content: str | None
    result: str | None
    adjustment: str | None
    evaluator: str | None


@dataclass(frozen=True)
class Tt57Facts:
    template: str  # "TT57-2026"
    criteria: dict[int, str | None]  # row id → "2.2": the row's criterion, else its issue's
    standards: dict[int, int | None]  # row id → 2: the row's standard, else its issue's
    implementation: dict[int, str | None]  # row id → column (10)
    reviews: tuple[ReviewLine, ...]  # both checkpoints, in order
    done: int  # criterion 1.4's indicator: tasks completed …
    total: int  # … of the tasks in the plan


def facts(session: Session, plan: Plan, progress: list[RowProgress]) -> Tt57Facts | None:
    """The TT57 part of the report of `plan` (None for a 2018 plan: its report is unchanged)."""
    if plan.template != TT57:
        return None
    template = template_of(plan.template)
    rows = [item.row for item in progress]
    issues = {issue.id: issue for issue in priorities.issues_of(session, plan.id)}
    standards: dict[int, int | None] = {}
    for row in rows:
        issue = issues.get(row.issue_id) if row.issue_id else None
        standards[row.id] = row.standard or (issue.standard if issue else None)
    found = priorities.reviews_of(session, plan.id)
    reviews = tuple(
        ReviewLine(
            checkpoint=checkpoint,
            label=template.checkpoint_label(checkpoint),
            content=found[checkpoint].content if checkpoint in found else None,
            result=found[checkpoint].result if checkpoint in found else None,
            adjustment=found[checkpoint].adjustment if checkpoint in found else None,
            evaluator=found[checkpoint].evaluator if checkpoint in found else None,
        )
        for checkpoint in CHECKPOINTS
    )
    done, total = plan_json.indicator_14(session, plan)
    return Tt57Facts(
        template=template.code,
        criteria={row.id: priorities.issue_criterion(row, issues) for row in rows},
        standards=standards,
        implementation=plan_json.implementations(session, plan, rows),
        reviews=reviews,
        done=done,
        total=total,
    )
