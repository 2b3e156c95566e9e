"""Storing an imported Biểu 2 (TT57-2026) plan: its rows (`plans.import_rows`), the priority
issues of section IV, the monitoring rows of section VI, the school's own text of the prose
sections, and the links from rows to issues (by criterion, or as caitien's XLSX wrote them).

`result` is a `bot.documents.imported.ImportResult` (this layer does not import documents).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.domain.catalog import Regulation
from bot.domain.templates import TT57
from bot.services import plans, priorities
from db.models import Member, Plan, PlanRow


class TemplateMismatch(ValueError):
    """The file is in one template and the plan in another (`file`, `plan`: the codes)."""

    def __init__(self, file: str, plan: str) -> None:
        super().__init__(f"the file is a {file} plan and the plan is a {plan} one")
        self.file, self.plan = file, plan


@dataclass(frozen=True)
class Imported:
    rows: list[PlanRow]
    issues: int
    reviews: int
    linked: int


def check_template(result_template: str, plan_template: str) -> None:
    if (result_template == TT57) != (plan_template == TT57):
        raise TemplateMismatch(result_template, plan_template)


def import_plan(
    session: Session,
    plan: Plan,
    result: Any,
    member: Member | None,
    regulation: Regulation,
    *,
    replace: bool = False,
) -> Imported:
    """Store what was read into `plan`; a 2018 file into a 2018 plan is `plans.import_rows`
    alone. Raises TemplateMismatch (nothing stored) when the file's template is not the
    plan's."""
    check_template(result.template, plan.template)
    if result.template != TT57:
        rows = plans.import_rows(session, plan, result.rows, member, replace=replace)
        return Imported(rows, 0, 0, 0)
    if replace:
        for issue in priorities.issues_of(session, plan.id):
            priorities.delete_issue(session, issue)
    rows = plans.import_rows(session, plan, result.rows, member, replace=replace)
    issues = [
        priorities.add_issue(
            session,
            plan,
            priorities.IssueWords(
                standard_text=item.standard_text,
                criterion_text=item.criterion_text,
                current_state=item.current_state,
                limitations=item.limitations,
                causes=item.causes,
            ),
            member,
            regulation,
        )
        for item in result.issues
    ]
    linked = 0
    for row, item in zip(rows, result.rows, strict=True):
        number = getattr(item, "issue", None)
        if number and 0 < number <= len(issues):  # the file's own link (caitien's XLSX)
            priorities.link_row(session, row, issues[number - 1])
            linked += 1
    linked += priorities.link_by_criterion(session, plan)
    for item in result.reviews:
        review = priorities.review(session, plan, item.checkpoint)
        for field in priorities.REVIEW_FIELDS:
            value = getattr(item, field)
            if value or replace:
                priorities.set_review_field(session, review, field, value, None)
    if result.sections:
        plan.sections = {**(plan.sections or {}), **result.sections}
    session.flush()
    return Imported(rows, len(issues), len(result.reviews), linked)
