"""The principal's digest: where the plan stands, what is late or stuck, who is silent.

`build` reads the plan of the school year containing a moment into plain data (`Digest`);
`bot.ui.digest_view` writes it as text and draws its chart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.domain import notification_rules, school_settings
from bot.domain.notification_rules import Rules
from bot.domain.parsing import awaits_confirmation
from bot.domain.rowname import name, row_name
from bot.domain.schoolyear import school_year_of
from bot.domain.templates import TT57
from bot.services import plan_json, plans
from db.models import Member, PlanRow, ProgressReport, ProgressStatus, RowOwner, RowStatus, School

NO_REPORT = "no_report"
KEYS = (
    ProgressStatus.DONE,
    ProgressStatus.IN_PROGRESS,
    ProgressStatus.DIFFICULTY,
    ProgressStatus.NOT_STARTED,
    NO_REPORT,
)


@dataclass(frozen=True)
class DigestRow:
    row_id: int
    position: int | None
    label: str
    due: dt.date | None
    owners: tuple[str, ...]
    status: str | None
    text: str | None


@dataclass(frozen=True)
class Digest:
    school_name: str
    school_year: str
    at: dt.datetime  # aware, in the school's timezone
    total: int
    counts: dict[str, int]
    by_standard: dict[int, dict[str, int]]
    overdue: tuple[DigestRow, ...]
    difficulties: tuple[DigestRow, ...]
    silent: tuple[DigestRow, ...]
    silent_since: dt.date
    budget_vnd: int
    budget_unread: int
    not_joined: tuple[str, ...]
    on_leave: tuple[str, ...]
    # A TT57-2026 plan's criterion 1.4 indicator: (tasks completed, tasks in the plan); None
    # for a 2018 plan, whose digest does not show it.
    indicator_14: tuple[int, int] | None = None


def _label(row: PlanRow, tt57: bool = False) -> str:
    """ "1.4 — Xây dựng kế hoạch…"; a TT57 row by its Nội dung cải tiến (2), its title there."""
    if tt57:
        return name(
            row.criterion_code, row.content or row.expected_result or row.criterion_text, 70
        )
    return row_name(row, 70)


def silent_since(school_year: str, today: dt.date, rules: Rules) -> dt.date:
    """The last prompt day (mid-year, end-of-year) on or before today, else the year's start
    (01/08): a row not done with no report since then is "silent"."""
    since = dt.date(int(school_year[:4]), 8, 1)
    for day in notification_rules.prompt_days(school_year, rules)[
        :2
    ]:  # the reminder is no new prompt
        if day <= today:
            since = day
    return since


def build(session: Session, school: School, at: dt.datetime) -> Digest | None:
    """The digest of the plan whose school year contains `at` (school timezone); None if none."""
    if at.tzinfo is None:
        raise ValueError("aware datetimes only")
    tz = ZoneInfo(school.timezone)
    today = at.astimezone(tz).date()
    year = school_year_of(today)
    plan = plans.find_plan(session, school.id, year)
    if plan is None:
        return None
    rows = list(
        session.scalars(
            select(PlanRow)
            .where(PlanRow.plan_id == plan.id, PlanRow.status == RowStatus.ACTIVE)
            .options(selectinload(PlanRow.owners).selectinload(RowOwner.member))
            .order_by(PlanRow.position)
        )
    )
    reports: dict[int, list[ProgressReport]] = defaultdict(list)
    if rows:
        for report in session.scalars(
            select(ProgressReport)
            .where(ProgressReport.row_id.in_([r.id for r in rows]))
            .order_by(ProgressReport.created_at, ProgressReport.id)
        ):
            reports[report.row_id].append(report)
    since = silent_since(year, today, school_settings.load(school).rules())
    counts = dict.fromkeys(KEYS, 0)
    by_standard: dict[int, dict[str, int]] = {}
    overdue, difficulties, silent = [], [], []
    budget, unread = 0, 0

    def on_leave(member: Member) -> bool:
        return member.on_leave_until is not None and member.on_leave_until >= today

    for row in rows:
        history = reports[row.id]
        last = history[-1] if history else None
        status = last.status if last else None
        key = status or NO_REPORT
        counts[key] += 1
        by_standard.setdefault(row.standard or 0, dict.fromkeys(KEYS, 0))[key] += 1
        owners = sorted(row.owners, key=lambda o: not o.is_lead)
        item = DigestRow(
            row.id,
            row.position,
            _label(row, plan.template == TT57),
            row.due_date,
            tuple(o.member.display_name for o in owners),
            status,
            last.text if last else None,
        )
        everyone_away = bool(owners) and all(on_leave(o.member) for o in owners)
        late = bool(row.due_date and row.due_date < today and status != ProgressStatus.DONE)
        late = late and not awaits_confirmation(row.timeline_flags)  # last year's date?
        if late and not everyone_away:  # someone on leave is not counted late
            overdue.append(item)
        if status == ProgressStatus.DIFFICULTY:
            difficulties.append(item)
        if status != ProgressStatus.DONE and not any(
            r.created_at.astimezone(tz).date() >= since for r in history
        ):
            silent.append(item)
        budget += row.budget_vnd or 0
        if (row.budget_text or "").strip() and row.budget_vnd is None:
            unread += 1
    owners_of_rows = {o.member for row in rows for o in row.owners}
    members = session.scalars(
        select(Member).where(Member.school_id == school.id, Member.active.is_(True))
    ).all()
    return Digest(
        school_name=school.name,
        school_year=year,
        at=at.astimezone(tz),
        total=len(rows),
        counts={str(k): v for k, v in counts.items()},
        by_standard={  # standards in order; Mức 4 and rows with no standard (0) last
            s: {str(k): v for k, v in c.items()}
            for s, c in sorted(by_standard.items(), key=lambda item: (item[0] == 0, item[0]))
        },
        overdue=tuple(sorted(overdue, key=lambda r: (r.due or dt.date.max, r.position or 0))),
        difficulties=tuple(difficulties),
        silent=tuple(silent),
        silent_since=since,
        budget_vnd=budget,
        budget_unread=unread,
        not_joined=tuple(
            sorted(m.display_name for m in owners_of_rows if m.active and m.person_id is None)
        ),
        on_leave=tuple(sorted(m.display_name for m in members if on_leave(m))),
        indicator_14=plan_json.indicator_14(session, plan) if plan.template == TT57 else None,
    )
