"""What a specialist's `/export` is written from: the unit's schools (the unit digest's lines)
and every active row of their current-year plans, as plain data, and each school's year-end
report as `/report_year` makes it.

The rows are read with a few statements for all the schools at once (no row loaded as an
object); the documents are made in another process (`bot.ui.views.Later`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.catalog import Regulation, is_level4_code
from bot.services import plans, progress, year_report
from bot.services.plans import PlanDocument
from bot.services.progress import RowProgress
from bot.services.unit_digest import UnitDigest
from bot.services.year_report import Tt57Facts
from db.models import (
    Member,
    Plan,
    PlanRow,
    RowOwner,
    RowStatus,
    School,
)


@dataclass(frozen=True)
class RollupRow:
    """One row of a school's plan, as the roll-up's sheet "Các dòng" lists it."""

    school_id: int
    school: str
    position: int | None
    code: str  # the criterion code, "TC1" for a Biểu 2 row naming only its standard, or ""
    name: str  # the criterion's title (2018), the improvement content (Biểu 2), as written
    owners: str  # "Đặng Thị Lan (chủ trì), Vũ Minh"
    status: str  # "Hoàn thành", "Chưa có báo cáo"…
    due: dt.date | None
    last_report: dt.date | None  # in the school's timezone


@dataclass(frozen=True)
class SchoolReport:
    """A school's year-end report, as /report_year writes it (`write_report_docx`'s data)."""

    school_id: int
    school: str
    document: PlanDocument
    progress: list[RowProgress]
    tt57: Tt57Facts | None


def _plans(session: Session, digest: UnitDigest) -> dict[int, Plan]:
    """The current-year plan of each school of the digest that has one, by school id."""
    wanted = {line.school_id: line.plan.school_year for line in digest.schools if line.plan}
    if not wanted:
        return {}
    return {
        plan.school_id: plan
        for plan in session.scalars(select(Plan).where(Plan.school_id.in_(list(wanted))))
        if wanted.get(plan.school_id) == plan.school_year
    }


def rows(session: Session, digest: UnitDigest) -> list[RollupRow]:
    """Every active row of the schools' current-year plans: schools in the digest's order
    (attention first), rows by position."""
    found = _plans(session, digest)
    if not found:
        return []
    by_plan = {plan.id: plan for plan in found.values()}
    schools = {s.id: s for s in session.scalars(select(School).where(School.id.in_(list(found))))}
    regulations: dict[int, Regulation] = {}
    wanted = PlanRow.plan_id.in_(list(by_plan)) & (PlanRow.status == RowStatus.ACTIVE)
    owners: dict[int, list[str]] = defaultdict(list)
    for row_id, name, lead in session.execute(
        select(RowOwner.row_id, Member.display_name, RowOwner.is_lead)
        .join(Member, Member.id == RowOwner.member_id)
        .join(PlanRow, PlanRow.id == RowOwner.row_id)
        .where(wanted)
        .order_by(RowOwner.id)
    ):
        owners[row_id].append(name + (" (chủ trì)" if lead else ""))
    latest = progress.latest_statuses_in(session, wanted)
    last = progress.last_report_times(session, wanted)
    by_school: dict[int, list[RollupRow]] = defaultdict(list)
    for r in session.execute(
        select(
            PlanRow.id,
            PlanRow.plan_id,
            PlanRow.position,
            PlanRow.standard,
            PlanRow.criterion_code,
            PlanRow.criterion_text,
            PlanRow.content,
            PlanRow.expected_result,
            PlanRow.due_date,
        ).where(wanted)
    ):
        plan = by_plan[r.plan_id]
        school = schools[plan.school_id]
        if school.id not in regulations:
            regulations[school.id] = plans.regulation_of(school)
        code = r.criterion_code or ""
        title = ""
        if code and not is_level4_code(code):
            criterion = regulations[school.id].criterion(code)
            title = criterion.title if criterion and criterion.title else ""
        if r.content:  # a Biểu 2 row: its improvement content (2)
            code = code or (f"TC{r.standard}" if r.standard else "")
            title = r.content
        name = " ".join((title or r.criterion_text or r.expected_result or "").split())
        when = last.get(r.id)
        by_school[school.id].append(
            RollupRow(
                school_id=school.id,
                school=school.name,
                position=r.position,
                code=code,
                name=name,
                owners=", ".join(owners.get(r.id, [])),
                status=progress.status_vi(latest.get(r.id)),
                due=r.due_date,
                last_report=when.astimezone(ZoneInfo(school.timezone)).date() if when else None,
            )
        )
    ordered: list[RollupRow] = []
    for line in digest.schools:
        ordered += sorted(by_school.get(line.school_id, []), key=lambda x: x.position or 0)
    return ordered


def year_reports(
    session: Session, digest: UnitDigest, today: dt.date
) -> tuple[list[SchoolReport], list[str]]:
    """Each school's year-end report of its current-year plan (in the digest's order), and
    the names of the schools skipped for having no plan."""
    found = _plans(session, digest)
    reports: list[SchoolReport] = []
    skipped: list[str] = []
    for line in digest.schools:
        plan = found.get(line.school_id)
        school = session.get(School, line.school_id) if plan else None
        if plan is None or school is None:
            skipped.append(line.name)
            continue
        document = plans.plan_document(session, school, plan, today)
        rows_progress = progress.row_progress(session, plan.id, document.rows)
        tt57 = year_report.facts(session, plan, rows_progress)  # None for a 2018 plan
        reports.append(SchoolReport(school.id, school.name, document, rows_progress, tt57))
    return reports, skipped
