"""What an outbox item says, and whether it should still be sent (checked at send time).

Texts are made when the item is sent, not when it was planned, so a reminder shows the row as it
is then; and an item whose reason went away (the row was finished, the member went on leave,
was removed, never joined, blocked the bot) is skipped with that reason instead.
No Telegram import: the sender turns these views into messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.i18n import Translator, resolve_language, translator
from bot.documents.report import write_report_docx
from bot.domain import notification_rules, school_settings, unit_settings
from bot.domain.catalog import is_level4_code
from bot.domain.parsing import awaits_confirmation
from bot.domain.permissions import MANAGERS
from bot.domain.rowname import row_name
from bot.domain.schoolyear import end_of_school_year, school_year_of
from bot.services import (
    digest,
    members,
    menus,
    outbox,
    owners,
    plans,
    progress,
    reviews,
    unit_digest,
    unit_reviews,
    units,
    year_report,
)
from bot.ui import digest_view, review_view, unit_digest_view
from bot.ui.menus import Entry, menu
from bot.ui.render import role_name, short_row
from bot.ui.views import Button, Later, View, bold, italic, plain
from db.models import (
    SUPERVISOR,
    Member,
    OutboxItem,
    Person,
    PlanRow,
    ProgressReport,
    ProgressStatus,
    RowStatus,
    School,
    SupervisingUnit,
    UnitMember,
)

NUDGES = (
    notification_rules.DUE_SOON,
    notification_rules.DUE_TODAY,
    notification_rules.OVERDUE,
    notification_rules.MID_YEAR,
    notification_rules.END_YEAR,
    notification_rules.REVIEW,
    outbox.SNOOZE,
)
ROW_KINDS = (
    notification_rules.DUE_SOON,
    notification_rules.DUE_TODAY,
    notification_rules.OVERDUE,
    outbox.SNOOZE,
)
PREFIX = "n:"
SNOOZE_DAYS = (1, 3)


@dataclass
class Outgoing:
    chat_id: int
    views: list[View]


@dataclass
class MenuChange:
    """A chat's own command menu (Telegram's chat scope), as it should be now."""

    chat_id: int
    # None: the chat needs no menu of its own (the strangers' menu, in the default language).
    entries: list[Entry] | None


def menu_for(session: Session, telegram_user_id: int, default_language: str) -> MenuChange:
    """The menu of this person's private chat: the commands of the role they act in, in their
    language; none of its own for a stranger who has not chosen another language."""
    person = session.scalar(select(Person).where(Person.telegram_user_id == telegram_user_id))
    if person is None:
        return MenuChange(telegram_user_id, None)
    mine = members.memberships(session, person)
    member = members.acting_as(person, mine)
    language = resolve_language(person.language, default_language)
    role = member.role if member is not None else None
    if member is None and units.specialist_of(session, person) is not None:
        role = SUPERVISOR  # a unit's specialist with no school of their own: their commands
    elif member is None and language == default_language:
        return MenuChange(telegram_user_id, None)
    return MenuChange(telegram_user_id, menu(translator(language), role, len(mine) > 1))


def language_of(member: Member, default: str) -> str:
    person = member.person
    if person is None:
        return default
    return resolve_language(person.language, default)


def _open_rows(session: Session, member: Member, school_year: str) -> list[PlanRow]:
    """The member's rows of that year's plan not reported done."""
    rows = [r for r in owners.rows_owned(session, member) if r.plan.school_year == school_year]
    latest = progress.latest_statuses(session, [r.id for r in rows])
    return [r for r in rows if latest.get(r.id) != ProgressStatus.DONE]


def skip_reason(
    session: Session, item: OutboxItem, now: dt.datetime, rules: notification_rules.Rules
) -> str | None:
    """Why this item should not be sent now, or None (`now` in the school's zone)."""
    today = now.date()
    member = session.get(Member, item.member_id) if item.member_id else None
    if item.kind in (notification_rules.DIGEST, outbox.GROUP_DIGEST):
        last = outbox.last_digest(session, item.kind, item.member_id, item.chat_id)
        if last is not None and notification_rules.week_of(
            last.astimezone(now.tzinfo)
        ) == notification_rules.week_of(now):
            return notification_rules.DIGEST_THIS_WEEK  # one a week, whatever shifted them
    if item.kind == outbox.GROUP_DIGEST:
        school = session.get(School, item.school_id)
        return None if school and school.group_chat_id == item.chat_id else "group_unlinked"
    if member is None or not member.active:
        return "removed"
    if member.person is None:
        return "not_joined"
    if member.unreachable_at is not None:
        return "unreachable"
    if item.kind in NUDGES and member.on_leave_until and today <= member.on_leave_until:
        return "on_leave"
    if item.kind in (*ROW_KINDS, outbox.ASSIGNED):
        row = session.get(PlanRow, item.row_id) if item.row_id else None
        if row is None or row.status != RowStatus.ACTIVE:
            return "row_removed"
        if not any(o.member_id == member.id for o in row.owners):
            return "not_owner"
        if item.kind == outbox.ASSIGNED:
            return None
        if progress.latest_statuses(session, [row.id]).get(row.id) == ProgressStatus.DONE:
            return "done"
        if item.kind in notification_rules.REMINDERS and awaits_confirmation(row.timeline_flags):
            # Planned before the timeline was flagged before_school_year: its dates are in
            # doubt until the writer confirms them, so no deadline reminder goes on them.
            return "timeline_unconfirmed"
        # A snooze was asked for by the member ("remind me tomorrow"): it goes; it still counts
        # as a reminder for the schedule's next one.
        if item.kind != outbox.SNOOZE and notification_rules.too_soon(
            outbox.last_reminded(session, row.id, member.id), now
        ):
            return notification_rules.REMINDED_RECENTLY
    if item.kind in (notification_rules.MID_YEAR, notification_rules.END_YEAR):
        if notification_rules.stale(item.kind, item.day, today, rules):
            return notification_rules.PERIOD_ENDED
        if not _open_rows(session, member, school_year_of(item.day)):
            return "nothing_open"
    if item.kind == notification_rules.REVIEW:
        if member.role not in MANAGERS:
            return "not_manager"
        plan = plans.find_plan(session, member.school_id, school_year_of(item.day))
        if not reviews.is_tt57(plan):
            return "not_tt57"  # the review table is Biểu 2's (section VI)
        if notification_rules.stale(item.kind, item.day, today, rules):
            return notification_rules.PERIOD_ENDED
    return None


def _row_buttons(t: Translator, row: PlanRow, item: OutboxItem) -> list[list[Button]]:
    return [
        [Button("📝 " + t._("Report progress"), f"{PREFIX}r:{row.id}")],
        [
            Button("⏰ " + t._("Remind me tomorrow"), f"{PREFIX}z:{item.id}:1"),
            Button(t._("In 3 days"), f"{PREFIX}z:{item.id}:3"),
        ],
    ]


def _row_reminder(t: Translator, row: PlanRow, item: OutboxItem, today: dt.date) -> View:
    due = row.due_date or end_of_school_year(row.plan.school_year)
    days = (due - today).days  # as of the day it is sent (it may have waited)
    if days > 0:
        head = t.ngettext(
            "Reminder: {n} day left until the deadline ({date}).",
            "Reminder: {n} days left until the deadline ({date}).",
            days,
        ).format(n=days, date=t.date(due))
    elif days == 0:
        head = t._("Reminder: today ({date}) is the deadline.").format(date=t.date(due))
    else:
        head = t.ngettext(
            "Overdue by {n} day (deadline {date}), not reported done yet.",
            "Overdue by {n} days (deadline {date}), not reported done yet.",
            -days,
        ).format(n=-days, date=t.date(due))
    parts = [bold("⏰ " + head), plain("\n" + short_row(t, row, 200))]
    if row.tasks:
        parts.append(italic("\n" + " ".join(row.tasks.split())[:300]))
    parts.append(plain("\n\n" + t._("When there is progress, report it with evidence.")))
    if not row.due_date:
        parts.append(
            italic("\n" + t._("The row has no readable date; it is due at the end of the year."))
        )
    return View(parts, _row_buttons(t, row, item))


def _prompt(t: Translator, session: Session, member: Member, item: OutboxItem) -> View:
    year = school_year_of(item.day)
    rows = _open_rows(session, member, year)
    if item.kind == notification_rules.MID_YEAR:
        head = t._("Mid-year review, school year {year}: how are your rows going?").format(
            year=year
        )
    else:
        head = t._(
            "End-of-year review, school year {year}: please report each of your rows with "
            "evidence before {date}."
        ).format(year=year, date=t.date(dt.date(int(year[5:]), 5, 30)))
    parts = [bold("📋 " + head)]
    for row in rows[:20]:
        parts.append(plain("\n• " + short_row(t, row, 120)))
    period = (
        "m" if item.kind == notification_rules.MID_YEAR else "e"
    )  # the report is for that period
    buttons = [
        [Button("📝 " + short_row(t, r, 40), f"{PREFIX}r:{r.id}:{period}")] for r in rows[:10]
    ]
    return View(parts, buttons)


def _digest(
    t: Translator,
    session: Session,
    school: School,
    item: OutboxItem,
    now: dt.datetime,
    read: Callable[[str], bytes] | None,
) -> list[View]:
    """The digest as of now (it may be sent late), with its chart; the first one in June also
    brings the principal the end-of-year report (photos read from the file store with `read`,
    as `/report_year` has them)."""
    found = digest.build(session, school, now.astimezone(ZoneInfo(school.timezone)))
    if found is None:
        return [
            View(
                [
                    bold(t._("There is no plan for this school year yet.")),
                    plain(
                        "\n" + t._("Write it row by row with /add, or send the file with /import.")
                    ),
                ]
            )
        ]
    chart = Later(digest_view.chart_in, (t.language, found))
    views = [View(digest_view.render(t, found), photo=chart)]
    if item.kind == notification_rules.DIGEST and notification_rules.is_year_summary(item.day):
        plan = plans.find_plan(session, school.id, found.school_year)
        if plan is not None:
            document = plans.plan_document(session, school, plan, item.day)
            rows = progress.row_progress(session, plan.id, document.rows)
            tt57 = year_report.facts(session, plan, rows)  # None for a 2018 plan
            views.append(
                View(
                    [
                        plain(
                            t._("The end-of-year report of school year {year}.").format(
                                year=plan.school_year
                            )
                        )
                    ],
                    document=(
                        f"bao-cao-ket-qua-{plan.school_year}.docx",
                        Later(write_report_docx, (document, rows, read, tt57)),
                    ),
                )
            )
    return views


def _review(t: Translator, session: Session, school: School, item: OutboxItem) -> View:
    """The review invitation: the owners' situation and the button that opens /review on
    the checkpoint the invitation is for."""
    year = school_year_of(item.day)
    plan = plans.find_plan(session, school.id, year)
    assert plan is not None
    checkpoint = reviews.checkpoint_on(year, item.day, school_settings.load(school).rules())
    found = reviews.situation(session, plan, checkpoint)
    button = Button("📝 /review", f"{review_view.REVIEW_PREFIX}open:{checkpoint}")
    return View(review_view.invitation_parts(t, found), [[button]])


def _difficulty(t: Translator, session: Session, item: OutboxItem) -> View:
    report = session.get(ProgressReport, int(item.data.get("report_id", 0)))
    row = session.get(PlanRow, item.row_id) if item.row_id else None
    name = report.member.display_name if report and report.member else "?"
    text = t._("{name} reports difficulties on {row}:").format(
        name=name, row=short_row(t, row, 80) if row else "?"
    )
    return View(
        [bold("⚠️ " + text), plain("\n" + ((report.text if report else None) or "—"))],
        [[Button(t._("Open the row"), f"r:o:{item.row_id}")]],
    )


def _assigned(t: Translator, session: Session, member: Member, row: PlanRow) -> View:
    """You answer for this row now: which row, until when, as lead or not, and a /report
    button that opens the report on it."""
    school = session.get(School, member.school_id)
    regulation = plans.regulation_of(school) if school else None
    title = plans.row_title(row, regulation) if regulation else (row.criterion_text or "")
    code = row.criterion_code or "?"
    if is_level4_code(code):
        code = t._("L4.{n}").format(n=code.split(".", 1)[1])
    lead = any(o.member_id == member.id and o.is_lead for o in row.owners)
    head = (
        t._("You now lead {row} in the plan of school year {year}:")
        if lead
        else t._("You now take part in {row} in the plan of school year {year}:")
    ).format(row=row_name(row), year=row.plan.school_year)
    due = (
        t.date(row.due_date)
        if row.due_date
        else t._("end of school year ({date})").format(
            date=t.date(end_of_school_year(row.plan.school_year))
        )
    )
    parts = [bold("📌 " + head), plain(f"\n{code} — {' '.join(title.split())[:150]}")]
    if row.expected_result:
        parts.append(italic("\n" + " ".join(row.expected_result.split())[:200]))
    parts.append(plain("\n" + t._("Due: {date}.").format(date=due)))
    parts.append(plain("\n\n" + t._("Report progress with /report, or with the button below.")))
    return View(parts, [[Button("📝 /report", f"{PREFIX}r:{row.id}")]])


def _joined(t: Translator, session: Session, item: OutboxItem) -> View | str:
    newcomer = session.get(Member, int(item.data.get("member_id", 0)))
    if newcomer is None or not newcomer.active:
        return "removed"
    school = session.get(School, newcomer.school_id)
    text = t._("{name} has joined {school} as {role}.").format(
        name=newcomer.display_name,
        school=school.name if school else "?",
        role=role_name(t, newcomer.role),
    )
    position = newcomer.title or t._("not given")
    return View(
        [
            bold("👋 " + text),
            plain("\n" + t._("Position: {position}.").format(position=position)),
            italic("\n" + t._("Roles and removals: /team")),
        ]
    )


def _unreachable(t: Translator, session: Session, item: OutboxItem) -> View:
    blocked = session.get(Member, int(item.data.get("member_id", 0)))
    name = blocked.display_name if blocked else "?"
    return View(
        [
            bold(
                "🔕 " + t._("{name} has blocked the bot and gets no reminders.").format(name=name)
            ),
            plain(
                "\n" + t._("Please remind them in person; it resumes when they write to the bot.")
            ),
        ]
    )


def prepare(
    session: Session,
    item: OutboxItem,
    now: dt.datetime,
    default_language: str,
    read: Callable[[str], bytes] | None = None,
) -> Outgoing | MenuChange | str:
    """The messages for this item (or the menu it sets), or the reason it is skipped; `read`
    gives the stored evidence files (the June report's photos)."""
    if item.kind == menus.MENU:
        assert item.chat_id is not None
        return menu_for(session, item.chat_id, default_language)
    if item.kind in outbox.UNIT_KINDS:
        return unit_item(session, item, now, default_language)
    school = session.get(School, item.school_id)
    if school is None:
        return "school_removed"
    local = now.astimezone(ZoneInfo(school.timezone))
    today = local.date()
    reason = skip_reason(session, item, local, school_settings.load(school).rules())
    if reason is not None:
        return reason
    if item.kind == outbox.GROUP_DIGEST:
        assert item.chat_id is not None
        return Outgoing(
            item.chat_id, _digest(translator(default_language), session, school, item, now, read)
        )
    member = session.get(Member, item.member_id)
    assert member is not None and member.person is not None
    t = translator(language_of(member, default_language))
    chat_id = member.person.telegram_user_id
    if item.kind in ROW_KINDS:
        row = session.get(PlanRow, item.row_id)
        assert row is not None
        return Outgoing(chat_id, [_row_reminder(t, row, item, today)])
    if item.kind in (notification_rules.MID_YEAR, notification_rules.END_YEAR):
        return Outgoing(chat_id, [_prompt(t, session, member, item)])
    if item.kind == notification_rules.DIGEST:
        return Outgoing(chat_id, _digest(t, session, school, item, now, read))
    if item.kind == notification_rules.REVIEW:
        return Outgoing(chat_id, [_review(t, session, school, item)])
    if item.kind == outbox.UNREACHABLE:
        return Outgoing(chat_id, [_unreachable(t, session, item)])
    if item.kind == outbox.DIFFICULTY:
        return Outgoing(chat_id, [_difficulty(t, session, item)])
    if item.kind == outbox.ASSIGNED:
        row = session.get(PlanRow, item.row_id)
        assert row is not None
        return Outgoing(chat_id, [_assigned(t, session, member, row)])
    if item.kind == outbox.JOINED:
        joined = _joined(t, session, item)
        return joined if isinstance(joined, str) else Outgoing(chat_id, [joined])
    return "unknown_kind"


def unit_skip_reason(
    session: Session,
    item: OutboxItem,
    specialist: UnitMember | None,
    now: dt.datetime,
    rules: notification_rules.Rules,
) -> str | None:
    """Why a unit's item should not be sent now, or None (`now` in the unit's zone): the
    specialist was removed, has not joined or blocked the bot; a second digest in one week; a
    mid-year summary once the end-of-year moment has come, or one of another school year."""
    if specialist is None or not specialist.active:
        return "removed"
    if specialist.person is None:
        return "not_joined"
    if specialist.unreachable_at is not None:
        return "unreachable"
    if item.kind == outbox.UNIT_DIGEST:
        last = outbox.last_unit_sent(session, item.kind, specialist.id)
        if last is not None and notification_rules.week_of(
            last.astimezone(now.tzinfo)
        ) == notification_rules.week_of(now):
            return notification_rules.DIGEST_THIS_WEEK
    if item.kind == outbox.UNIT_REVIEW:
        year = school_year_of(item.day)
        if school_year_of(now.date()) != year:
            return notification_rules.PERIOD_ENDED
        checkpoint = notification_rules.review_checkpoint(year, item.day, rules)
        if checkpoint == "mid_year" and notification_rules.stale(
            notification_rules.MID_YEAR, item.day, now.date(), rules
        ):
            return notification_rules.PERIOD_ENDED
    return None


def unit_item(
    session: Session, item: OutboxItem, now: dt.datetime, default_language: str
) -> Outgoing | str:
    """A unit's item for one specialist, as of now: the weekly digest (text and chart; the
    schools it shows are recorded as viewed) or the review summary."""
    unit = session.get(SupervisingUnit, item.unit_id) if item.unit_id else None
    if unit is None:
        return "unit_removed"
    specialist = session.get(UnitMember, item.unit_member_id) if item.unit_member_id else None
    rules = unit_settings.rules(unit)
    local = now.astimezone(ZoneInfo(unit.timezone))
    reason = unit_skip_reason(session, item, specialist, local, rules)
    if reason is not None:
        return reason
    assert specialist is not None and specialist.person is not None
    t = translator(resolve_language(specialist.person.language, default_language))
    chat_id = specialist.person.telegram_user_id
    if item.kind == outbox.UNIT_DIGEST:
        found = unit_digest.build(session, unit.id, local)
        assert found is not None
        chart = Later(unit_digest_view.chart_in, (t.language, found))
        if item.parts_sent == 0:  # once, not again when the text follows a sent chart
            units.record_view(
                session, specialist, [s.school_id for s in found.schools], "digest", now
            )
        return Outgoing(chat_id, [View(unit_digest_view.render(t, found), photo=chart)])
    checkpoint = notification_rules.review_checkpoint(school_year_of(item.day), item.day, rules)
    summary = unit_reviews.summary(session, unit.id, checkpoint, local)
    assert summary is not None
    return Outgoing(chat_id, [View(unit_digest_view.review_parts(t, summary))])
