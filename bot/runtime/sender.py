"""The one sender: every message the bot sends on its own goes out here, from the outbox.

It claims due items (pending → sending), checks each again (`bot.ui.notices`), sends its
messages through the rate limiter (`bot.runtime.ratelimit`), and records the outcome at once:
- 429: everybody waits `retry_after`, then the same message is tried again;
- network errors and timeouts: retried with exponential backoff, then left pending for later;
- 403 (the person blocked the bot): the member is marked unreachable, nothing more is sent to
  them, and the principal is told once (an `unreachable` item); a unit's specialist is marked
  (`UnitMember.unreachable_at`), with no principal to tell;
- other refusals: the item fails with Telegram's reason.

Delivery guarantee. Each message Telegram accepted is recorded (`parts_sent`, then `sent`) in
its own commit right after the answer, so a restart resumes where sending stopped and never
repeats what was recorded. One window cannot be closed: if the process dies after Telegram
accepted a message and before that commit (a few milliseconds), the item is still `sending` at
the next start. The Bot API has no idempotency key and no way to read back what a bot sent, so
that one message must be either resent or dropped; `recover` resends it (at least once), because
a reminder lost is worse than one shown twice. A clean stop (SIGTERM) finishes the messages in
flight first, so only a crash can leave one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from bot.core.clock import Clock
from bot.core.i18n import LANGUAGES, translator
from bot.domain import notification_rules, school_settings, unit_settings
from bot.runtime.ratelimit import Limiter
from bot.runtime.workshop import Workshop
from bot.services import menus, outbox
from bot.services.leases import Lease
from bot.ui import notices
from bot.ui.menus import menu
from bot.ui.views import Button, Message, make_now, messages
from db.models import Member, OutboxItem, OutboxState, School, SupervisingUnit, UnitMember
from db.session import Database

log = logging.getLogger(__name__)
# Texts go out through `Bot.do_api_request` (see `text_message`), as getUpdates comes in raw
# (bot.runtime.polling); PTB warns that a typed method exists for each: known and chosen.
warnings.filterwarnings(
    "ignore",
    message=r"Please use 'Bot\.(sendMessage|editMessageText|getUpdates)'",
    category=PTBUserWarning,
)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
BACKOFF = (1.0, 2.0, 4.0, 8.0)  # seconds between network retries of one message
LATER = dt.timedelta(minutes=5)  # when the network stays down, try the item again after this
MAX_ATTEMPTS = 8
MAX_RETRY_AFTER = 5  # 429s for one message before it is left for the next round


def markup(buttons: list[list[Button]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in buttons]
    )


async def send(bot: Bot, chat_id: int, message: Message, silent: bool = False) -> None:
    """Send one message as Telegram wants it (HTML, no link previews); `silent`: without
    sound (Telegram's `disable_notification`), for what is sent at once in quiet hours."""
    quiet = {"disable_notification": True} if silent else {}
    if message.photo is not None:
        await bot.send_photo(
            chat_id,
            InputFile(message.photo, filename="chart.png"),
            caption=message.html,
            parse_mode=ParseMode.HTML,
            reply_markup=markup(message.buttons),
            disable_notification=silent or None,
        )
    elif message.document is not None:
        name, content = message.document
        await bot.send_document(
            chat_id,
            InputFile(content, filename=name),
            caption=message.html,
            parse_mode=ParseMode.HTML,
            reply_markup=markup(message.buttons),
            disable_notification=silent or None,
        )
    else:
        await bot.do_api_request("sendMessage", api_kwargs=text_message(chat_id, message, **quiet))


async def set_chat_menu(bot: Bot, change: notices.MenuChange) -> None:
    """Set one private chat's own command menu, or drop it (the strangers' menu shows)."""
    scope = BotCommandScopeChat(change.chat_id)
    if change.entries is None:
        await bot.delete_my_commands(scope=scope)
    else:
        commands = [BotCommand(e.command, e.description) for e in change.entries]
        await bot.set_my_commands(commands, scope=scope)


async def set_default_menus(bot: Bot, default_language: str) -> None:
    """At start: the menu of every private chat without one of its own (strangers), in the
    default language. Per-language menus of all private chats are dropped: a Vietnamese user
    whose Telegram speaks English (most of them) would see that one instead."""
    t = translator(default_language)
    scope = BotCommandScopeAllPrivateChats()
    strangers = [BotCommand(e.command, e.description) for e in menu(t, None)]
    await bot.set_my_commands(strangers, scope=scope)
    for language in LANGUAGES:
        await bot.delete_my_commands(scope=scope, language_code=language)


def keyboard(buttons: list[list[Button]]) -> dict[str, Any] | None:
    """Inline buttons as the Bot API's JSON (what `markup` would serialise to)."""
    if not buttons:
        return None
    return {
        "inline_keyboard": [
            [{"text": b.text, "callback_data": b.data} for b in row] for row in buttons
        ]
    }


def text_message(chat_id: int, message: Message, **extra: Any) -> dict[str, Any]:
    """The parameters of a text message, HTML, no link previews.

    Texts (most of what the bot sends) go out through `Bot.do_api_request` with plain JSON:
    python-telegram-bot would otherwise build objects for the keyboard and parse the Message
    Telegram returns, which nobody here reads (a third of what sending a text costs)."""
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "text": message.html or "…",
        "parse_mode": ParseMode.HTML.value,
        "link_preview_options": {"is_disabled": True},
        **extra,
    }
    reply_markup = keyboard(message.buttons)
    if reply_markup is not None:
        params["reply_markup"] = reply_markup
    return params


def seconds(value: int | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@dataclass
class Prepared:
    chat_id: int
    messages: list[Message]
    parts_sent: int  # how many of them Telegram accepted already
    silent: bool  # sent at once inside quiet hours: without sound


@dataclass
class Stats:
    sent: int = 0  # messages Telegram accepted
    items_sent: int = 0
    skipped: int = 0
    failed: int = 0
    retry_after: int = 0  # 429 answers
    network_retries: int = 0
    unreachable: int = 0


class Sender:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        clock: Clock,
        default_language: str = "vi",
        limiter: Limiter | None = None,
        workers: int = 8,
        batch: int = 100,
        workshop: Workshop | None = None,
        read: Callable[[str], bytes] | None = None,
        lease: Lease | None = None,
    ) -> None:
        self.bot, self.db, self.clock = bot, db, clock
        # Only the worker holding the outbox lease sends (`bot.services.leases`).
        self.lease = lease or Lease(db.engine)
        self._recovered = 0  # the lease's taking (`Lease.taken`) this sender recovered under
        self.read = read  # the stored evidence files, for documents made at send time
        self.workshop = workshop  # makes charts and documents (None: here, in the thread)
        self.default_language = default_language
        self.limiter = limiter or Limiter()
        self.workers, self.batch = workers, batch
        self.stats = Stats()
        self._wake = asyncio.Event()
        self._pause = asyncio.Event()  # cleared while a 429 makes everybody wait
        self._pause.set()
        # Chats that answered 403 in this run: items already claimed for them are checked again
        # (the database says whether the person came back) instead of being tried.
        self._refused: set[int] = set()
        self._stop = asyncio.Event()  # replaced by `run`'s

    def wake(self) -> None:
        self._wake.set()

    def recover(self) -> int:
        """When this worker takes the outbox lease (at start with one worker): items left
        `sending` go back to pending (see the module). Only the lease's holder sends, so what
        is `sending` then was the previous holder's, a worker that is gone: a live worker's
        items are never taken from it."""
        with self.db.transaction() as session:
            result = session.execute(
                update(OutboxItem)
                .where(OutboxItem.state == OutboxState.SENDING)
                .values(state=OutboxState.PENDING)
            )
            # Session.execute is typed as returning Result; for an UPDATE it is a CursorResult.
            count = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if count:
            log.warning("%d outbox item(s) were being sent when the bot stopped; resending", count)
        return count

    async def run(self, stop: asyncio.Event, idle: float = 5.0) -> None:
        """Drain until `stop`; sleeps when nothing is due until woken or `idle` seconds pass.

        On `stop` the messages in flight are finished; claimed items not started yet go back
        to pending, so a clean stop leaves nothing to resend.
        """
        self._stop = stop
        while not stop.is_set():
            try:
                done = await self._lead_and_drain()
            except Exception:
                log.exception("draining the outbox failed; trying again shortly")
                done = 0
            if done:
                continue
            self._wake.clear()
            waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
            _, pending = await asyncio.wait(
                waiters, timeout=idle, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()

    async def _lead_and_drain(self) -> int:
        """Drain when this worker holds the outbox lease (taking it when free; recovering
        the previous holder's items once taken); 0 when another worker sends."""
        if not await asyncio.to_thread(self.lease.hold):
            return 0
        if self._recovered != self.lease.taken:  # newly taken: the previous holder is gone
            self._recovered = self.lease.taken
            await asyncio.to_thread(self.recover)
        return await self.drain()

    def _claim(self) -> list[tuple[int, int]]:
        """Mark the next due items as being sent: (item, whose chat). Chats take turns: each
        member's first item, then each one's second... so one chat with many items (1/s) does
        not hold up the rest. On PostgreSQL the rows are locked with SKIP LOCKED, so several
        senders can share."""
        now = self.clock.now()
        oldest = (  # rank only the oldest due items, not a whole backlog, at each claim
            select(OutboxItem.id, OutboxItem.send_at, OutboxItem.member_id, OutboxItem.chat_id)
            .where(
                OutboxItem.state == OutboxState.PENDING,
                OutboxItem.send_at <= now,
                (OutboxItem.next_attempt_at.is_(None)) | (OutboxItem.next_attempt_at <= now),
            )
            .order_by(OutboxItem.send_at, OutboxItem.id)
            .limit(self.batch * 20)
            .subquery()
        )
        whose = func.coalesce(oldest.c.member_id, oldest.c.chat_id)
        turn = (
            func.row_number()
            .over(partition_by=whose, order_by=(oldest.c.send_at, oldest.c.id))
            .label("turn")
        )
        due = select(oldest.c.id, oldest.c.send_at, whose.label("whose"), turn).subquery()
        with self.db.transaction() as session:
            claimed = {
                item_id: int(chat or 0)
                for item_id, chat in session.execute(
                    select(due.c.id, due.c.whose)
                    .order_by(due.c.turn, due.c.send_at, due.c.id)
                    .limit(self.batch)
                )
            }
            ids = list(claimed)
            if ids and session.get_bind().dialect.name == "postgresql":
                locked = set(
                    session.scalars(
                        select(OutboxItem.id)
                        .where(OutboxItem.id.in_(ids), OutboxItem.state == OutboxState.PENDING)
                        .with_for_update(skip_locked=True)
                    )
                )
                ids = [i for i in ids if i in locked]
            if ids:
                session.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id.in_(ids))
                    .values(state=OutboxState.SENDING, attempts=OutboxItem.attempts + 1)
                )
        return [(i, claimed[i]) for i in ids]

    async def drain(self) -> int:
        """Send every item due now; returns how many items were handled.

        Items of different chats go in parallel; one chat's items one after the other, in
        order, so each is checked at send time knowing what the previous one did (a second
        reminder about a row within 24 hours is skipped, not sent alongside)."""
        total = 0
        while not self._stop.is_set() and (ids := await asyncio.to_thread(self._claim)):
            queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
            for claimed in ids:
                queue.put_nowait(claimed)
            chats: dict[int, asyncio.Lock] = {}

            async def worker(
                queue: asyncio.Queue[tuple[int, int]] = queue,
                chats: dict[int, asyncio.Lock] = chats,
            ) -> None:
                while not queue.empty() and not self._stop.is_set():
                    item_id, chat = queue.get_nowait()
                    async with chats.setdefault(chat, asyncio.Lock()):
                        if self._stop.is_set():
                            await asyncio.to_thread(self._release, [item_id])
                            return
                        try:
                            await self._process(item_id)
                        except Exception:
                            log.exception("outbox item %s failed unexpectedly", item_id)
                            self._finish(item_id, OutboxState.FAILED, "error")

            before = dataclasses.replace(self.stats)
            await asyncio.gather(*(worker() for _ in range(min(self.workers, len(ids)))))
            total += len(ids)
            log.info(
                "outbox: %d sent, %d skipped, %d failed (%d message(s), %d × 429)",
                self.stats.items_sent - before.items_sent,
                self.stats.skipped - before.skipped,
                self.stats.failed - before.failed,
                self.stats.sent - before.sent,
                self.stats.retry_after - before.retry_after,
            )
            if not queue.empty():  # stopping: what was not started waits for the next run
                left = [queue.get_nowait()[0] for _ in range(queue.qsize())]
                await asyncio.to_thread(self._release, left)
        return total

    def _release(self, ids: list[int]) -> None:
        with self.db.transaction() as session:
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(ids), OutboxItem.state == OutboxState.SENDING)
                .values(state=OutboxState.PENDING)
            )

    def _finish(
        self,
        item_id: int,
        state: str,
        reason: str | None = None,
        next_attempt_at: dt.datetime | None = None,
    ) -> None:
        with self.db.transaction() as session:
            item = session.get(OutboxItem, item_id)
            if item is None:
                return
            item.state, item.reason, item.next_attempt_at = state, reason, next_attempt_at
            if state == OutboxState.SENT:
                item.sent_at = self.clock.now()
        counter = {
            OutboxState.SENT: "items_sent",
            OutboxState.SKIPPED: "skipped",
            OutboxState.FAILED: "failed",
        }.get(OutboxState(state))
        if counter:
            setattr(self.stats, counter, getattr(self.stats, counter) + 1)

    def _prepare(self, item_id: int) -> Prepared | notices.MenuChange | str | dt.datetime:
        """What to send, or a menu to set, or a skip reason, or when quiet hours (or a holiday)
        end (a menu is no message: quiet hours do not hold it).

        What a person's act made (`outbox.AT_ONCE`: a difficulty, an assignment, a join) is
        never held: inside quiet hours it goes at once, without sound."""
        now = self.clock.now()
        silent = False
        with self.db.transaction() as session:
            item = session.get(OutboxItem, item_id)
            if item is None:
                return "deleted"
            school = session.get(School, item.school_id) if item.school_id else None
            unit = session.get(SupervisingUnit, item.unit_id) if item.unit_id else None
            if school is None and unit is not None:  # a unit's item: the unit's schedule
                local = now.astimezone(ZoneInfo(unit.timezone))
                later = notification_rules.adjust(local, unit_settings.rules(unit))
                if later > local:
                    return later
            if school is not None and item.kind != menus.MENU:
                rules = school_settings.load(school).rules()
                local = now.astimezone(ZoneInfo(school.timezone))
                if item.kind in outbox.AT_ONCE:
                    silent = notification_rules.quiet(local, rules)
                else:
                    later = notification_rules.adjust(local, rules)
                    if later > local:
                        return later
            prepared = notices.prepare(session, item, now, self.default_language, self.read)
            if isinstance(prepared, str | notices.MenuChange):
                return prepared
            parts_sent = item.parts_sent
        # Charts and documents are made once the transaction is closed.
        views = (
            self.workshop.make_blocking(prepared.views)
            if self.workshop is not None
            else make_now(prepared.views)
        )
        units = [m for view in views for m in messages(view)]
        return Prepared(prepared.chat_id, units, parts_sent, silent)

    async def _process(self, item_id: int) -> None:
        prepared = await asyncio.to_thread(self._prepare, item_id)
        if isinstance(prepared, dt.datetime):
            self._finish(item_id, OutboxState.PENDING, "quiet_hours", prepared)
            return
        if isinstance(prepared, str):
            self._finish(item_id, OutboxState.SKIPPED, prepared)
            return
        if isinstance(prepared, notices.MenuChange):
            change = prepared
            if await self._send_one(
                item_id, change.chat_id, functools.partial(set_chat_menu, self.bot, change)
            ):
                return
            await asyncio.to_thread(self._record, item_id, 1, True)
            self.stats.items_sent += 1
            return
        chat_id, units, done = prepared.chat_id, prepared.messages, prepared.parts_sent
        for index in range(done, len(units)):
            call = functools.partial(send, self.bot, chat_id, units[index], prepared.silent)
            outcome = await self._send_one(item_id, chat_id, call)
            if outcome is not None:
                return
            await asyncio.to_thread(self._record, item_id, index + 1, index == len(units) - 1)
        self.stats.items_sent += 1

    def _record(self, item_id: int, parts_sent: int, last: bool) -> None:
        """Telegram accepted a message of this item: record it at once (see the module)."""
        with self.db.transaction() as session:
            item = session.get(OutboxItem, item_id)
            if item is None:
                return
            item.parts_sent = parts_sent
            if last:
                item.state, item.sent_at, item.reason = OutboxState.SENT, self.clock.now(), None

    async def _send_one(
        self, item_id: int, chat_id: int, call: Callable[[], Awaitable[None]]
    ) -> str | None:
        """Make one call (send a message, set a menu), retrying as Telegram asks; None when it
        was accepted."""
        network, limited = 0, 0
        while True:
            await self._pause.wait()
            slots = await self.limiter.acquire(chat_id)
            if chat_id in self._refused and self._still_refused(item_id):
                self._finish(item_id, OutboxState.SKIPPED, "unreachable")
                return "unreachable"
            try:
                await call()
                self.stats.sent += 1
                return None
            except RetryAfter as exc:
                self.stats.retry_after += 1
                limited += 1
                wait = seconds(exc.retry_after)
                log.warning("Telegram asked to wait %.0f s (429)", wait)
                if self._pause.is_set():
                    self._pause.clear()
                    await asyncio.sleep(wait)
                    self._pause.set()
                if limited >= MAX_RETRY_AFTER:
                    self._finish(item_id, OutboxState.PENDING, "rate_limited")
                    return "rate_limited"
            except Forbidden as exc:
                log.info("chat %s refuses the bot: %s", chat_id, exc.message)
                self._unreachable(item_id, chat_id)
                return "blocked"
            except BadRequest as exc:
                log.warning("Telegram refused outbox item %s: %s", item_id, exc.message)
                self._finish(item_id, OutboxState.FAILED, exc.message[:60])
                return "refused"
            except NetworkError as exc:  # includes TimedOut
                self.stats.network_retries += 1
                if network >= len(BACKOFF):
                    self._retry_later(item_id, str(exc))
                    return "network"
                log.info("network error (%s); retrying in %.0f s", exc, BACKOFF[network])
                await asyncio.sleep(BACKOFF[network])
                network += 1
            except TelegramError as exc:
                self._finish(item_id, OutboxState.FAILED, str(exc)[:60])
                return "error"
            finally:
                self.limiter.answered(slots)

    def _retry_later(self, item_id: int, error: str) -> None:
        with self.db.transaction() as session:
            item = session.get(OutboxItem, item_id)
            attempts = item.attempts if item else MAX_ATTEMPTS
        if attempts >= MAX_ATTEMPTS:
            self._finish(item_id, OutboxState.FAILED, "network")
        else:
            self._finish(item_id, OutboxState.PENDING, "network", self.clock.now() + LATER)

    def _still_refused(self, item_id: int) -> bool:
        with self.db.transaction() as session:
            item = session.get(OutboxItem, item_id)
            if item is not None and item.unit_member_id is not None:  # a specialist
                specialist = session.get(UnitMember, item.unit_member_id)
                if specialist is not None and specialist.unreachable_at is None:
                    if specialist.person is not None:
                        self._refused.discard(specialist.person.telegram_user_id)
                    return False
                return True
            member = session.get(Member, item.member_id) if item and item.member_id else None
            if member is not None and member.unreachable_at is None:
                if member.person is not None:
                    self._refused.discard(member.person.telegram_user_id)
                return False
            return True

    def _unreachable(self, item_id: int, chat_id: int) -> None:
        """403: stop sending to this member (or group) and tell the principal once."""
        self._refused.add(chat_id)
        now = self.clock.now()
        with self.db.transaction() as session:
            item = session.get(OutboxItem, item_id)
            if item is None:
                return
            item.state, item.reason = OutboxState.FAILED, "blocked"
            if item.unit_member_id is not None:  # a specialist: marked, nobody to tell
                specialist = session.get(UnitMember, item.unit_member_id)
                if specialist is not None and outbox.specialist_unreachable(
                    session, specialist, now
                ):
                    self.stats.unreachable += 1
                self.stats.failed += 1
                return
            if item.member_id is None:  # a group that removed the bot: unlink it
                school = session.get(School, item.school_id)
                if school is not None and school.group_chat_id == chat_id:
                    school.group_chat_id = None
                return
            member = session.get(Member, item.member_id)
            if member is not None and outbox.member_unreachable(session, member, now):
                self.stats.unreachable += 1
        self.stats.failed += 1
        self.wake()
