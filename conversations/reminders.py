"""The buttons on a reminder or a prompt: report on the row now, or "remind me later".

Reminders are sent by the sender, outside any conversation, so their buttons carry no chat-state
version; each press is checked on the server instead: the row must be the member's own (or the
member a manager) in their school, and a snooze only applies to an item that was sent to them.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from bot.domain import notification_rules, school_settings
from bot.services import outbox
from bot.ui.notices import PREFIX, SNOOZE_DAYS
from bot.ui.views import View, bold
from conversations import registry
from conversations.base import Turn, parse_number
from db.models import OutboxItem, OutboxState

log = logging.getLogger(__name__)
PERIODS = {"m": "mid_year", "e": "end_year"}  # a report started from a prompt is for its period


def on_callback(turn: Turn) -> list[View]:
    t = turn.t
    parts = (turn.incoming.callback_data or "")[len(PREFIX) :].split(":")
    numbers = [parse_number(p) for p in parts[1:3]]
    row_id = numbers[0] if numbers else None
    if parts[0] == "r" and len(parts) in (2, 3) and row_id is not None:
        period = PERIODS.get(parts[2] if len(parts) == 3 else "", "any")
        return registry.report_on_row(turn, row_id, period)
    days = numbers[1] if len(numbers) > 1 else None
    if parts[0] == "z" and len(parts) == 3 and row_id is not None and days is not None:
        return _snooze(turn, row_id, days)
    log.info(
        "unknown reminder button %r from member %s",
        turn.incoming.callback_data,
        turn.member and turn.member.id,
    )
    return [View([bold(t._("This button is no longer valid."))], toast=t._("Not allowed"))]


def _snooze(turn: Turn, item_id: int, days: int) -> list[View]:
    """Remind again in `days` days, at the school's send time (one snooze per day and row)."""
    t = turn.t
    item = turn.session.get(OutboxItem, item_id)
    member = turn.member
    if (
        item is None
        or member is None
        or item.member_id != member.id
        or item.school_id != member.school_id
        or item.row_id is None
        or item.state != OutboxState.SENT
        or days not in SNOOZE_DAYS
    ):
        log.info("refused snooze of item %s for member %s", item_id, member and member.id)
        return [View([bold(t._("This button is no longer valid."))], toast=t._("Not allowed"))]
    school = turn.school
    rules = school_settings.load(school).rules()
    tz = ZoneInfo(school.timezone)
    day = turn.now.astimezone(tz).date() + dt.timedelta(days=days)
    send_at = notification_rules.adjust(dt.datetime.combine(day, rules.send_time, tzinfo=tz), rules)
    outbox.enqueue(
        turn.session,
        key=f"{outbox.SNOOZE}:{item.row_id}:{member.id}:{day.isoformat()}",
        school_id=school.id,
        kind=outbox.SNOOZE,
        row_id=item.row_id,
        member_id=member.id,
        day=day,
        send_at=send_at,
    )
    text = t._("I will remind you again on {date}.").format(date=t.date(send_at.date()))
    return [View([bold("⏰ " + text)], toast=text)]
