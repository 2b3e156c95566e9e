"""A unit's view of its schools at one moment: who has a plan, what is done, late or stuck.

One line per linked school (`SchoolLine`), read with a few aggregate statements for all the
unit's schools at once (a province has a thousand schools and fifty thousand rows: nothing
here loads a row as an object). The counts mean what they mean in the principal's digest
(`bot.services.digest`):

- a row's status is its owners' latest report; a row nobody has reported on is "not started";
- overdue: due before today (the school's), not done, its date not awaiting the writer's
  confirmation, and not every owner on leave;
- silent owners: the active owners of rows that are not done and have had no report since the
  last prompt day (`digest.silent_since`);
- indicator 1.4 (`indicator_14`): (tasks completed, tasks): completed as column (10) of Biểu 2
  counts it (`plan_json.completed`: done, or "Hoàn thành" as written in an imported plan
  nobody has reported on yet); for a 2018 plan, the rows done.

`UnitDigest.json()` is the command line's contract (`caitien unit digest`), in the order the
chat shows the schools: those needing attention first (`SchoolLine.attention`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    func,
    not_,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from bot.domain import school_settings
from bot.domain.parsing import BEFORE_SCHOOL_YEAR, CONFIRMED
from bot.domain.schoolyear import school_year_of
from bot.domain.templates import TT57, template_of
from bot.services.digest import silent_since
from db.models import (
    Member,
    Plan,
    PlanRow,
    ProgressReport,
    ProgressStatus,
    RowOwner,
    RowStatus,
    School,
    SupervisingUnit,
    UnitSchool,
)


@dataclass(frozen=True)
class PlanLine:
    school_year: str
    template: str
    rows: int


@dataclass(frozen=True)
class SchoolLine:
    school_id: int
    name: str
    plan: PlanLine | None  # the plan of the school's current year
    done: int
    in_progress: int
    not_started: int  # no report yet included
    difficulty: int
    overdue: int
    indicator_14: tuple[int, int]  # (completed, total)
    last_report_at: dt.datetime | None
    silent_owners: tuple[str, ...]

    def attention(self) -> tuple[int, int, int, int, float, str]:
        """Sort key, most in need first: no plan, then difficulties, overdue rows, silent
        owners, then the smallest share done; by name last."""
        rows = self.plan.rows if self.plan else 0
        share = self.done / rows if rows else 0.0
        return (
            0 if self.plan is None else 1,
            -self.difficulty,
            -self.overdue,
            -len(self.silent_owners),
            share,
            self.name,
        )

    def json(self) -> dict[str, Any]:
        return {
            "school_id": self.school_id,
            "name": self.name,
            "plan": (
                {
                    "school_year": self.plan.school_year,
                    "template": self.plan.template,
                    "rows": self.plan.rows,
                }
                if self.plan
                else None
            ),
            "done": self.done,
            "in_progress": self.in_progress,
            "not_started": self.not_started,
            "difficulty": self.difficulty,
            "overdue": self.overdue,
            "indicator_14": list(self.indicator_14),
            "last_report_at": self.last_report_at.isoformat() if self.last_report_at else None,
            "silent_owners": list(self.silent_owners),
        }


@dataclass(frozen=True)
class UnitDigest:
    unit_id: int
    name: str
    kind: str
    at: dt.datetime  # aware, in the unit's timezone
    schools: tuple[SchoolLine, ...]  # attention first

    def json(self) -> dict[str, Any]:
        return {
            "unit": {
                "unit_id": self.unit_id,
                "name": self.name,
                "kind": self.kind,
                "at": self.at.isoformat(),
            },
            "schools": [s.json() for s in self.schools],
        }


@dataclass
class _School:
    id: int
    name: str
    tz: ZoneInfo
    today: dt.date
    year: str
    since: dt.datetime  # the last prompt day's start, aware
    plan: tuple[int, str] | None = None  # (plan id, template)


def _latest_reports(plan_ids: list[int]) -> Any:
    """Each row's latest report (status, time), the rows of these plans only: a common table
    expression, computed once for the counts and the silent owners (`_read`)."""
    ranked = (
        select(
            ProgressReport.row_id.label("row_id"),
            ProgressReport.status.label("status"),
            ProgressReport.created_at.label("created_at"),
            func.row_number()
            .over(
                partition_by=ProgressReport.row_id,
                order_by=(ProgressReport.created_at.desc(), ProgressReport.id.desc()),
            )
            .label("n"),
        )
        .join(PlanRow, PlanRow.id == ProgressReport.row_id)
        .where(PlanRow.plan_id.in_(plan_ids))
        .subquery()
    )
    return (
        select(ranked.c.row_id, ranked.c.status, ranked.c.created_at)
        .where(ranked.c.n == 1)
        .cte("latest")
    )


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _awaiting_confirmation() -> ColumnElement[bool]:
    """`parsing.awaits_confirmation` in SQL (the flags are a JSON list of words)."""
    flags = cast(PlanRow.timeline_flags, String)
    return and_(flags.like(f'%"{BEFORE_SCHOOL_YEAR}"%'), not_(flags.like(f'%"{CONFIRMED}"%')))


def _presence(plan_ids: list[int], today: dt.date) -> Any:
    """Per row with owners, how many of them are not on leave today, as a subquery (a row whose
    owners are all away is not counted late; a row with no owner is). A join, not a correlated
    EXISTS per row: with one, PostgreSQL's planner costs the grouped statement so high that it
    JIT-compiles it, which took longer than running it."""
    return (
        select(
            RowOwner.row_id.label("row_id"),
            _count(or_(Member.on_leave_until.is_(None), Member.on_leave_until < today)).label(
                "present"
            ),
        )
        .join(Member, Member.id == RowOwner.member_id)
        .join(PlanRow, PlanRow.id == RowOwner.row_id)
        .where(PlanRow.plan_id.in_(plan_ids))
        .group_by(RowOwner.row_id)
        .subquery("presence")
    )


def build(session: Session, unit_id: int, at: dt.datetime) -> UnitDigest | None:
    """The unit's schools at `at` (aware); None when there is no such unit."""
    if at.tzinfo is None:
        raise ValueError("aware datetimes only")
    unit = session.get(SupervisingUnit, unit_id)
    if unit is None:
        return None
    schools: dict[int, _School] = {}
    for school_id, name, timezone, settings in session.execute(
        select(School.id, School.name, School.timezone, School.settings)
        .join(UnitSchool, UnitSchool.school_id == School.id)
        .where(UnitSchool.unit_id == unit_id)
    ):
        tz = ZoneInfo(timezone)
        today = at.astimezone(tz).date()
        year = school_year_of(today)
        rules = school_settings.SchoolSettings.from_json(settings or {}).rules()
        since = silent_since(year, today, rules)
        schools[school_id] = _School(
            school_id, name, tz, today, year, dt.datetime.combine(since, dt.time(), tz)
        )
    years = {s.year for s in schools.values()}
    for plan_id, school_id, year, template in session.execute(
        select(Plan.id, Plan.school_id, Plan.school_year, Plan.template)
        .join(UnitSchool, UnitSchool.school_id == Plan.school_id)
        .where(UnitSchool.unit_id == unit_id, Plan.school_year.in_(years))
    ):
        if schools[school_id].year == year:
            schools[school_id].plan = (plan_id, template)
    by_plan = {s.plan[0]: s for s in schools.values() if s.plan}
    counts, silent = _read(session, list(by_plan.values()))
    tt57_done = _tt57_written_done(
        session, [pid for pid, s in by_plan.items() if s.plan and s.plan[1] == TT57]
    )
    lines = []
    for school in schools.values():
        if school.plan is None:
            lines.append(SchoolLine(school.id, school.name, None, 0, 0, 0, 0, 0, (0, 0), None, ()))
            continue
        plan_id, template = school.plan
        rows, done, in_progress, not_started, difficulty, overdue, last = counts.get(
            plan_id, (0, 0, 0, 0, 0, 0, None)
        )
        lines.append(
            SchoolLine(
                school.id,
                school.name,
                PlanLine(school.year, template, rows),
                done,
                in_progress,
                not_started,
                difficulty,
                overdue,
                (done + tt57_done.get(plan_id, 0), rows),
                last,
                tuple(sorted(silent.get(plan_id, ()))),
            )
        )
    lines.sort(key=SchoolLine.attention)
    local = at.astimezone(ZoneInfo(unit.timezone))
    return UnitDigest(unit.id, unit.name, unit.kind, local, tuple(lines))


def _groups(schools: list[_School]) -> dict[tuple[dt.date, dt.datetime], list[int]]:
    """Plans grouped by (today, since): one statement per group (one, in a province)."""
    groups: dict[tuple[dt.date, dt.datetime], list[int]] = defaultdict(list)
    for school in schools:
        assert school.plan is not None
        groups[(school.today, school.since)].append(school.plan[0])
    return groups


_Counts = tuple[int, int, int, int, int, int, dt.datetime | None]


def _read(
    session: Session, schools: list[_School]
) -> tuple[dict[int, _Counts], dict[int, set[str]]]:
    """Per plan the counts, and the silent owners' names: one statement per group, its two
    halves (one line per plan; one per plan and silent owner) sharing the latest reports."""
    found: dict[int, _Counts] = {}
    silent: dict[int, set[str]] = defaultdict(set)
    for (today, since), plan_ids in _groups(schools).items():
        latest = _latest_reports(plan_ids)
        presence = _presence(plan_ids, today)
        status = latest.c.status
        open_ = func.coalesce(status, "") != ProgressStatus.DONE
        counts = (
            select(
                PlanRow.plan_id,
                func.count(PlanRow.id),
                _count(status == ProgressStatus.DONE),
                _count(status == ProgressStatus.IN_PROGRESS),
                _count(or_(status.is_(None), status == ProgressStatus.NOT_STARTED)),
                _count(status == ProgressStatus.DIFFICULTY),
                _count(
                    and_(
                        PlanRow.due_date < today,
                        open_,
                        not_(_awaiting_confirmation()),
                        or_(presence.c.row_id.is_(None), presence.c.present > 0),
                    )
                ),
                func.max(latest.c.created_at),
                null(),
            )
            .outerjoin(latest, latest.c.row_id == PlanRow.id)
            .outerjoin(presence, presence.c.row_id == PlanRow.id)
            .where(PlanRow.plan_id.in_(plan_ids), PlanRow.status == RowStatus.ACTIVE)
            .group_by(PlanRow.plan_id)
        )
        names = (
            select(PlanRow.plan_id, *(null() for _ in range(7)), Member.display_name)
            .join(RowOwner, RowOwner.row_id == PlanRow.id)
            .join(Member, Member.id == RowOwner.member_id)
            .outerjoin(latest, latest.c.row_id == PlanRow.id)
            .where(
                PlanRow.plan_id.in_(plan_ids),
                PlanRow.status == RowStatus.ACTIVE,
                Member.active.is_(True),
                open_,
                or_(latest.c.created_at.is_(None), latest.c.created_at < since),
            )
            .group_by(PlanRow.plan_id, Member.display_name)
        )
        line: Any
        for line in session.execute(union_all(counts, names)):
            plan_id, *values, name = line
            if name is not None:  # a silent owner
                silent[plan_id].add(name)
                continue
            rows, done, in_progress, not_started, difficulty, overdue, last = values
            found[plan_id] = (
                int(rows),
                int(done),
                int(in_progress),
                int(not_started),
                int(difficulty),
                int(overdue),
                last,
            )
    return found, silent


def _tt57_written_done(session: Session, plan_ids: list[int]) -> dict[int, int]:
    """Rows of these Biểu 2 plans nobody has reported on whose column (10) was written "Hoàn
    thành" (an imported plan): completed for indicator 1.4."""
    if not plan_ids:
        return {}
    word = " ".join((template_of(TT57).implementation("done") or "").split()).casefold()
    reported = select(ProgressReport.row_id).where(ProgressReport.row_id == PlanRow.id)
    found: dict[int, int] = defaultdict(int)
    for plan_id, text in session.execute(
        select(PlanRow.plan_id, PlanRow.implementation_text).where(
            PlanRow.plan_id.in_(plan_ids),
            PlanRow.status == RowStatus.ACTIVE,
            PlanRow.implementation_text.is_not(None),
            ~reported.exists(),
        )
    ):
        if word and " ".join((text or "").split()).casefold() == word:
            found[plan_id] += 1
    return found
