"""The principal's digest: where the plan stands, what is late or stuck, who is silent.

Pure domain code (no Telegram): `build` reads the plan of the school year containing a moment,
`render` writes it as view parts, `chart_png` draws rows by status per standard (matplotlib's
object API with the Agg canvas: no pyplot global state, safe in the bot's threads).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot import plans, progress, schedule, school_settings
from bot.i18n import N_, Translator
from bot.schedule import Rules
from bot.schoolyear import school_year_of
from bot.views import Part, bold, italic, plain
from db.models import Member, PlanRow, ProgressReport, ProgressStatus, RowOwner, RowStatus, School

NO_REPORT = "no_report"
KEYS = (
    ProgressStatus.DONE,
    ProgressStatus.IN_PROGRESS,
    ProgressStatus.DIFFICULTY,
    ProgressStatus.NOT_STARTED,
    NO_REPORT,
)
NO_REPORT_LABEL = N_("no report yet")
COLOURS = {
    ProgressStatus.DONE: "#2e7d32",
    ProgressStatus.IN_PROGRESS: "#1565c0",
    ProgressStatus.DIFFICULTY: "#e65100",
    ProgressStatus.NOT_STARTED: "#9e9e9e",
    NO_REPORT: "#e0e0e0",
}


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


def _label(row: PlanRow) -> str:
    text = " ".join((row.expected_result or row.criterion_text or "").split())
    label = f"{row.criterion_code or '?'} — {text}".strip(" —")
    return label if len(label) <= 70 else label[:69].rstrip() + "…"


def silent_since(school_year: str, today: dt.date, rules: Rules) -> dt.date:
    """The last prompt day (mid-year, end-of-year) on or before today, else the year's start
    (01/08): a row not done with no report since then is "silent"."""
    since = dt.date(int(school_year[:4]), 8, 1)
    for day in schedule.prompt_days(school_year, rules)[:2]:  # the reminder is no new prompt
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
            _label(row),
            row.due_date,
            tuple(o.member.display_name for o in owners),
            status,
            last.text if last else None,
        )
        everyone_away = bool(owners) and all(on_leave(o.member) for o in owners)
        late = bool(row.due_date and row.due_date < today and status != ProgressStatus.DONE)
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
    )


def status_label(t: Translator, key: str) -> str:
    if key == NO_REPORT:
        return t._(NO_REPORT_LABEL)
    return t._(progress.STATUS_LABELS[ProgressStatus(key)])


def _line(t: Translator, row: DigestRow, due: bool = True) -> str:
    owners = ", ".join(row.owners) or t._("no owner")
    when = f" · {t._('due {date}').format(date=t.date(row.due))}" if due and row.due else ""
    return f"\n• {row.position}. {row.label} — {owners}{when}"


def render(t: Translator, digest: Digest) -> list[Part]:
    """The digest as text parts (split cleanly when sent)."""
    at = t.date(digest.at.date())
    parts: list[Part] = [
        bold("📊 " + t._("Digest of {school}, {date}").format(school=digest.school_name, date=at)),
        plain(
            "\n"
            + t.ngettext(
                "School year {year}: {n} row in the plan.",
                "School year {year}: {n} rows in the plan.",
                digest.total,
            ).format(year=digest.school_year, n=digest.total)
        ),
    ]
    for key in KEYS:
        parts.append(plain(f"\n• {status_label(t, key).capitalize()}: {digest.counts[key]}"))
    if digest.overdue:
        parts.append(bold("\n\n⏰ " + t._("Overdue ({n}):").format(n=len(digest.overdue))))
        parts += [plain(_line(t, r)) for r in digest.overdue]
    else:
        parts.append(plain("\n\n✅ " + t._("Nothing is overdue.")))
    if digest.difficulties:
        parts.append(bold("\n\n⚠️ " + t._("Difficulties ({n}):").format(n=len(digest.difficulties))))
        for row in digest.difficulties:
            parts.append(plain(_line(t, row, due=False)))
            if row.text:
                parts.append(italic(f"\n   “{row.text}”"))
    if digest.silent:
        parts.append(
            bold(
                "\n\n🔇 "
                + t._("No report since {date} ({n}):").format(
                    date=t.date(digest.silent_since), n=len(digest.silent)
                )
            )
        )
        parts += [plain(_line(t, r, due=False)) for r in digest.silent]
    parts.append(
        plain(
            "\n\n💰 " + t._("Budget planned: {amount}.").format(amount=t.money(digest.budget_vnd))
        )
    )
    if digest.budget_unread:
        parts.append(
            italic(
                " "
                + t.ngettext(
                    "({n} row's budget could not be read as an amount.)",
                    "({n} rows' budgets could not be read as amounts.)",
                    digest.budget_unread,
                ).format(n=digest.budget_unread)
            )
        )
    if digest.not_joined:
        parts.append(
            plain(
                "\n👤 "
                + t._("Not on Telegram yet (they get no reminders): {names}.").format(
                    names=", ".join(digest.not_joined)
                )
            )
        )
    if digest.on_leave:
        parts.append(
            plain("\n🏖 " + t._("On leave: {names}.").format(names=", ".join(digest.on_leave)))
        )
    return parts


def chart_png(t: Translator, digest: Digest) -> bytes:
    """Rows by status per standard: horizontal stacked bars, as a PNG of about 800×450."""
    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    standards = list(digest.by_standard) or [0]
    names = [t._("Standard {n}").format(n=s) if s else t._("Level 4, other") for s in standards]
    left = [0] * len(standards)
    for key in KEYS:
        values = [digest.by_standard.get(s, {}).get(key, 0) for s in standards]
        axes.barh(names, values, left=left, color=COLOURS[key], label=status_label(t, key))
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel(t._("rows"))
    axes.set_title(
        t._("{school}: rows by status, {date}").format(
            school=digest.school_name, date=t.date(digest.at.date())
        )
    )
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="lower right", fontsize="small")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()
