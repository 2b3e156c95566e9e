"""The frame every handler runs in: who is this, where are they, commit, then reply.

For each update: read it into plain data (`Incoming`; anything but a message or a button press
with a user and a chat, such as an edited message, a channel post or a button on an inline
message, is skipped), download an attached file, then run the handler and its database
transaction in a worker thread, so that no turn, export or chart ever holds up the event loop
and the other chats. The transaction commits *before* anything is sent, so an answer is
stored before the bot replies to it; a redelivered update is not applied twice (the current
question is asked again instead). Updates of one chat still run one after the other
(`bot.runtime.app.PerChatUpdateProcessor` holds the chat while its turn is in the thread).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from telegram import Bot, Document, Message, PhotoSize, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.core.i18n import resolve_language, translator
from bot.runtime.sender import send, text_message
from bot.runtime.workshop import Workshop
from bot.services import menus, outbox
from bot.services.chatstate import mark_seen, seen
from bot.services.members import TelegramUser, arrive
from bot.ui.views import View, make_now, messages
from conversations.base import MAX_DOWNLOAD_BYTES, Incoming, Turn, TurnFn
from conversations.fallback import on_file_unavailable
from conversations.start import onboarding
from db.models import Member, Person
from db.session import Database

log = logging.getLogger(__name__)
SERVICES = "caitien.services"
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


@dataclass
class Services:
    """What the frame needs, built once by `bot.runtime.app.build_application`."""

    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    # Runs the turns (database work, documents, charts); None: the event loop's default pool.
    turns: Executor | None = None
    # Makes documents and charts after the turn committed (None: in the turn's thread).
    workshop: Workshop | None = None
    # Wakes the sender when a turn put something in the outbox (set by the composition root).
    wake: Callable[[], None] = lambda: None


def _text(value: object) -> str | None:
    """A text field as Telegram sends it; None for anything else (python-telegram-bot does not
    check types: a malformed update can carry a number where a text belongs). NUL is dropped:
    PostgreSQL cannot store it in a text column, and nobody types it; every other character,
    control characters pasted from Word included, is kept as sent."""
    return value.replace("\x00", "") if isinstance(value, str) else None


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_update(update: Update) -> Incoming | None:
    """The parts of an update the conversations read; None when it is not a message or a
    button press, or has no user or no chat: an edited message, a channel post, a button on an
    inline message (no `message`), a message without `from`, ids that are not numbers.
    python-telegram-bot's handlers match some of these (a CommandHandler also matches an edited
    "/start"), so the frame skips them here, once for every handler. Fields of the wrong type
    are read as absent."""
    if update.message is None and update.callback_query is None:
        return None
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return None
    user_id, chat_id, update_id = _number(user.id), _number(chat.id), _number(update.update_id)
    if user_id is None or chat_id is None or update_id is None:
        return None
    incoming = Incoming(
        update_id=update_id,
        chat_id=chat_id,
        chat_type=_text(chat.type) or "",
        user=TelegramUser(
            user_id,
            _text(user.first_name) or "",
            _text(user.username),
            _text(user.language_code),
        ),
    )
    if update.callback_query:
        incoming.callback_data = _text(update.callback_query.data) or ""
        message = update.callback_query.message
        incoming.callback_message_id = _number(message.message_id) if message else None
    elif update.message:
        msg = update.message
        incoming.text = _text(msg.text)
        incoming.attachment = incoming.text is None
        file: Document | PhotoSize | None = msg.document
        if msg.document is not None:
            incoming.file_name = _text(msg.document.file_name) or "file"
            incoming.file_mime = _text(msg.document.mime_type)
        elif msg.photo:
            file = msg.photo[-1]  # the largest size
            incoming.file_name = f"anh-{_text(file.file_unique_id) or 'photo'}.jpg"
            incoming.file_mime = "image/jpeg"
        if file is not None:
            incoming.file_size = _number(file.file_size)
            incoming.file_id = _text(file.file_id)
            incoming.caption = _text(msg.caption)
        if incoming.text and incoming.text.startswith("/"):
            head, *rest = incoming.text.split(maxsplit=1)
            incoming.command = head[1:].split("@", 1)[0].lower()
            incoming.args = rest[0].split() if rest else []
    return incoming


@dataclass(frozen=True)
class _Outcome:
    views: list[View]
    wake_sender: bool


def _run_turn(
    services: Services,
    incoming: Incoming,
    fn: TurnFn,
    needs_member: bool,
    on_repeat: TurnFn | None,
    bot_username: str,
) -> _Outcome:
    """One unit of work (in a worker thread): who, where, the handler, commit."""
    settings = services.settings
    with services.db.transaction() as session:
        who = arrive(session, incoming.user, incoming.chat_id)  # one statement
        person, member, state = who.person, who.member, who.state
        if member is not None and member.unreachable_at is not None:
            member.unreachable_at = None  # they write again: reminders resume
        language = resolve_language(person.language, settings.default_language)
        turn = Turn(
            session=session,
            settings=settings,
            person=person,
            member=member,
            state=state,
            t=translator(language),
            incoming=incoming,
            now=services.clock.now().astimezone(settings.tz),
            bot_username=bot_username,
            clock=services.clock,
        )
        if seen(state, incoming.update_id):
            log.info("update %s delivered again; not applied twice", incoming.update_id)
            # Only this chat's newest applied update can have lost its answer: a later one
            # of the chat was handled after the earlier answers had been delivered.
            newest = incoming.update_id == state.last_update_id
            views = on_repeat(turn) if on_repeat and newest else []
        else:
            views = onboarding(turn) if needs_member and member is None else fn(turn)
            _menu_follows(turn, member, language)
            # Marked last, in the same transaction: the chat state is written once per turn
            # (an early mark would be flushed before the handler's first query, then again).
            mark_seen(state, incoming.update_id)
        # The update stays in the inbox until its answer is delivered (the receiver forgets it
        # then): after a crash between this commit and the answer, it is handled again, seen,
        # and the question asked again instead of the answer being lost.
    if services.workshop is None:  # made here, after the commit, still off the event loop
        views = make_now(views)
    return _Outcome(views, turn.wake_sender)


def _menu_follows(turn: Turn, before: Member | None, language: str) -> None:
    """When the turn changed what the person's menu shows (they joined, switched school or
    language), have the sender set it again (`bot.services.menus`)."""
    after = turn.member
    if turn.incoming.chat_type != "private" or turn.incoming.chat_id != turn.incoming.user.id:
        return
    was = (before.id, before.role) if before is not None else None
    now = (after.id, after.role) if after is not None else None
    if was == now and turn.t.language == language:
        return
    anchor = after or before  # an outbox item belongs to a school
    if anchor is not None:
        menus.refresh(turn.session, anchor.school_id, turn.incoming.user.id, turn.now)
        turn.wake_sender = True


async def _download(bot: Bot, incoming: Incoming) -> bool:
    """Fetch the attached file (when small enough to be read); False when Telegram refused."""
    if incoming.file_id is None or (incoming.file_size or 0) > MAX_DOWNLOAD_BYTES:
        return True
    try:
        file = await bot.get_file(incoming.file_id)
        incoming.file_bytes = bytes(await file.download_as_bytearray())
    except TelegramError as exc:  # e.g. "Wrong file_id or the file is temporarily unavailable"
        log.info("could not download a file from user %s: %s", incoming.user.id, exc)
        return False
    return True


def turn_handler(
    fn: TurnFn, *, needs_member: bool = True, on_repeat: TurnFn | None = None
) -> Callback:
    """Wrap a handler: read the update, run it in a transaction off the loop, then reply."""

    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        services: Services = context.application.bot_data[SERVICES]
        incoming = read_update(update)
        if incoming is None:
            log.info("update %s is not a message or a button in a chat: skipped", update.update_id)
            return
        run = fn if await _download(context.bot, incoming) else on_file_unavailable
        loop = asyncio.get_running_loop()
        outcome = await loop.run_in_executor(
            services.turns,
            _run_turn,
            services,
            incoming,
            run,
            needs_member,
            on_repeat,
            context.bot.username or "",
        )
        if outcome.wake_sender:
            services.wake()
        views = outcome.views
        if services.workshop is not None:
            views = await services.workshop.make(views)
        try:
            await deliver(update, context, views)
        except Forbidden as exc:  # they blocked the bot while the answer was on its way
            if incoming.chat_id != incoming.user.id:  # a group that removed the bot, not them
                log.info("chat %s refused the answer: %s", incoming.chat_id, exc.message)
                return
            log.info("user %s blocked the bot: %s", incoming.user.id, exc.message)
            if await loop.run_in_executor(services.turns, _blocked, services, incoming.user.id):
                services.wake()

    callback.__name__ = getattr(fn, "__name__", "turn")
    callback.__doc__ = fn.__doc__
    return callback


def _blocked(services: Services, telegram_user_id: int) -> bool:
    """Mark the person's memberships unreachable, as the sender does on a 403; True when the
    principal is to be told (something was put in the outbox)."""
    now = services.clock.now()
    told = False
    with services.db.transaction() as session:
        found = session.scalars(
            select(Member)
            .join(Person, Person.id == Member.person_id)
            .where(Person.telegram_user_id == telegram_user_id, Member.active.is_(True))
        )
        for member in found:
            told = outbox.member_unreachable(session, member, now) or told
    return told


async def deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, views: list[View]) -> None:
    """Send the views: split under Telegram's limits, buttons on the last message; a view
    marked `edit` replaces the message whose button was pressed when it fits in one."""
    query = update.callback_query
    answered: asyncio.Future[bool] | None = None
    if query is not None:  # answered while the reply goes out (the spinner stops sooner)
        answered = asyncio.ensure_future(
            query.answer(next((v.toast for v in views if v.toast), None))
        )
    try:
        await _send_views(update, context, views)
    finally:
        if answered is not None:
            try:
                await answered
            except BadRequest as exc:  # too old (e.g. delivered again after a restart): go on
                log.info("could not answer a button press: %s", exc.message)


async def _send_views(
    update: Update, context: ContextTypes.DEFAULT_TYPE, views: list[View]
) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if chat is None:
        return
    for view in views:
        units = messages(view)
        target = query.message if (query and view.edit and len(units) == 1) else None
        if isinstance(target, Message) and units[0].photo is None and not units[0].document:
            try:
                params = text_message(chat.id, units[0], message_id=target.message_id)
                await context.bot.do_api_request("editMessageText", api_kwargs=params)
                continue
            except BadRequest as exc:
                if "not modified" in exc.message:
                    continue
                log.info("could not edit message, sending anew: %s", exc.message)
        for unit in units:
            await send(context.bot, chat.id, unit)
