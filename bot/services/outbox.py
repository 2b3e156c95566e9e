"""The outbox: notifications as data (docs/design.md §3).

`materialise` writes what the schedule says is due into the `outbox` table, one row per
(kind, plan row, member, planned day). It is idempotent twice over: the key is unique (a
second insert is ignored), and each school remembers up to when it has materialised
(`School.materialised_until`), so the next run only looks at the time since.

After downtime, what fell due meanwhile is written once: of several items of one group (a row's
reminders for one member, one member's end-of-year prompts, one principal's digests) only the
latest is pending, the older ones are written as skipped ("superseded"). Nothing older than the
current school year or than the school's first run is ever written, so a plan imported in
March does not flood its owners with September's reminders.

The sender (`bot/runtime/sender.py`) claims pending items, checks them again at send time (a row
done meanwhile, a member on leave or not joined) and sends them.

Supervising units get items of their own (`materialise_units`, run by the same `materialise`):
the weekly unit digest and the two review summaries, one per active, joined specialist, with
`unit_id` and `unit_member_id` set and no school. Each unit keeps its own window
(`SupervisingUnit.materialised_until`), with the schools' catch-up rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain import notification_rules, school_settings, unit_settings
from bot.domain.notification_rules import Rules
from bot.domain.parsing import awaits_confirmation
from bot.domain.schoolyear import school_year_of
from bot.domain.templates import TT57
from bot.services import progress
from db.models import (
    Member,
    OutboxItem,
    OutboxState,
    Person,
    Plan,
    PlanRow,
    ProgressStatus,
    Role,
    RowOwner,
    RowStatus,
    School,
    SupervisingUnit,
    UnitMember,
)

log = logging.getLogger(__name__)

SUPERSEDED = "superseded"
# Kinds that are not in the schedule: made by events (a report, a 403) or by a person (snooze).
SNOOZE = "snooze"
DIFFICULTY = "difficulty"
UNREACHABLE = "unreachable"
GROUP_DIGEST = "group_digest"
ASSIGNED = "assigned"  # a member was made an owner of a row
JOINED = "joined"  # someone joined the school (the principal is told)
# Made by something a person just did: sent at once, even at night (then without sound) and on
# holidays, never held like the schedule's items (docs/design.md §2, bot/runtime/sender.py).
AT_ONCE = (DIFFICULTY, ASSIGNED, JOINED)
# A newcomer from a role link is asked their name and position first; the principal hears of
# them when they have answered, or after this if they stop half-way.
JOIN_GRACE = dt.timedelta(minutes=10)
# A supervising unit's items, for each of its specialists (no school: `unit_member_id` is set).
UNIT_DIGEST = "unit_digest"  # the weekly digest of the unit's schools, with its chart
UNIT_REVIEW = "unit_review"  # at each review moment: which schools have written their review
UNIT_KINDS = (UNIT_DIGEST, UNIT_REVIEW)


@dataclass
class Materialised:
    schools: int = 0
    created: int = 0
    superseded: int = 0
    units: int = 0


def _insert(session: Session, values: list[dict[str, Any]]) -> int:
    """Insert outbox rows, ignoring any whose key is already there; returns how many were new."""
    if not values:
        return 0
    dialect = session.get_bind().dialect.name
    statement: Insert
    if dialect == "postgresql":
        statement = postgresql.insert(OutboxItem).on_conflict_do_nothing(index_elements=["key"])
    else:
        statement = sqlite.insert(OutboxItem).on_conflict_do_nothing(index_elements=["key"])
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "state": OutboxState.PENDING,
            "data": {},
            "attempts": 0,
            "parts_sent": 0,
            "created_at": now,
            "updated_at": now,
            **v,
        }
        for v in values
    ]
    # RETURNING counts what was really inserted (a skipped duplicate returns nothing); the
    # driver's rowcount is -1 for a batch on PostgreSQL.
    statement = statement.returning(OutboxItem.id)
    created = 0
    for start in range(0, len(rows), 500):
        result = session.connection().execute(statement, rows[start : start + 500])
        created += len(result.all())
    return created


def enqueue(
    session: Session,
    *,
    key: str,
    school_id: int | None,
    kind: str,
    day: dt.date,
    send_at: dt.datetime,
    member_id: int | None = None,
    row_id: int | None = None,
    chat_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> bool:
    """Add one item outside the schedule (a difficulty alert, a snooze); False if already there."""
    if send_at.tzinfo is None:
        raise ValueError("aware datetimes only")
    return bool(
        _insert(
            session,
            [
                {
                    "key": key,
                    "school_id": school_id,
                    "kind": kind,
                    "day": day,
                    "send_at": send_at,
                    "member_id": member_id,
                    "row_id": row_id,
                    "chat_id": chat_id,
                    "data": data or {},
                }
            ],
        )
    )


def row_facts(
    session: Session,
    plan_ids: Sequence[int],
    due_range: tuple[dt.date, dt.date] | None = None,
) -> dict[int, list[notification_rules.RowFacts]]:
    """The schedule facts of the active rows of these plans (those due in `due_range`, and
    those with no date, when given), in three queries."""
    if not plan_ids:
        return {}
    wanted = (PlanRow.plan_id.in_(plan_ids)) & (PlanRow.status == RowStatus.ACTIVE)
    if due_range is not None:
        wanted &= PlanRow.due_date.is_(None) | PlanRow.due_date.between(*due_range)
    rows = session.execute(
        select(
            PlanRow.id, PlanRow.plan_id, PlanRow.position, PlanRow.due_date, PlanRow.timeline_flags
        ).where(wanted)
    ).all()
    owners: dict[int, list[notification_rules.Owner]] = defaultdict(list)
    for row_id, member_id, leave in session.execute(
        select(RowOwner.row_id, Member.id, Member.on_leave_until)
        .join(Member, Member.id == RowOwner.member_id)
        .join(PlanRow, PlanRow.id == RowOwner.row_id)
        .where(wanted, Member.active.is_(True))
        .order_by(RowOwner.id)
    ):
        owners[row_id].append(notification_rules.Owner(member_id, leave))
    latest = progress.latest_statuses_in(session, wanted)
    by_plan: dict[int, list[notification_rules.RowFacts]] = defaultdict(list)
    for r in rows:
        by_plan[r.plan_id].append(
            notification_rules.RowFacts(
                row_id=r.id,
                position=r.position,
                due=r.due_date,
                done=latest.get(r.id) == ProgressStatus.DONE,
                owners=tuple(owners.get(r.id, ())),
                unconfirmed=awaits_confirmation(r.timeline_flags),
            )
        )
    return by_plan


def _due_range(
    windows: dict[int, tuple[dt.datetime, str, ZoneInfo]], now: dt.datetime, rules: list[Rules]
) -> tuple[dt.date, dt.date] | None:
    """Which due dates can have a reminder in any window, or None when every row is needed
    (a window holds a prompt day: the prompts go to each owner of a row not done)."""
    if not windows:
        return None
    shift = max((r.max_shift for r in rules), default=dt.timedelta(days=2))
    before = max(r.reach[0] for r in rules)
    after = max(r.reach[1] for r in rules)
    low = min(start for start, _, _ in windows.values()).date() - shift - dt.timedelta(days=1)
    high = now.date() + dt.timedelta(days=1)
    for year in {year for _, year, _ in windows.values()}:
        for rule in rules:
            if any(low <= day <= high for day in notification_rules.prompt_days(year, rule)):
                return None
    return low - after, high + before


def principals(session: Session, school_ids: Iterable[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for school_id, member_id in session.execute(
        select(Member.school_id, Member.id).where(
            Member.school_id.in_(list(school_ids)),
            Member.role == Role.PRINCIPAL,
            Member.active.is_(True),
        )
    ):
        found[school_id].append(member_id)
    return found


def reviewers(session: Session, plans: Iterable[Plan]) -> dict[int, list[int]]:
    """Who gets a plan's review invitations, by school: the principal and vice-principals of
    the schools whose plan is a TT57 one (section VI); nobody for a 2018 plan."""
    school_ids = [p.school_id for p in plans if p.template == TT57]
    found: dict[int, list[int]] = defaultdict(list)
    if not school_ids:
        return found
    for school_id, member_id in session.execute(
        select(Member.school_id, Member.id)
        .where(
            Member.school_id.in_(school_ids),
            Member.role.in_([Role.PRINCIPAL, Role.VICE_PRINCIPAL]),
            Member.active.is_(True),
        )
        .order_by(Member.id)
    ):
        found[school_id].append(member_id)
    return found


def year_start(school_year: str, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime(int(school_year[:4]), 8, 1, tzinfo=tz)


def materialise(
    session: Session, now: dt.datetime, school_ids: Sequence[int] | None = None
) -> Materialised:
    """Write what came due up to `now` into the outbox, school by school (see the module)."""
    if now.tzinfo is None:
        raise ValueError("aware datetimes only")
    query = select(School)
    if school_ids is not None:
        query = query.where(School.id.in_(school_ids))
    schools = list(session.scalars(query))
    result = Materialised()
    # Each school's window: from where it stopped (or now, the first time) up to now.
    windows: dict[int, tuple[dt.datetime, str, ZoneInfo]] = {}
    for school in schools:
        if school.materialised_until is None:  # its first run: the schedule starts now
            school.materialised_until = now
            continue
        window = _window(school.materialised_until, school.timezone, now)
        if window is not None:
            windows[school.id] = window
    plans = {
        p.school_id: p
        for p in session.scalars(select(Plan).where(Plan.school_id.in_(list(windows))))
        if p.school_year == windows[p.school_id][1]
    }
    rules = {s.id: school_settings.load(s).rules() for s in schools if s.id in windows}
    facts = row_facts(
        session,
        [p.id for p in plans.values()],
        _due_range(windows, now, list(rules.values())),
    )
    heads = principals(session, list(windows))
    reviewing = reviewers(session, plans.values())
    values: list[dict[str, Any]] = []
    for school in schools:
        if school.id not in windows:
            continue
        start, year, tz = windows[school.id]
        plan = plans.get(school.id)
        items = notification_rules.planned(
            facts.get(plan.id, []) if plan else [],
            heads.get(school.id, []),
            year,
            tz,
            rules[school.id],
            window=(start, now),
            reviewers=reviewing.get(school.id, []),
        )
        for item, state in _states(notification_rules.due_between(items, start, now), result):
            values.append(_values(school.id, item, state))
            pending = state == OutboxState.PENDING
            if item.kind == notification_rules.DIGEST and school.group_chat_id and pending:
                group = _values(school.id, item, state)
                group.update(
                    key=f"{GROUP_DIGEST}:-:g{school.group_chat_id}:{item.day.isoformat()}",
                    kind=GROUP_DIGEST,
                    member_id=None,
                    chat_id=school.group_chat_id,
                )
                values.append(group)  # several principals: the key makes it one
        result.schools += 1
        if len(values) >= FLUSH_EVERY:  # bounded memory after a long downtime
            _flush(session, values, result)
    _flush(session, values, result)
    if windows:
        session.execute(
            update(School)
            .where(School.id.in_(list(windows)))
            .values(materialised_until=now)
            .execution_options(synchronize_session=False)
        )
    for school in schools:
        if school.id in windows:
            school.materialised_until = now
    if school_ids is None:  # a whole run: the units too
        materialise_units(session, now, result)
    return result


def _window(
    until: dt.datetime, timezone: str, now: dt.datetime
) -> tuple[dt.datetime, str, ZoneInfo] | None:
    """A school's or a unit's window: from where it stopped (not before its school year
    began) up to now, with the year and the time zone; None when there is nothing to cover."""
    tz = ZoneInfo(timezone)
    year = school_year_of(now.astimezone(tz).date())
    start = max(until, year_start(year, tz))
    return (start, year, tz) if start < now else None


def _states(
    due: list[notification_rules.Notification], result: Materialised
) -> Iterator[tuple[notification_rules.Notification, OutboxState]]:
    """Each due item with the state it is written in: after downtime only the newest of each
    kind per person is sent, the older ones are written as skipped ("superseded")."""
    kept = set(map(id, notification_rules.catch_up(due)))
    for item in due:
        if id(item) in kept:
            yield item, OutboxState.PENDING
        else:
            result.superseded += 1
            yield item, OutboxState.SKIPPED


def _unit_item(
    kind: str, member_id: int, day: dt.date, moment: dt.datetime
) -> notification_rules.Notification:
    return notification_rules.Notification(kind, None, None, member_id, moment, day)


def materialise_units(
    session: Session, now: dt.datetime, result: Materialised | None = None
) -> Materialised:
    """Write the units' items that came due up to `now`: the weekly digest (the unit's digest
    day and time, Monday 08:00 by default) and the review summaries, one per active, joined
    specialist, on the unit's schedule (quiet hours, holidays). Like a school's: nothing on
    the first run, only the newest of each kind per specialist after downtime (the older ones
    written as skipped, "superseded")."""
    if now.tzinfo is None:
        raise ValueError("aware datetimes only")
    result = result or Materialised()
    windows: dict[int, tuple[dt.datetime, str, ZoneInfo, SupervisingUnit]] = {}
    for unit in session.scalars(select(SupervisingUnit).order_by(SupervisingUnit.id)):
        if unit.materialised_until is None:  # its first run: the schedule starts now
            unit.materialised_until = now
            continue
        window = _window(unit.materialised_until, unit.timezone, now)
        if window is not None:
            windows[unit.id] = (*window, unit)
        unit.materialised_until = now
    if not windows:
        return result
    specialists: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for member_id, unit_id, chat_id in session.execute(
        select(UnitMember.id, UnitMember.unit_id, Person.telegram_user_id)
        .join(Person, Person.id == UnitMember.person_id)
        .where(UnitMember.unit_id.in_(list(windows)), UnitMember.active.is_(True))
        .order_by(UnitMember.id)
    ):
        specialists[unit_id].append((member_id, chat_id))
    values: list[dict[str, Any]] = []
    for unit_id, (start, year, tz, unit) in windows.items():
        result.units += 1
        people = specialists.get(unit_id, [])
        if not people:
            continue
        chats = dict(people)
        rules = unit_settings.rules(unit)
        planned = [
            dataclasses.replace(item, kind=UNIT_DIGEST)
            for item in notification_rules.planned(
                [], list(chats), year, tz, rules, window=(start, now)
            )
            if item.kind == notification_rules.DIGEST
        ]
        for day in unit_settings.review_summary_days(year, rules).values():
            moment = notification_rules.adjust(dt.datetime.combine(day, rules.send_time, tz), rules)
            planned += [_unit_item(UNIT_REVIEW, member_id, day, moment) for member_id in chats]
        for item, state in _states(notification_rules.due_between(planned, start, now), result):
            values.append(
                {
                    **_values(None, item, state),
                    "member_id": None,
                    "unit_id": unit_id,
                    "unit_member_id": item.member_id,
                    "chat_id": chats[item.member_id],
                }
            )
    result.created += _insert(session, values)
    return result


FLUSH_EVERY = 5_000


def _flush(session: Session, values: list[dict[str, Any]], result: Materialised) -> None:
    result.created += _insert(session, values)
    result.superseded += _supersede_older(session, values)
    values.clear()


def _supersede_older(session: Session, values: list[dict[str, Any]]) -> int:
    """A new pending reminder of a row for a member stands for the older ones not sent yet
    (e.g. left pending by a crash, or held by quiet hours): those are skipped, not sent late."""
    newest: dict[tuple[int, int], dt.datetime] = {}
    for v in values:
        if v["state"] == OutboxState.PENDING and v["kind"] in notification_rules.REMINDERS:
            group = (v["row_id"], v["member_id"])
            newest[group] = max(newest.get(group, v["send_at"]), v["send_at"])
    if not newest:
        return 0
    row_ids = sorted({row for row, _ in newest})
    older: list[int] = []
    for start in range(0, len(row_ids), 5_000):
        for item_id, row_id, member_id, send_at in session.execute(
            select(
                OutboxItem.id, OutboxItem.row_id, OutboxItem.member_id, OutboxItem.send_at
            ).where(
                OutboxItem.state == OutboxState.PENDING,
                OutboxItem.kind.in_([*notification_rules.REMINDERS, SNOOZE]),
                OutboxItem.row_id.in_(row_ids[start : start + 5_000]),
            )
        ):
            if row_id is None or member_id is None:
                continue  # no group to stand for (both columns are nullable)
            latest = newest.get((row_id, member_id))
            if latest is not None and send_at < latest:
                older.append(item_id)
    if older:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_(older), OutboxItem.state == OutboxState.PENDING)
            .values(state=OutboxState.SKIPPED, reason=SUPERSEDED)
            .execution_options(synchronize_session=False)
        )
    return len(older)


def _values(
    school_id: int | None, item: notification_rules.Notification, state: str
) -> dict[str, Any]:
    return {
        "key": item.key,
        "school_id": school_id,
        "kind": item.kind,
        "row_id": item.row_id,
        "member_id": item.member_id,
        "chat_id": None,
        "day": item.day,
        "send_at": item.send_at,
        "state": state,
        "reason": SUPERSEDED if state == OutboxState.SKIPPED else None,
    }


def member_unreachable(session: Session, member: Member, now: dt.datetime) -> bool:
    """The member blocked the bot (a 403): mark them unreachable, so nothing more is sent to
    them, and tell the school's principal once. False when they were marked already."""
    if member.unreachable_at is not None:
        return False
    member.unreachable_at = now
    principals = session.scalars(
        select(Member).where(
            Member.school_id == member.school_id,
            Member.role == Role.PRINCIPAL,
            Member.active.is_(True),
            Member.id != member.id,
        )
    )
    for principal in principals:
        enqueue(
            session,
            key=f"{UNREACHABLE}:m{member.id}:{principal.id}:{now.date()}",
            school_id=member.school_id,
            kind=UNREACHABLE,
            day=now.date(),
            send_at=now,
            member_id=principal.id,
            data={"member_id": member.id},
        )
    return True


def tell_assigned(
    session: Session,
    row: PlanRow,
    member_ids: Iterable[int],
    actor: Member | None,
    now: dt.datetime,
) -> int:
    """Tell members they were made owners of a row, once per (row, member) whatever repeats
    the assignment; not the person who assigned themselves, not for a draft (its owners are
    told when it is saved). Returns how many notices were new."""
    if row.status != RowStatus.ACTIVE:
        return 0
    school_id = session.scalar(select(Plan.school_id).where(Plan.id == row.plan_id))
    if school_id is None:
        return 0
    created = 0
    for member_id in dict.fromkeys(member_ids):
        if actor is not None and member_id == actor.id:
            continue
        created += enqueue(
            session,
            key=f"{ASSIGNED}:{row.id}:{member_id}",
            school_id=school_id,
            kind=ASSIGNED,
            day=now.date(),
            send_at=now,
            member_id=member_id,
            row_id=row.id,
            data={"by": actor.id if actor else None},
        )
    return created


def tell_joined(session: Session, member: Member, now: dt.datetime, *, at_once: bool) -> int:
    """Tell the school's principal(s) that `member` joined, once. With `at_once` False (the
    newcomer is still giving their name and position) it waits `JOIN_GRACE`; called again with
    `at_once` True when they have answered, it goes now. The text is made at send time."""
    if member.role == Role.PRINCIPAL:
        return 0
    created = 0
    heads = principals(session, [member.school_id]).get(member.school_id, [])
    for principal_id in heads:
        if principal_id == member.id:
            continue
        key = f"{JOINED}:m{member.id}:{principal_id}"
        created += enqueue(
            session,
            key=key,
            school_id=member.school_id,
            kind=JOINED,
            day=now.date(),
            send_at=now if at_once else now + JOIN_GRACE,
            member_id=principal_id,
            data={"member_id": member.id},
        )
        if at_once:
            session.execute(
                update(OutboxItem)
                .where(
                    OutboxItem.key == key,
                    OutboxItem.state == OutboxState.PENDING,
                    OutboxItem.send_at > now,
                )
                .values(send_at=now)
                .execution_options(synchronize_session=False)
            )
    return created


def last_reminded(session: Session, row_id: int, member_id: int) -> dt.datetime | None:
    """When a reminder about this row last reached this member."""
    return session.scalar(
        select(OutboxItem.sent_at)
        .where(
            OutboxItem.row_id == row_id,
            OutboxItem.member_id == member_id,
            OutboxItem.kind.in_([*notification_rules.REMINDERS, SNOOZE]),
            OutboxItem.state == OutboxState.SENT,
        )
        .order_by(OutboxItem.sent_at.desc())
        .limit(1)
    )


def last_digest(
    session: Session, kind: str, member_id: int | None, chat_id: int | None
) -> dt.datetime | None:
    """The last digest sent to this principal (or group chat): its send moment, or None."""
    wanted = OutboxItem.member_id == member_id if member_id else OutboxItem.chat_id == chat_id
    return session.scalar(
        select(OutboxItem.sent_at)
        .where(OutboxItem.kind == kind, OutboxItem.state == OutboxState.SENT, wanted)
        .order_by(OutboxItem.sent_at.desc())
        .limit(1)
    )


def last_unit_sent(session: Session, kind: str, unit_member_id: int) -> dt.datetime | None:
    """When an item of this kind last reached this specialist, or None."""
    return session.scalar(
        select(OutboxItem.sent_at)
        .where(
            OutboxItem.kind == kind,
            OutboxItem.state == OutboxState.SENT,
            OutboxItem.unit_member_id == unit_member_id,
        )
        .order_by(OutboxItem.sent_at.desc())
        .limit(1)
    )


def specialist_unreachable(session: Session, specialist: UnitMember, now: dt.datetime) -> bool:
    """The specialist blocked the bot (a 403): nothing more is sent to them (no school's
    principal to tell). False when they were marked already."""
    if specialist.unreachable_at is not None:
        return False
    specialist.unreachable_at = now
    return True
