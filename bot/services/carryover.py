"""Carry a plan over into the next school year: the unfinished rows and the open priority
issues, the school's words verbatim (`caitien plan carry-over`, /newyear).

- The new plan is made by `plans.ensure_plan`: its template follows the school's regulation at
  that moment (a school that moved to TT57 gets a Biểu 2 plan; the old plan keeps its own).
- Rows carried: those whose latest status is not "done" (a row nobody reported on is
  unfinished). Owners are copied; timelines are read again for the new year (the text kept: a
  "trước 30/5/2027" in 2027-2028 is flagged `before_school_year` and asks for confirmation on
  the row's card, as any such timeline does); amounts and target levels likewise.
- TT57 → TT57: every priority issue of the old plan that is still open (an issue is open unless
  every row linked to it is done; one with no row is open) is copied, and the carried rows are
  linked to the copies.
- 2018 → TT57: the 2018 words go to the Biểu 2 column of the same meaning, nothing lost: the
  criterion cell (criterion_text) becomes Nội dung cải tiến (content) and is also kept where it
  was, Kết quả cần đạt stays Mục tiêu (expected_result), Công việc/giải pháp stays Hoạt động,
  giải pháp (tasks), Dự kiến kinh phí stays Nguồn lực (budget_text), Điều kiện hỗ trợ and Ghi
  chú stay in their columns. The criterion code is mapped by `bot/data/criteria_mapping.yaml`
  (provisional); without a mapping the row has no criterion and `criterion_flags` says
  `criterion_unmapped` until someone picks one (`plans.set_criterion` clears it).
- A year whose plan already has rows is refused unless `append`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.catalog import Regulation, is_level4_code, load_catalog
from bot.domain.constants import BLOCK_LEVELS_123
from bot.domain.criteria_mapping import tt57_code
from bot.domain.rowform import TEXT_FIELDS
from bot.domain.schoolyear import is_school_year
from bot.domain.templates import TT57
from bot.services import plans, priorities
from bot.services.progress import latest_statuses
from db.models import (
    Member,
    Plan,
    PlanRow,
    PriorityIssue,
    ProgressStatus,
    RowHistory,
    RowOwner,
    RowStatus,
    School,
)

CRITERION_UNMAPPED = plans.CRITERION_UNMAPPED


class CarryOverError(ValueError):
    """Why the plan cannot be carried over (said to the person as it is)."""


@dataclass
class CarriedOver:
    from_year: str
    to_year: str
    template: str
    plan: Plan
    rows: list[PlanRow] = field(default_factory=list)
    issues: list[PriorityIssue] = field(default_factory=list)

    @property
    def unmapped(self) -> list[int]:
        """Positions of the carried rows whose criterion needs picking."""
        return [
            row.position or 0
            for row in self.rows
            if CRITERION_UNMAPPED in (row.criterion_flags or [])
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.from_year,
            "to": self.to_year,
            "template": self.template,
            "rows": len(self.rows),
            "issues": len(self.issues),
            "unmapped": self.unmapped,
        }


def next_year(school_year: str) -> str:
    first = int(school_year[:4]) + 1
    return f"{first}-{first + 1}"


def unfinished_rows(session: Session, plan: Plan) -> list[PlanRow]:
    """The plan's rows not reported done (never reported: unfinished), in plan order."""
    rows = plans.active_rows(session, plan.id)
    statuses = latest_statuses(session, [row.id for row in rows])
    return [row for row in rows if statuses.get(row.id) != ProgressStatus.DONE]


def open_issues(session: Session, plan: Plan) -> list[PriorityIssue]:
    """The plan's priority issues not closed: an issue is closed when it has rows and every
    one of them is done."""
    rows = plans.active_rows(session, plan.id)
    statuses = latest_statuses(session, [row.id for row in rows])
    found = []
    for issue in priorities.issues_of(session, plan.id):
        linked = [row for row in rows if row.issue_id == issue.id]
        if not linked or any(statuses.get(row.id) != ProgressStatus.DONE for row in linked):
            found.append(issue)
    return found


def _check_years(from_year: str, to_year: str) -> None:
    for year in (from_year, to_year):
        if not is_school_year(year):
            raise CarryOverError(f"not a school year: {year!r} (write it like 2026-2027)")
    if to_year <= from_year:
        raise CarryOverError(f"{to_year} does not come after {from_year}")


def carry_over(
    session: Session,
    school: School,
    from_year: str,
    to_year: str,
    member: Member | None = None,
    *,
    append: bool = False,
) -> CarriedOver:
    """Make (or add to, with `append`) the plan of `to_year` from `from_year`'s (see the
    module)."""
    _check_years(from_year, to_year)
    source = plans.find_plan(session, school.id, from_year)
    if source is None:
        raise CarryOverError(f"there is no plan for {from_year}")
    existing = plans.find_plan(session, school.id, to_year)
    if existing is not None and not append:
        count = plans.count_rows(session, existing.id)
        if count:
            raise CarryOverError(
                f"the plan of {to_year} already has {count} row(s); nothing was carried "
                "(add them after those with --append)"
            )
    target = plans.ensure_plan(session, school, to_year)
    result = CarriedOver(from_year, to_year, target.template, target)
    issue_map: dict[int, PriorityIssue] = {}
    if source.template == TT57 and target.template == TT57:
        regulation = plans.regulation_of(school)
        for issue in open_issues(session, source):
            copy = priorities.add_issue(
                session,
                target,
                priorities.IssueWords(
                    issue.standard_text,
                    issue.criterion_text,
                    issue.current_state,
                    issue.limitations,
                    issue.causes,
                    standard=issue.standard,
                    criterion_code=issue.criterion_code,
                ),
                member,
                regulation,
            )
            issue_map[issue.id] = copy
            result.issues.append(copy)
    into_tt57 = source.template != TT57 and target.template == TT57
    start = plans.count_rows(session, target.id)
    for offset, old in enumerate(unfinished_rows(session, source), start=1):
        row = _copy_row(session, old, target, start + offset, member)
        if into_tt57:
            _to_tt57(old, row, school, source.regulation)
        if old.issue_id is not None and old.issue_id in issue_map:
            row.issue_id = issue_map[old.issue_id].id
        result.rows.append(row)
    session.flush()
    return result


def _copy_row(
    session: Session, old: PlanRow, plan: Plan, position: int, member: Member | None
) -> PlanRow:
    row = PlanRow(
        plan_id=plan.id,
        status=RowStatus.ACTIVE,
        position=position,
        block=old.block,
        standard=old.standard,
        criterion_code=old.criterion_code,
        criterion_text=old.criterion_text,
        target_level=old.target_level,
        created_by_member_id=old.created_by_member_id,
        timeline_flags=[],
        budget_flags=[],
        criterion_flags=list(old.criterion_flags or []),
    )
    session.add(row)
    session.flush()
    for name in TEXT_FIELDS:
        setattr(row, name, getattr(old, name))
    plans.understand(row, plan.school_year)  # what the bot reads is read for the new year
    active = {
        o.member_id
        for o in session.scalars(select(RowOwner).where(RowOwner.row_id == old.id))
        if o.member.active
    }
    for owner in old.owners:
        if owner.member_id in active:
            session.add(RowOwner(row_id=row.id, member_id=owner.member_id, is_lead=owner.is_lead))
    session.add(
        RowHistory(
            row_id=row.id,
            member_id=member.id if member else None,
            action="created",
            field=None,
            old_value=None,
            new_value=f"carry-over {old.plan.school_year} #{old.position}",
        )
    )
    session.flush()
    session.refresh(row)
    return row


def criterion_cell(row: PlanRow, regulation: Regulation) -> str | None:
    """The 2018 criterion cell as the plan's document prints it: the school's words, else
    "Tiêu chí n.m: title" from the catalog (`bot.documents.plan_export.criterion_cell`)."""
    if row.criterion_text:
        return row.criterion_text
    code = row.criterion_code or ""
    if not code:
        return None
    if is_level4_code(code):
        return f"Tiêu chí {code.split('.', 1)[1]}"
    criterion = regulation.criterion(code)
    return f"Tiêu chí {code}: {criterion.title}" if criterion and criterion.title else code


def _to_tt57(old: PlanRow, row: PlanRow, school: School, regulation: str) -> None:
    """A 2018 row in Biểu 2: the criterion cell becomes Nội dung cải tiến (kept in its own
    column too), the same-meaning columns stay; the criterion mapped or flagged."""
    if not row.content:
        row.content = criterion_cell(old, load_catalog().regulation(regulation, school.level))
    code = tt57_code(regulation, old.criterion_code)
    if code is not None:
        row.criterion_code = code
        row.standard = int(code.split(".")[0])
        row.block = BLOCK_LEVELS_123
        row.criterion_flags = [f for f in row.criterion_flags if f != CRITERION_UNMAPPED]
    else:
        row.criterion_code = None
        row.standard = None
        row.block = None
        row.target_level = None
        if CRITERION_UNMAPPED not in row.criterion_flags:
            row.criterion_flags = [*row.criterion_flags, CRITERION_UNMAPPED]
