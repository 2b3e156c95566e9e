"""Which of a unit's schools have written their review at a checkpoint (the review summary).

- A Biểu 2 plan (TT57-2026) has a review table (section VI): the school has written its review
  of the checkpoint ("mid_year" = Cuối học kỳ I, "end_year" = Cuối năm học) when that
  `PlanReview` row has a content or a result.
- A 2018 plan has no review table: what stands for it is whether the owners reported in that
  period, i.e. since the checkpoint's owners' prompt (10/01, or the first end-of-year prompt
  15/05, by the school's own settings). The school has reviewed when every active row is done
  or has a report since then (`waiting` counts the rows that are neither); a plan without
  rows has not.
- A school without a plan for its current year is listed apart.

A few aggregate statements for all the unit's schools (no row loaded as an object).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.domain import school_settings
from bot.domain.notification_rules import Rules, day_in_year
from bot.domain.schoolyear import school_year_of
from bot.domain.templates import TT57
from bot.services import progress
from db.models import (
    Plan,
    PlanReview,
    PlanRow,
    ProgressStatus,
    RowStatus,
    School,
    SupervisingUnit,
    UnitSchool,
)

CHECKPOINTS = ("mid_year", "end_year")


@dataclass(frozen=True)
class SchoolReview:
    school_id: int
    name: str
    template: str | None  # None: no plan for the school's current year
    written: bool
    evaluator: str | None = None  # a Biểu 2 review: who reviewed, as written
    reported: int = 0  # a 2018 plan: rows with a report since the checkpoint's prompt
    waiting: int = 0  # … and rows neither done nor reported since then


@dataclass(frozen=True)
class ReviewSummary:
    unit_id: int
    unit_name: str
    checkpoint: str
    at: dt.datetime
    schools: tuple[SchoolReview, ...]  # by name

    @property
    def written(self) -> list[SchoolReview]:
        return [s for s in self.schools if s.written]

    @property
    def not_written(self) -> list[SchoolReview]:
        return [s for s in self.schools if s.template is not None and not s.written]

    @property
    def no_plan(self) -> list[SchoolReview]:
        return [s for s in self.schools if s.template is None]


def period_start(school_year: str, checkpoint: str, rules: Rules) -> dt.date:
    """The owners' prompt day that opens the checkpoint's period."""
    if checkpoint == "end_year" and rules.end_year:
        return min(day_in_year(school_year, d) for d in rules.end_year)
    return day_in_year(school_year, rules.mid_year)


def summary(
    session: Session, unit_id: int, checkpoint: str, at: dt.datetime
) -> ReviewSummary | None:
    """The unit's schools at `at` (aware) for that checkpoint; None when there is no unit."""
    if at.tzinfo is None:
        raise ValueError("aware datetimes only")
    if checkpoint not in CHECKPOINTS:
        raise ValueError(f"unknown checkpoint {checkpoint!r}")
    unit = session.get(SupervisingUnit, unit_id)
    if unit is None:
        return None
    schools: dict[int, tuple[str, str, dt.datetime]] = {}  # id → (name, year, period start)
    for school_id, name, timezone, settings in session.execute(
        select(School.id, School.name, School.timezone, School.settings)
        .join(UnitSchool, UnitSchool.school_id == School.id)
        .where(UnitSchool.unit_id == unit_id)
    ):
        tz = ZoneInfo(timezone)
        year = school_year_of(at.astimezone(tz).date())
        rules = school_settings.SchoolSettings.from_json(settings or {}).rules()
        start = dt.datetime.combine(period_start(year, checkpoint, rules), dt.time(), tz)
        schools[school_id] = (name, year, start)
    plans: dict[int, tuple[int, str]] = {}  # school id → (plan id, template)
    for plan_id, school_id, year, template in session.execute(
        select(Plan.id, Plan.school_id, Plan.school_year, Plan.template)
        .join(UnitSchool, UnitSchool.school_id == Plan.school_id)
        .where(UnitSchool.unit_id == unit_id)
    ):
        if schools[school_id][1] == year:
            plans[school_id] = (plan_id, template)
    tt57 = [plan_id for plan_id, template in plans.values() if template == TT57]
    reviews: dict[int, str | None] = {}
    if tt57:
        for plan_id, evaluator in session.execute(
            select(PlanReview.plan_id, PlanReview.evaluator).where(
                PlanReview.plan_id.in_(tt57),
                PlanReview.checkpoint == checkpoint,
                or_(
                    func.coalesce(PlanReview.content, "") != "",
                    func.coalesce(PlanReview.result, "") != "",
                ),
            )
        ):
            reviews[plan_id] = evaluator
    others = {pid: sid for sid, (pid, template) in plans.items() if template != TT57}
    reported, waiting, counted = _reported(session, others, schools)
    lines = []
    for school_id, (name, _year, _start) in schools.items():
        if school_id not in plans:
            lines.append(SchoolReview(school_id, name, None, False))
            continue
        plan_id, template = plans[school_id]
        if template == TT57:
            written = plan_id in reviews
            lines.append(SchoolReview(school_id, name, template, written, reviews.get(plan_id)))
            continue
        done, left = reported.get(plan_id, 0), waiting.get(plan_id, 0)
        written = left == 0 and counted.get(plan_id, 0) > 0
        lines.append(SchoolReview(school_id, name, template, written, None, done, left))
    lines.sort(key=lambda s: (s.name, s.school_id))
    local = at.astimezone(ZoneInfo(unit.timezone))
    return ReviewSummary(unit.id, unit.name, checkpoint, local, tuple(lines))


def _reported(
    session: Session, plans: dict[int, int], schools: dict[int, tuple[str, str, dt.datetime]]
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """For 2018 plans (plan id → school id), by plan: rows reported since the period's start,
    rows neither done nor reported since then, and active rows."""
    reported: dict[int, int] = defaultdict(int)
    waiting: dict[int, int] = defaultdict(int)
    rows: dict[int, int] = defaultdict(int)
    if not plans:
        return reported, waiting, rows
    wanted = PlanRow.plan_id.in_(list(plans)) & (PlanRow.status == RowStatus.ACTIVE)
    latest = progress.latest_statuses_in(session, wanted)
    last = progress.last_report_times(session, wanted)
    for row_id, plan_id in session.execute(select(PlanRow.id, PlanRow.plan_id).where(wanted)):
        start = schools[plans[plan_id]][2]
        rows[plan_id] += 1
        when = last.get(row_id)
        if when is not None and when >= start:
            reported[plan_id] += 1
        elif latest.get(row_id) != ProgressStatus.DONE:
            waiting[plan_id] += 1
    return reported, waiting, rows
