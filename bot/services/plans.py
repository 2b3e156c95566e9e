"""Plans and their rows: create, write field by field, save, edit, delete, export.

Every function takes the caller's session (the unit of work) and scopes what it reads by
school, so one school never reaches another's rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from bot.domain import document_settings
from bot.domain.catalog import (
    Regulation,
    criterion_sort_key,
    is_level4_code,
    level4_code,
    load_catalog,
)
from bot.domain.constants import BLOCK_LEVEL_4, BLOCK_LEVELS_123
from bot.domain.document_settings import DocumentSettings
from bot.domain.parsing import awaits_confirmation, confirmed, parse_budget, parse_timeline
from bot.domain.rowform import TEXT_FIELDS
from bot.domain.templates import T2018, TT57, template_for_regulation
from bot.services import priorities
from db.models import Member, Plan, PlanRow, RowHistory, RowOwner, RowStatus, School

CRITERION_UNMAPPED = "criterion_unmapped"  # carried over from 2018 without a TT57 criterion
_LEVEL = re.compile(r"m[uứ]c\s*(?:độ\s*)?([1-4])", re.IGNORECASE)


@dataclass(frozen=True)
class IssueLine:
    """A priority issue of section IV as the documents write it (plain data)."""

    id: int
    position: int
    standard: int | None
    standard_text: str | None
    criterion_code: str | None
    criterion_text: str | None
    current_state: str | None
    limitations: str | None
    causes: str | None


@dataclass(frozen=True)
class ReviewLine:
    """A monitoring row of section VI (plain data); a checkpoint not written yet is absent."""

    content: str | None = None
    result: str | None = None
    adjustment: str | None = None
    evaluator: str | None = None


@dataclass(frozen=True)
class PlanDocument:
    """What the plan's documents are written from (`bot.documents`)."""

    school: str
    school_year: str
    regulation: Regulation
    regulation_number: str
    rows: list[PlanRow]  # in the table's order (`in_table_order`)
    principal: str | None  # the full name as signed (document settings), never Telegram's
    date: dt.date
    heading: DocumentSettings = dataclasses.field(default_factory=DocumentSettings)
    timezone: str = "Asia/Ho_Chi_Minh"  # the school's: the dates of reports and evidence
    # Biểu 2 (TT57-2026) plans: the template, the school's level, section IV and VI, the
    # school's own text of the prose sections, column (10) of each row by row id.
    template: str = T2018
    level: str = ""
    issues: list[IssueLine] = dataclasses.field(default_factory=list)
    reviews: dict[str, ReviewLine] = dataclasses.field(default_factory=dict)
    sections: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    implementations: dict[int, str | None] = dataclasses.field(default_factory=dict)


def regulation_of(school: School) -> Regulation:
    return load_catalog().regulation(school.regulation, school.level)


def target_level(text: str | None) -> int | None:
    """The level named in an expected result ("Giữ vững mức 2" → 2), the last one if several."""
    found = _LEVEL.findall(text or "")
    return int(found[-1]) if found else None


def ensure_plan(session: Session, school: School, school_year: str) -> Plan:
    plan = find_plan(session, school.id, school_year)
    if plan is None:
        plan = Plan(
            school_id=school.id,
            school_year=school_year,
            regulation=school.regulation,
            template=template_for_regulation(school.regulation).code,
            sections={},
        )
        session.add(plan)
        session.flush()
    return plan


def find_plan(session: Session, school_id: int, school_year: str) -> Plan | None:
    return session.scalar(
        select(Plan).where(Plan.school_id == school_id, Plan.school_year == school_year)
    )


def latest_plan(session: Session, school_id: int) -> Plan | None:
    return session.scalar(
        select(Plan).where(Plan.school_id == school_id).order_by(Plan.school_year.desc()).limit(1)
    )


def plan_years(session: Session, school_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Plan.school_year).where(Plan.school_id == school_id).order_by(Plan.school_year)
        )
    )


def active_rows(session: Session, plan_id: int) -> list[PlanRow]:
    return list(
        session.scalars(
            select(PlanRow)
            .where(PlanRow.plan_id == plan_id, PlanRow.status == RowStatus.ACTIVE)
            .order_by(PlanRow.position)
        )
    )


def row_at(session: Session, plan_id: int, position: int) -> PlanRow | None:
    """The active row at this position of the plan (as the export numbers them)."""
    return session.scalar(
        select(PlanRow).where(
            PlanRow.plan_id == plan_id,
            PlanRow.status == RowStatus.ACTIVE,
            PlanRow.position == position,
        )
    )


def in_table_order(rows: list[PlanRow]) -> list[PlanRow]:
    """Rows as the official table lists them: Mức 1-3 by standard and criterion in numeric
    order (1.9 before 1.10), then Mức 4; rows of one criterion in their plan order."""
    if rows and rows[0].plan.template == TT57:
        # Biểu 2 lists the rows in the school's order (an imported plan keeps its file's
        # order; a row written in the chat was placed by its criterion when saved).
        return sorted(rows, key=lambda r: r.position or 0)
    return sorted(rows, key=lambda r: (_order_key(r), r.position or 0))


def count_rows(session: Session, plan_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(PlanRow)
            .where(PlanRow.plan_id == plan_id, PlanRow.status == RowStatus.ACTIVE)
        )
        or 0
    )


def get_row(session: Session, school_id: int, row_id: int) -> PlanRow | None:
    """A row of this school (None for another school's row, whatever id is asked).

    Asked several times in one turn: found once per session (the row object is the same)."""
    found: dict[tuple[int, int], PlanRow] = session.info.setdefault("rows_of_school", {})
    row = found.get((school_id, row_id))
    if row is None:
        row = session.scalar(
            select(PlanRow)
            .join(Plan, Plan.id == PlanRow.plan_id)
            .where(PlanRow.id == row_id, Plan.school_id == school_id)
            .options(contains_eager(PlanRow.plan))  # the plan comes with it (joined already)
        )
        if row is not None:
            found[(school_id, row_id)] = row
    return row


def open_draft(session: Session, member: Member, plan: Plan) -> PlanRow | None:
    return session.scalar(
        select(PlanRow)
        .where(
            PlanRow.plan_id == plan.id,
            PlanRow.status == RowStatus.DRAFT,
            PlanRow.created_by_member_id == member.id,
        )
        .order_by(PlanRow.updated_at.desc())
        .limit(1)
    )


def new_draft(session: Session, member: Member, plan: Plan) -> PlanRow:
    row = PlanRow(
        plan_id=plan.id,
        status=RowStatus.DRAFT,
        created_by_member_id=member.id,
        timeline_flags=[],
        budget_flags=[],
    )
    session.add(row)
    session.flush()
    return row


def discard_draft(session: Session, row: PlanRow) -> None:
    if row.status == RowStatus.DRAFT:
        session.delete(row)
        session.flush()


def _record(
    session: Session,
    row: PlanRow,
    member: Member | None,
    action: str,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> None:
    if row.status == RowStatus.DRAFT:
        return  # a draft's answers are its own history until it is saved
    session.add(
        RowHistory(
            row_id=row.id,
            member_id=member.id if member else None,
            action=action,
            field=field,
            old_value=None if old is None else str(old),
            new_value=None if new is None else str(new),
        )
    )


def set_criterion(
    session: Session,
    row: PlanRow,
    regulation: Regulation,
    code: str,
    member: Member | None,
    text: str | None = None,
) -> None:
    """Set the criterion by catalog code, or a Mức 4 code "M4.n" with the school's wording."""
    old = row.criterion_code
    if is_level4_code(code):
        row.block, row.standard = BLOCK_LEVEL_4, None
        row.criterion_text = text if text is not None else row.criterion_text
    else:
        criterion = regulation.criterion(code)
        if criterion is None:
            raise KeyError(code)
        row.block, row.standard = BLOCK_LEVELS_123, criterion.standard
        row.criterion_text = text
    row.criterion_code = code
    row.criterion_flags = [f for f in row.criterion_flags or [] if f != CRITERION_UNMAPPED]
    if old != code:
        _record(session, row, member, "updated", "criterion", old, code)
    if row.status == RowStatus.ACTIVE:
        _reposition(session, row)


def set_standard(session: Session, row: PlanRow, number: int, member: Member | None) -> None:
    """A TT57 row that names a standard and no specific criterion ("Không chọn tiêu chí")."""
    old = row.criterion_code or (f"TC{row.standard}" if row.standard else None)
    row.block, row.standard = BLOCK_LEVELS_123, number
    row.criterion_code = row.criterion_text = None
    if old != f"TC{number}":
        _record(session, row, member, "updated", "criterion", old, f"TC{number}")
    if row.status == RowStatus.ACTIVE:
        _reposition(session, row)
    session.flush()


def set_level4(
    session: Session, row: PlanRow, number: int, wording: str, member: Member | None
) -> None:
    old = (row.criterion_code, row.criterion_text)
    row.block, row.standard = BLOCK_LEVEL_4, None
    row.criterion_code = level4_code(number)
    row.criterion_text = wording
    if old != (row.criterion_code, row.criterion_text):
        _record(session, row, member, "updated", "criterion", old[1] or old[0], wording)
    if row.status == RowStatus.ACTIVE:
        _reposition(session, row)


# The answers the bot reads something from, beside the words: dates, an amount, a level.
UNDERSTOOD = ("timeline_text", "budget_text", "expected_result")


def understand(row: PlanRow, school_year: str, field: str | None = None) -> None:
    """Read again what the bot understands of the row's words (of one field, or all): the
    timeline's dates and flags for `school_year`, the budget's amount, the target level."""
    if field in (None, "timeline_text"):
        text = row.timeline_text
        parsed = parse_timeline(text, school_year) if text else None
        row.start_date = parsed.start if parsed else None
        row.due_date = parsed.due if parsed else None
        row.timeline_flags = list(parsed.warnings) if parsed else []
    if field in (None, "budget_text"):
        budget = parse_budget(row.budget_text) if row.budget_text else None
        row.budget_vnd = budget.amount_vnd if budget else None
        row.budget_flags = list(budget.warnings) if budget else []
    if field in (None, "expected_result"):
        row.target_level = target_level(row.expected_result)


def set_field(
    session: Session,
    row: PlanRow,
    field: str,
    text: str | None,
    school_year: str,
    member: Member | None,
) -> None:
    """Store an answer verbatim and what the bot understood of it beside it."""
    if field not in TEXT_FIELDS:
        raise KeyError(field)
    old = getattr(row, field)
    setattr(row, field, text)
    if field in UNDERSTOOD:
        understand(row, school_year, field)
    if old != text:
        _record(session, row, member, "updated", field, old, text)
    session.flush()


def confirm_timeline(session: Session, row: PlanRow, member: Member | None) -> bool:
    """The writer confirms a timeline that ends before the plan's school year: the flag stays,
    marked confirmed (the row is counted and reminded again). False if there was none to confirm."""
    if not awaits_confirmation(row.timeline_flags):
        return False
    row.timeline_flags = confirmed(row.timeline_flags)
    _record(session, row, member, "updated", "timeline_confirmed", None, row.timeline_text)
    session.flush()
    return True


def missing_required(
    row: PlanRow, required: tuple[str, ...], criterion_optional: bool = False
) -> list[str]:
    """The required answers still empty ("criterion" first when it is missing); with
    `criterion_optional` (a TT57 row) a standard alone is enough."""
    missing = [f for f in required if not (getattr(row, f) or "").strip()]
    if not (row.criterion_code or (criterion_optional and row.standard)):
        missing.insert(0, "criterion")
    return missing


def _sort_key(code: str | None, standard: int | None, tt57: bool) -> tuple[int, int, int]:
    """A row with a criterion by its code; a TT57 row (it has an improvement content) with a
    standard alone before that standard's criteria. 2018 rows sort as they always did."""
    if code is None and standard and tt57:
        return (0, standard, 0)
    return criterion_sort_key(code)


def _order_key(row: PlanRow) -> tuple[int, int, int]:
    return _sort_key(row.criterion_code, row.standard, row.content is not None)


def _renumber(rows: list[PlanRow]) -> None:
    for i, row in enumerate(rows, start=1):
        row.position = i


def _reposition(session: Session, row: PlanRow) -> None:
    """Place `row` after the last row that sorts at or before it; keep the others' order.

    Reads only the others' codes and positions and updates only the positions that change
    (a plan of hundreds of rows is not loaded at every save)."""
    others = session.execute(
        select(
            PlanRow.id,
            PlanRow.criterion_code,
            PlanRow.standard,
            PlanRow.content.is_not(None).label("tt57"),
            PlanRow.position,
        )
        .where(
            PlanRow.plan_id == row.plan_id,
            PlanRow.status == RowStatus.ACTIVE,
            PlanRow.id != row.id,
        )
        .order_by(PlanRow.position)
    ).all()
    key = _order_key(row)
    at = 0
    for i, other in enumerate(others):
        if _sort_key(other.criterion_code, other.standard, bool(other.tt57)) <= key:
            at = i + 1
    row.position = at + 1
    moved = [
        {"id": other.id, "position": number}
        for number, other in enumerate(others[at:], start=at + 2)
        if other.position != number
    ] + [
        {"id": other.id, "position": number}
        for number, other in enumerate(others[:at], start=1)
        if other.position != number
    ]
    session.flush()
    if moved:
        session.execute(update(PlanRow), moved)  # by primary key, in one executemany
        for change in moved:  # rows this session holds: their new position, as stored
            held = session.identity_map.get(identity_key(PlanRow, change["id"]))
            if held is not None:
                set_committed_value(held, "position", change["position"])


def save_draft(session: Session, row: PlanRow, member: Member | None) -> None:
    """Turn a complete draft into a row of the plan, in the table's order."""
    row.status = RowStatus.ACTIVE
    _reposition(session, row)
    _record(session, row, member, "created", None, None, row.criterion_code)


def delete_row(session: Session, row: PlanRow, member: Member | None) -> None:
    _record(session, row, member, "deleted", None, row.position, None)
    row.status = RowStatus.DELETED
    row.position = None
    session.flush()
    _renumber(active_rows(session, row.plan_id))
    session.flush()


def history(session: Session, row_id: int) -> list[RowHistory]:
    return list(
        session.scalars(
            select(RowHistory)
            .where(RowHistory.row_id == row_id)
            .order_by(RowHistory.at.desc(), RowHistory.id.desc())
        )
    )


def row_title(row: PlanRow, regulation: Regulation) -> str:
    """The criterion's catalog title (or the school's own wording for Mức 4)."""
    if row.criterion_code and not is_level4_code(row.criterion_code):
        criterion = regulation.criterion(row.criterion_code)
        if criterion and criterion.title:
            return criterion.title
    return row.criterion_text or ""


def import_rows(
    session: Session,
    plan: Plan,
    imported: list[Any],
    member: Member | None,
    *,
    replace: bool = False,
) -> list[PlanRow]:
    """Add imported rows (bot.documents.plan_import.ImportedRow) to the plan, in file order.

    The words are stored verbatim; dates, amounts and target levels are read beside them.
    With `replace`, the plan's rows are deleted first (recorded in their history).
    """
    if replace:
        for row in active_rows(session, plan.id):
            delete_row(session, row, member)
    start = count_rows(session, plan.id)
    created = []
    for offset, item in enumerate(imported, start=1):
        row = PlanRow(
            plan_id=plan.id,
            status=RowStatus.ACTIVE,
            position=start + offset,
            block=item.block,
            standard=item.standard,
            criterion_code=item.criterion_code,
            criterion_text=item.criterion_text,
            created_by_member_id=member.id if member else None,
            timeline_flags=[],
            budget_flags=[],
        )
        session.add(row)
        session.flush()
        for field in TEXT_FIELDS:
            value = getattr(item, field, None)  # a 2018 file has no Biểu 2 columns
            setattr(row, field, value)
        understand(row, plan.school_year)
        _record(session, row, member, "created", None, None, "import")
        created.append(row)
    session.flush()
    return created


def plan_document(session: Session, school: School, plan: Plan, today: dt.date) -> PlanDocument:
    """What the DOCX/XLSX exports need: rows in the table's order, the catalog, the school's
    document settings (authority, symbol, place, the principal's full name as signed)."""
    regulation = load_catalog().regulation(plan.regulation, school.level)
    heading = document_settings.load(school)
    tt57 = plan.template == TT57
    rows = active_rows(session, plan.id)
    return PlanDocument(
        school=school.name,
        school_year=plan.school_year,
        regulation=regulation,
        regulation_number=regulation.number,
        # a Biểu 2 table lists its rows in the plan's order (no groups by standard)
        rows=rows if tt57 else in_table_order(rows),
        principal=heading.principal_name,
        date=today,
        heading=heading,
        timezone=school.timezone,
        template=plan.template or T2018,
        level=school.level,
        issues=[
            IssueLine(
                id=issue.id,
                position=issue.position or 0,
                standard=issue.standard,
                standard_text=issue.standard_text,
                criterion_code=issue.criterion_code,
                criterion_text=issue.criterion_text,
                current_state=issue.current_state,
                limitations=issue.limitations,
                causes=issue.causes,
            )
            for issue in (priorities.issues_of(session, plan.id) if tt57 else [])
        ],
        reviews={
            key: ReviewLine(found.content, found.result, found.adjustment, found.evaluator)
            for key, found in (priorities.reviews_of(session, plan.id) if tt57 else {}).items()
        },
        sections={k: [str(p) for p in v] for k, v in (plan.sections or {}).items()},
        implementations={row.id: row.implementation_text for row in rows} if tt57 else {},
    )


def template_of_year(session: Session, school: School, school_year: str) -> str:
    """The template the plan of that year is in, or will be in when it is made."""
    plan = find_plan(session, school.id, school_year)
    if plan is not None:
        return plan.template or T2018
    return template_for_regulation(school.regulation).code


def owners_text(row: PlanRow) -> str:
    """The row's owners as a document writes them: "Đặng Thị Lan (chủ trì), Vũ Minh"."""
    return ", ".join(
        o.member.display_name + (" (chủ trì)" if o.is_lead else "") for o in row.owners
    )


def owner_names(session: Session, plan: Plan) -> dict[int, str]:
    return {row.id: owners_text(row) for row in active_rows(session, plan.id)}


def school_json(school: School) -> dict[str, Any]:
    return {
        "id": school.id,
        "name": school.name,
        "level": school.level,
        "regulation": school.regulation,
    }


def timeline_json(row: PlanRow) -> dict[str, Any]:
    return {
        "text": row.timeline_text,
        "start": row.start_date.isoformat() if row.start_date else None,
        "due": row.due_date.isoformat() if row.due_date else None,
        "flags": list(row.timeline_flags or []),
    }


def budget_json(row: PlanRow) -> dict[str, Any]:
    return {
        "text": row.budget_text,
        "amount_vnd": row.budget_vnd,
        "flags": list(row.budget_flags or []),
    }


def owners_json(owners: Iterable[RowOwner]) -> list[dict[str, Any]]:
    return [
        {"member_id": o.member_id, "name": o.member.display_name, "lead": o.is_lead} for o in owners
    ]


def export_plan(session: Session, school: School, plan: Plan) -> dict[str, Any]:
    """The plan as the JSON `caitien plan export --format json` prints."""
    regulation = load_catalog().regulation(plan.regulation, school.level)
    rows = []
    for row in active_rows(session, plan.id):
        owners = session.scalars(
            select(RowOwner).where(RowOwner.row_id == row.id).order_by(RowOwner.id)
        )
        criterion = (
            regulation.criterion(row.criterion_code)
            if row.criterion_code and not is_level4_code(row.criterion_code)
            else None
        )
        rows.append(
            {
                "position": row.position,
                "block": row.block,
                "standard": row.standard,
                "criterion": row.criterion_code,
                "criterion_text": row.criterion_text,
                "criterion_title": criterion.title if criterion else None,
                "expected_result": row.expected_result,
                "target_level": row.target_level,
                "tasks": row.tasks,
                "lead": row.lead_text,
                "timeline": timeline_json(row),
                "budget": budget_json(row),
                "support": row.support,
                "notes": row.notes,
                "owners": owners_json(owners),
            }
        )
    return {
        "school": school_json(school),
        "school_year": plan.school_year,
        "regulation": plan.regulation,
        "template": plan.template,
        "rows": rows,
    }
