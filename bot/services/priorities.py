"""Priority issues of a TT57 plan (Biểu 2, section IV) and the monitoring rows (section VI).

The school's words are stored verbatim; the standard and criterion read from them sit beside.
Every function takes the caller's session and scopes by school, as `bot.services.plans` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.catalog import Regulation
from bot.domain.templates import CHECKPOINTS
from db.models import Member, Plan, PlanReview, PlanRow, PriorityIssue, RowStatus

ISSUE_FIELDS = ("current_state", "limitations", "causes")
REVIEW_FIELDS = ("content", "result", "adjustment", "evaluator")
_STANDARD = re.compile(r"(?:ti[eê]u\s*chu[aẩ]n|\bTC)\s*(\d{1,2})\b", re.IGNORECASE)
_CRITERION = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?![\d])")


def standard_in(text: str | None) -> int | None:
    """ "Tiêu chuẩn 2: Phát triển đội ngũ" → 2."""
    found = _STANDARD.search(text or "")
    return int(found.group(1)) if found else None


def criterion_in(text: str | None, regulation: Regulation) -> str | None:
    """The first criterion code of the catalog named in a text ("Tiêu chí 2.2: Giáo viên",
    "(TC 1.4)", "3.2. Đổi mới …"); None when no code there is one of the catalog's."""
    for major, minor in _CRITERION.findall(text or ""):
        code = f"{int(major)}.{int(minor)}"
        if regulation.criterion(code) is not None:
            return code
    return None


def issues_of(session: Session, plan_id: int) -> list[PriorityIssue]:
    return list(
        session.scalars(
            select(PriorityIssue)
            .where(PriorityIssue.plan_id == plan_id, PriorityIssue.status == RowStatus.ACTIVE)
            .order_by(PriorityIssue.position, PriorityIssue.id)
        )
    )


def get_issue(
    session: Session, school_id: int, issue_id: int, *, drafts: bool = False
) -> PriorityIssue | None:
    """An issue of this school's plans (None for another school's, whatever id is asked);
    with `drafts`, an issue being written in the chat too."""
    statuses = (RowStatus.ACTIVE, RowStatus.DRAFT) if drafts else (RowStatus.ACTIVE,)
    return session.scalar(
        select(PriorityIssue)
        .join(Plan, Plan.id == PriorityIssue.plan_id)
        .where(
            PriorityIssue.id == issue_id,
            Plan.school_id == school_id,
            PriorityIssue.status.in_(statuses),
        )
    )


# ---------------------------------------------------------------- drafts (written in the chat)


def open_issue_draft(session: Session, plan: Plan, member: Member) -> PriorityIssue | None:
    """The member's unfinished issue of this plan, if any (kept across restarts)."""
    return session.scalar(
        select(PriorityIssue)
        .where(
            PriorityIssue.plan_id == plan.id,
            PriorityIssue.status == RowStatus.DRAFT,
            PriorityIssue.created_by_member_id == member.id,
        )
        .order_by(PriorityIssue.id.desc())
        .limit(1)
    )


def new_issue_draft(session: Session, plan: Plan, member: Member) -> PriorityIssue:
    """An issue being written: not in section IV (nor the JSON) until it is saved."""
    issue = PriorityIssue(
        plan_id=plan.id, status=RowStatus.DRAFT, position=None, created_by_member_id=member.id
    )
    session.add(issue)
    session.flush()
    return issue


def set_issue_criterion(
    session: Session, issue: PriorityIssue, standard: int, criterion_code: str | None
) -> None:
    """The standard chosen and the criterion (None: no specific criterion), from the buttons."""
    issue.standard = standard
    issue.criterion_code = criterion_code
    issue.standard_text = issue.criterion_text = None  # chosen, not written: the codes say it
    session.flush()


def missing_in_issue(issue: PriorityIssue) -> list[str]:
    """What an issue still lacks before it can be saved: "standard", then the texts."""
    missing = [] if issue.standard else ["standard"]
    return missing + [f for f in ISSUE_FIELDS if not (getattr(issue, f) or "").strip()]


def save_issue_draft(session: Session, issue: PriorityIssue) -> None:
    """The draft becomes the last issue of section IV."""
    issue.position = _next_position(session, issue.plan_id)
    issue.status = RowStatus.ACTIVE
    session.flush()


def _next_position(session: Session, plan_id: int) -> int:
    highest = session.scalar(
        select(func.max(PriorityIssue.position)).where(
            PriorityIssue.plan_id == plan_id, PriorityIssue.status == RowStatus.ACTIVE
        )
    )
    return (highest or 0) + 1


@dataclass(frozen=True)
class IssueWords:
    """An issue as written: the standard and criterion cells verbatim, the three texts."""

    standard_text: str | None
    criterion_text: str | None
    current_state: str | None
    limitations: str | None
    causes: str | None
    standard: int | None = None
    criterion_code: str | None = None


def add_issue(
    session: Session,
    plan: Plan,
    words: IssueWords,
    member: Member | None,
    regulation: Regulation,
) -> PriorityIssue:
    """A new issue at the end of section IV; the codes read from the words when not given."""
    code = words.criterion_code or criterion_in(words.criterion_text, regulation)
    standard = words.standard or standard_in(words.standard_text)
    if standard is None and code is not None:
        standard = int(code.split(".")[0])
    issue = PriorityIssue(
        plan_id=plan.id,
        status=RowStatus.ACTIVE,
        position=_next_position(session, plan.id),
        standard=standard,
        standard_text=words.standard_text,
        criterion_code=code,
        criterion_text=words.criterion_text,
        current_state=words.current_state,
        limitations=words.limitations,
        causes=words.causes,
        created_by_member_id=member.id if member else None,
    )
    session.add(issue)
    session.flush()
    return issue


def set_issue_field(issue: PriorityIssue, field: str, text: str | None) -> None:
    if field not in ISSUE_FIELDS:
        raise KeyError(field)
    setattr(issue, field, text)


def delete_issue(session: Session, issue: PriorityIssue) -> None:
    """Remove an issue: the rows that answered it keep their words, unlinked; the others move
    up one position."""
    issue.status = RowStatus.DELETED
    issue.position = None
    for row in session.scalars(select(PlanRow).where(PlanRow.issue_id == issue.id)):
        row.issue_id = None
    for number, other in enumerate(issues_of(session, issue.plan_id), start=1):
        other.position = number
    session.flush()


def link_row(session: Session, row: PlanRow, issue: PriorityIssue | None) -> None:
    """Link a row to the issue it answers (None: unlink); only an issue of the row's plan."""
    if issue is not None and issue.plan_id != row.plan_id:
        raise ValueError("the issue belongs to another plan")
    row.issue_id = issue.id if issue else None
    if issue is not None and row.criterion_code is None and row.standard is None:
        row.standard = issue.standard  # a row that names no standard: the issue's
    session.flush()


def link_by_criterion(session: Session, plan: Plan) -> int:
    """Link each unlinked row to the one issue of its criterion (or, for a row without a
    criterion, of its standard when that issue names no criterion). How an imported Biểu 2,
    which has no column for the link, gets its links back. Returns how many were linked."""
    issues = issues_of(session, plan.id)
    linked = 0
    rows = session.scalars(
        select(PlanRow).where(
            PlanRow.plan_id == plan.id,
            PlanRow.status == RowStatus.ACTIVE,
            PlanRow.issue_id.is_(None),
        )
    )
    for row in rows:
        if row.criterion_code:
            found = [i for i in issues if i.criterion_code == row.criterion_code]
        elif row.standard:
            found = [i for i in issues if i.standard == row.standard and not i.criterion_code]
        else:
            found = []
        if len(found) == 1:
            row.issue_id = found[0].id
            linked += 1
    session.flush()
    return linked


def issue_criterion(row: PlanRow, issues: dict[int, PriorityIssue]) -> str | None:
    """The row's criterion code, or its issue's when the row names none."""
    if row.criterion_code:
        return row.criterion_code
    issue = issues.get(row.issue_id) if row.issue_id else None
    return issue.criterion_code if issue else None


# ---------------------------------------------------------------- section VI


def reviews_of(session: Session, plan_id: int) -> dict[str, PlanReview]:
    """The plan's monitoring rows by checkpoint ("mid_year", "end_year"); missing ones absent."""
    return {
        review.checkpoint: review
        for review in session.scalars(select(PlanReview).where(PlanReview.plan_id == plan_id))
    }


def review(session: Session, plan: Plan, checkpoint: str) -> PlanReview:
    """The monitoring row of a checkpoint, made empty the first time it is asked for."""
    if checkpoint not in CHECKPOINTS:
        raise KeyError(checkpoint)
    found = session.scalar(
        select(PlanReview).where(PlanReview.plan_id == plan.id, PlanReview.checkpoint == checkpoint)
    )
    if found is None:
        found = PlanReview(plan_id=plan.id, checkpoint=checkpoint)
        session.add(found)
        session.flush()
    return found


def set_review_field(
    session: Session, review_row: PlanReview, field: str, text: str | None, member: Member | None
) -> None:
    if field not in REVIEW_FIELDS:
        raise KeyError(field)
    setattr(review_row, field, text)
    if field == "evaluator" and member is not None:
        review_row.evaluator_member_id = member.id
    session.flush()
