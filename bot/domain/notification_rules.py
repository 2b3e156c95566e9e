"""The schedule rules: which reminder or prompt is due for whom, and when (docs/design.md §2).

Pure functions of the plan, its owners and a time window, so the scheduler, `caitien notify
preview` and the tests compute the same thing with any clock. Every moment is timezone-aware in
the school's zone.

Rules (defaults, per school):
- before a row's due date: 14 and 3 days before, and on the day; then every 7 days while overdue
  and not done, at most 4 times (due + 7, + 14, + 21, + 28). A row with no date is due on the last
  day of the school year (31/05);
- mid-year prompt (10/01) to every owner who has a row not done, once per owner;
- end-of-year prompt (15/05) and its reminder (25/05) likewise (personal reports due 30/05);
- for a TT57 plan, the review invitation (`review`, Biểu 2 section VI) to the principal and
  vice-principals a week after each review moment's owners' prompt (mid-year 10/01 → 17/01,
  the first end-of-year prompt 15/05 → 22/05), so the owners have reported first;
- a weekly digest to the principal (Monday 07:30); the first one in June carries the
  end-of-year summary and the report document (`is_year_summary`);
- everything else goes out at 08:00 local time; what falls in quiet hours (20:00–07:00) waits
  for 07:00; nothing is sent on school holidays (it waits for the first day after); a member on
  leave gets no nudges until their leave ends;
- one digest per principal per week: digests a holiday pushes into a week that has one already
  (Tết: three Mondays land on the first day back) are one digest, not three.

Checked again at send time (`stale`, `too_soon`), after downtime or a wait:
- a prompt whose period has ended is not sent late: the mid-year prompt once the end-of-year
  prompts have begun, an end-of-year prompt after personal reports were due (30/05);
- a member gets at most one reminder about a row in 24 hours (the text is made at send time,
  so a late 14-day reminder sent 3 days before says 3 days, and the 3-day one is then skipped).

Notices made by events (a difficulty, an assignment, a join) are not held by quiet hours or
holidays: they go at once, without sound inside quiet hours (`silent`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.domain.schoolyear import end_of_school_year, school_year_of

DUE_SOON = "due_soon"
DUE_TODAY = "due_today"
OVERDUE = "overdue"
MID_YEAR = "mid_year"
END_YEAR = "end_year"
DIGEST = "digest"
REVIEW = "review"  # a TT57 plan's review turn (section VI), to the principal and vice-principals
REPORTS_DUE = (5, 30)  # (month, day) personal end-of-year reports are due
REMINDER_GAP = dt.timedelta(hours=24)  # at most one reminder about a row per member in this
PERIOD_ENDED = "period_ended"
REMINDED_RECENTLY = "reminded_recently"
DIGEST_THIS_WEEK = "digest_this_week"


@dataclass(frozen=True)
class Rules:
    send_time: dt.time = dt.time(8, 0)
    days_before: tuple[int, ...] = (14, 3)
    overdue_every_days: int = 7
    overdue_times: int = 4
    mid_year: tuple[int, int] = (1, 10)  # (month, day)
    end_year: tuple[tuple[int, int], ...] = ((5, 15), (5, 25))
    digest_weekday: int = 0  # Monday
    digest_time: dt.time = dt.time(7, 30)
    quiet_from: dt.time = dt.time(20, 0)
    quiet_until: dt.time = dt.time(7, 0)
    holidays: tuple[tuple[dt.date, dt.date], ...] = ()  # inclusive ranges, e.g. Tết
    # The review invitation waits this long after the owners' prompt, so they report first.
    review_after_days: int = 7

    @property
    def max_shift(self) -> dt.timedelta:
        """How far `adjust` can move a planned day forward (quiet hours, the longest holiday,
        and a day for holidays that touch)."""
        longest = max(((end - start).days + 1 for start, end in self.holidays), default=0)
        return dt.timedelta(days=2 + 2 * longest)

    @property
    def reach(self) -> tuple[dt.timedelta, dt.timedelta]:
        """A row's reminders fall from `due - before` to `due + after`."""
        before = dt.timedelta(days=max(self.days_before, default=0))
        after = dt.timedelta(days=self.overdue_every_days * self.overdue_times)
        return before, after


@dataclass(frozen=True)
class Owner:
    member_id: int
    on_leave_until: dt.date | None = None


@dataclass(frozen=True)
class RowFacts:
    row_id: int
    position: int | None
    due: dt.date | None
    done: bool
    owners: tuple[Owner, ...] = ()
    # Its timeline ends before the school year and nobody confirmed it yet: no deadline
    # reminders (the date is likely last year's plan copied over), prompts still come.
    unconfirmed: bool = False


@dataclass(frozen=True)
class Notification:
    kind: str
    row_id: int | None
    position: int | None
    member_id: int
    send_at: dt.datetime
    day: dt.date = field(compare=False)  # the planned day: part of the outbox key

    @property
    def key(self) -> str:
        """Unique per kind, row, member and planned day: materialising twice adds nothing."""
        return f"{self.kind}:{self.row_id or '-'}:{self.member_id}:{self.day.isoformat()}"

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "row": self.position,
            "member_id": self.member_id,
            "send_at": self.send_at.isoformat(),
        }


def day_in_year(school_year: str, month_day: tuple[int, int]) -> dt.date:
    """A (month, day) of the school year: August–December in its first calendar year."""
    month, day = month_day
    year = int(school_year[:4]) if month >= 8 else int(school_year[5:])
    return dt.date(year, month, day)


def prompt_days(school_year: str, rules: Rules) -> list[dt.date]:
    """The mid-year and end-of-year prompt days of a school year, in order."""
    return sorted(day_in_year(school_year, d) for d in (rules.mid_year, *rules.end_year))


def review_days(school_year: str, rules: Rules) -> dict[str, dt.date]:
    """The planned days of a TT57 plan's two review invitations, by checkpoint: the mid-year
    prompt day and the first end-of-year prompt day, each `review_after_days` later."""
    after = dt.timedelta(days=rules.review_after_days)
    days = {"mid_year": day_in_year(school_year, rules.mid_year) + after}
    if rules.end_year:
        days["end_year"] = day_in_year(school_year, min(rules.end_year, key=_order)) + after
    return days


def _order(month_day: tuple[int, int]) -> tuple[int, int]:
    """A (month, day) in school-year order: August first."""
    month, day = month_day
    return (month - 8) % 12, day


def review_checkpoint(school_year: str, day: dt.date, rules: Rules) -> str:
    """Which review a day belongs to: before the end-of-year moment (the first end-of-year
    prompt day) the mid-year one, from it on the end-of-year one."""
    if not rules.end_year:
        return "mid_year"
    moment = day_in_year(school_year, min(rules.end_year, key=_order))
    return "end_year" if day >= moment else "mid_year"


def _holiday(day: dt.date, rules: Rules) -> bool:
    return any(start <= day <= end for start, end in rules.holidays)


def adjust(moment: dt.datetime, rules: Rules) -> dt.datetime:
    """Move a moment out of quiet hours (to 07:00) and off holidays (same time, next day)."""
    local = moment
    while True:
        if local.time() >= rules.quiet_from:
            local = (local + dt.timedelta(days=1)).replace(
                hour=rules.quiet_until.hour,
                minute=rules.quiet_until.minute,
                second=0,
                microsecond=0,
            )
        elif local.time() < rules.quiet_until:
            local = local.replace(
                hour=rules.quiet_until.hour,
                minute=rules.quiet_until.minute,
                second=0,
                microsecond=0,
            )
        if not _holiday(local.date(), rules):
            return local
        local += dt.timedelta(days=1)


def _at(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz)


def _on_leave(owner: Owner, day: dt.date) -> bool:
    return owner.on_leave_until is not None and day <= owner.on_leave_until


def planned(
    rows: Iterable[RowFacts],
    principals: Iterable[int],
    school_year: str,
    tz: ZoneInfo,
    rules: Rules = Rules(),
    window: tuple[dt.datetime, dt.datetime] | None = None,
    reviewers: Iterable[int] = (),
) -> list[Notification]:
    """Everything the school year holds, before the window and the catch-up rule are applied.

    `reviewers` (the principal and vice-principals, for a TT57 plan only) get the review
    invitations.

    With `window`, days that cannot land in it are dropped early (the materialiser reads a
    whole province's plans; only a few days' worth of items is wanted).
    """
    rows = list(rows)
    first, second = int(school_year[:4]), int(school_year[5:])
    items: list[Notification] = []
    low = window[0].astimezone(tz).date() - rules.max_shift if window else dt.date.min
    high = window[1].astimezone(tz).date() if window else dt.date.max
    before, after = rules.reach

    def add(
        kind: str, row: RowFacts | None, owner: Owner, day: dt.date, time: dt.time | None = None
    ) -> None:
        if not low <= day <= high or _on_leave(owner, day):
            return
        moment = adjust(_at(day, time or rules.send_time, tz), rules)
        items.append(
            Notification(
                kind,
                row.row_id if row else None,
                row.position if row else None,
                owner.member_id,
                moment,
                day,
            )
        )

    for row in rows:
        if row.done or row.unconfirmed:
            continue
        due = row.due or end_of_school_year(school_year)
        if due + after < low or due - before > high:
            continue  # none of its reminders can land in the window
        for owner in row.owners:
            for days in rules.days_before:
                add(DUE_SOON, row, owner, due - dt.timedelta(days=days))
            add(DUE_TODAY, row, owner, due)
            for n in range(1, rules.overdue_times + 1):
                add(OVERDUE, row, owner, due + dt.timedelta(days=n * rules.overdue_every_days))
    open_owners: dict[int, Owner] = {}
    for row in rows:
        if not row.done:
            for owner in row.owners:
                open_owners.setdefault(owner.member_id, owner)
    for owner in open_owners.values():
        add(MID_YEAR, None, owner, day_in_year(school_year, rules.mid_year))
        for month_day in rules.end_year:
            add(END_YEAR, None, owner, day_in_year(school_year, month_day))
    for day in review_days(school_year, rules).values():
        for reviewer in dict.fromkeys(reviewers):
            add(REVIEW, None, Owner(reviewer), day)
    digest_day = dt.date(first, 8, 1)
    while digest_day.weekday() != rules.digest_weekday:
        digest_day += dt.timedelta(days=1)
    while digest_day <= dt.date(second, 7, 31):
        for principal in principals:
            add(DIGEST, None, Owner(principal), digest_day, rules.digest_time)
        digest_day += dt.timedelta(days=7)
    items = one_digest_a_week(items)
    return sorted(items, key=lambda n: (n.send_at, n.kind, n.position or 0, n.member_id))


def week_of(moment: dt.datetime) -> tuple[int, int]:
    """The ISO (year, week) of a local moment: Monday to Sunday."""
    year, week, _ = moment.isocalendar()
    return year, week


def one_digest_a_week(items: list[Notification]) -> list[Notification]:
    """Of one principal's digests that land in the same week (a holiday pushed them there),
    one: the end-of-year summary if it is among them, else the latest planned."""
    best: dict[tuple[int, tuple[int, int]], Notification] = {}
    for item in items:
        if item.kind != DIGEST:
            continue
        group = (item.member_id, week_of(item.send_at))
        kept = best.get(group)
        if kept is None or _rank(item) > _rank(kept):
            best[group] = item
    chosen = {id(n) for n in best.values()}
    return [n for n in items if n.kind != DIGEST or id(n) in chosen]


def _rank(item: Notification) -> tuple[bool, dt.date]:
    return is_year_summary(item.day), item.day


def is_year_summary(day: dt.date) -> bool:
    """The first digest in June (its planned day) is the end-of-year summary (docs/design.md §2)."""
    return day.month == 6 and day.day <= 7


def stale(kind: str, day: dt.date, today: dt.date, rules: Rules) -> bool:
    """A prompt planned for `day` whose period has ended by `today` (checked at send time):
    the mid-year prompt once the end-of-year prompts have begun, an end-of-year prompt after
    the personal reports were due."""
    school_year = school_year_of(day)
    if kind == MID_YEAR:
        begun = min(day_in_year(school_year, d) for d in rules.end_year) if rules.end_year else None
        return begun is not None and today >= begun
    if kind == END_YEAR:
        return today > day_in_year(school_year, REPORTS_DUE)
    if kind == REVIEW and review_checkpoint(school_year, day, rules) == "mid_year":
        return stale(MID_YEAR, day, today, rules)  # the end-of-year moment has come
    return False


def too_soon(last_sent: dt.datetime | None, now: dt.datetime) -> bool:
    """A reminder about a row already reached this member less than 24 hours ago."""
    return last_sent is not None and now - last_sent < REMINDER_GAP


def quiet(moment: dt.datetime, rules: Rules) -> bool:
    """Inside quiet hours (a local moment): what is sent at once then goes without sound."""
    if rules.quiet_from > rules.quiet_until:  # across midnight, e.g. 20:00–07:00
        return moment.time() >= rules.quiet_from or moment.time() < rules.quiet_until
    return rules.quiet_from <= moment.time() < rules.quiet_until


def due_between(
    items: list[Notification], start: dt.datetime, end: dt.datetime
) -> list[Notification]:
    """What falls in (start, end]."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("aware datetimes only")
    return [n for n in items if start < n.send_at <= end]


REMINDERS = (DUE_SOON, DUE_TODAY, OVERDUE)


def catch_up_group(item: Notification) -> tuple[object, ...]:
    """Items of one group stand for each other after downtime: only the latest is sent.

    A row's reminders for one member form a group; so do one member's end-of-year prompts
    and one principal's digests (an old digest is worth less than the current one).
    """
    if item.kind in REMINDERS:
        return ("row", item.row_id, item.member_id)
    return (item.kind, item.member_id)


def catch_up(items: list[Notification]) -> list[Notification]:
    """After downtime: of several items of one group (see `catch_up_group`), only the latest."""
    latest: dict[tuple[object, ...], Notification] = {}
    for item in sorted(items, key=lambda n: n.send_at):
        latest[catch_up_group(item)] = item
    return sorted(latest.values(), key=lambda n: (n.send_at, n.kind))
