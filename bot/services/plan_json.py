"""The plan as the JSON `caitien plan export --format json` prints, in either template.

2018 plans keep the JSON they always had (`plans.export_plan`, with `"template": "2018"`);
a TT57-2026 plan prints Biểu 2: priority issues, the ten columns, the monitoring rows. Every key
is present, null where empty; the school's words verbatim.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.templates import CHECKPOINTS, TT57, Template, template_of
from bot.services import plans, priorities
from bot.services.progress import latest_statuses
from db.models import Plan, PlanRow, PriorityIssue, RowOwner, School


def implementation(row: PlanRow, status: str | None, template: Template) -> str | None:
    """Column (10): what the owners' latest status gives, else the text as written."""
    return template.implementation(status) or row.implementation_text


def implementations(
    session: Session, plan: Plan, rows: list[PlanRow], statuses: dict[int, str] | None = None
) -> dict[int, str | None]:
    """Column (10) of each row, from the latest reports (one query, unless the caller has
    read them already: `statuses`)."""
    template = template_of(plan.template)
    if statuses is None:
        statuses = latest_statuses(session, [row.id for row in rows])
    return {row.id: implementation(row, statuses.get(row.id), template) for row in rows}


def document(session: Session, school: School, plan: Plan, today: dt.date) -> plans.PlanDocument:
    """`plans.plan_document`, with column (10) of a Biểu 2 plan from the owners' latest
    reports (what the DOCX and XLSX exports write)."""
    found = plans.plan_document(session, school, plan, today)
    if plan.template != TT57:
        return found
    return dataclasses.replace(found, implementations=implementations(session, plan, found.rows))


def indicator_14(session: Session, plan: Plan) -> tuple[int, int]:
    """Criterion 1.4's indicator: (tasks completed, tasks in the plan). A task is completed
    when its column (10) says so: the owners' latest status, or "Hoàn thành" as written in an
    imported plan nobody has reported on yet (the same count as the documents' column)."""
    rows = plans.active_rows(session, plan.id)
    return completed(plan, implementations(session, plan, rows).values()), len(rows)


def completed(plan: Plan, column_10: Iterable[str | None]) -> int:
    """How many of these column (10) texts say the task is completed ("Hoàn thành", as the
    template words it; spaces and case as written tolerated)."""
    word = (template_of(plan.template).implementation("done") or "").casefold()
    return sum(
        1 for text in column_10 if word and " ".join((text or "").split()).casefold() == word
    )


def _issue_json(issue: PriorityIssue) -> dict[str, Any]:
    return {
        "position": issue.position,
        "standard": issue.standard,
        "criterion": issue.criterion_code,
        "current_state": issue.current_state,
        "limitations": issue.limitations,
        "causes": issue.causes,
    }


def export_tt57(session: Session, school: School, plan: Plan) -> dict[str, Any]:
    template = template_of(plan.template)
    issues = priorities.issues_of(session, plan.id)
    by_id = {issue.id: issue for issue in issues}
    rows = plans.active_rows(session, plan.id)
    column_10 = implementations(session, plan, rows)
    out_rows = []
    for row in rows:
        owners = session.scalars(
            select(RowOwner).where(RowOwner.row_id == row.id).order_by(RowOwner.id)
        )
        issue = by_id.get(row.issue_id) if row.issue_id else None
        code = priorities.issue_criterion(row, by_id)
        out_rows.append(
            {
                "position": row.position,
                "standard": row.standard or (issue.standard if issue else None),
                "criterion": code,
                "content": row.content,
                "objective": row.expected_result,
                "activities": row.tasks,
                "indicators": row.indicators,
                "timeline": plans.timeline_json(row),
                "lead": row.lead_text,
                "resources": plans.budget_json(row),
                "expected_evidence": row.expected_evidence,
                "implementation": column_10[row.id],
                "issue": issue.position if issue else None,
                "owners": plans.owners_json(owners),
            }
        )
    reviews = priorities.reviews_of(session, plan.id)
    monitoring = []
    for checkpoint in CHECKPOINTS:
        found = reviews.get(checkpoint)
        monitoring.append(
            {
                "checkpoint": checkpoint,
                **{f: getattr(found, f) if found else None for f in priorities.REVIEW_FIELDS},
            }
        )
    return {
        "school": plans.school_json(school),
        "school_year": plan.school_year,
        "regulation": plan.regulation,
        "template": template.code,
        "priority_issues": [_issue_json(issue) for issue in issues],
        "rows": out_rows,
        "monitoring": monitoring,
    }


def export_plan(session: Session, school: School, plan: Plan) -> dict[str, Any]:
    if plan.template == TT57:
        return export_tt57(session, school, plan)
    return plans.export_plan(session, school, plan)
