"""The frame every handler runs in: who is this, where are they, commit, then reply.

A handler is a plain function `(Turn) -> list[View]` that runs inside one database
transaction. `turn_handler` commits that transaction *before* anything is sent, so an
answer is stored before the bot replies to it; a redelivered update is not applied twice
(the current question is asked again instead).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from telegram import Document, Message, PhotoSize, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.core.i18n import Translator, resolve_language, translator
from bot.domain.schoolyear import current_school_year
from bot.runtime.sender import NO_PREVIEW, markup, send
from bot.services.chatstate import load_state, mark_seen, seen
from bot.services.members import TelegramUser, current_member, upsert_person
from bot.ui.views import View, bold, messages
from db.models import ChatState, Member, Person, School
from db.session import Database

log = logging.getLogger(__name__)
SERVICES = "caitien.services"
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


@dataclass
class Services:
    """What handlers need, built once by `bot.app.build_application` (the composition root)."""

    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    # Wakes the sender when a turn put something in the outbox (set by the composition root).
    wake: Callable[[], None] = lambda: None


@dataclass
class Incoming:
    """The parts of an update the conversations read."""

    update_id: int
    chat_id: int
    chat_type: str
    user: TelegramUser
    text: str | None = None
    command: str | None = None
    args: list[str] = field(default_factory=list)
    callback_data: str | None = None
    callback_message_id: int | None = None
    attachment: bool = False
    file_name: str | None = None
    file_size: int | None = None
    file_bytes: bytes | None = None  # downloaded before the transaction, when small enough
    file_mime: str | None = None
    file_id: str | None = None

    @classmethod
    def from_update(cls, update: Update) -> Incoming:
        user = update.effective_user
        chat = update.effective_chat
        assert user is not None and chat is not None
        incoming = cls(
            update_id=update.update_id,
            chat_id=chat.id,
            chat_type=chat.type,
            user=TelegramUser(user.id, user.first_name, user.username, user.language_code),
        )
        if update.callback_query:
            incoming.callback_data = update.callback_query.data or ""
            message = update.callback_query.message
            incoming.callback_message_id = message.message_id if message else None
        elif update.message:
            msg = update.message
            incoming.text = msg.text
            incoming.attachment = msg.text is None
            if msg.document is not None:
                incoming.file_name = msg.document.file_name or "file"
                incoming.file_size = msg.document.file_size
                incoming.file_mime = msg.document.mime_type
                incoming.file_id = msg.document.file_id
            elif msg.photo:
                photo = msg.photo[-1]
                incoming.file_name = f"anh-{photo.file_unique_id}.jpg"
                incoming.file_size = photo.file_size
                incoming.file_mime = "image/jpeg"
                incoming.file_id = photo.file_id
            if msg.text and msg.text.startswith("/"):
                head, *rest = msg.text.split(maxsplit=1)
                incoming.command = head[1:].split("@", 1)[0].lower()
                incoming.args = rest[0].split() if rest else []
        return incoming


@dataclass
class Turn:
    """One update being handled: the session, the people involved and the chat state."""

    session: Session
    settings: Settings
    person: Person
    member: Member | None
    state: ChatState
    t: Translator
    incoming: Incoming
    now: dt.datetime
    bot_username: str = ""
    clock: Clock = field(default_factory=SystemClock)
    # Set when the turn put something in the outbox: the sender is woken after the commit.
    wake_sender: bool = False

    @property
    def school(self) -> School:
        assert self.member is not None
        return self.member.school

    def school_year(self) -> str:
        tz = self.school.timezone if self.member else self.settings.timezone
        from zoneinfo import ZoneInfo

        return current_school_year(ZoneInfo(tz), self.now)

    def set_language(self, language: str) -> None:
        self.person.language = language
        self.t = translator(language)


def _attachment(update: Update) -> Document | PhotoSize | None:
    """The file a message carries (the largest size of a photo)."""
    message = update.message
    if message is None:
        return None
    if message.document is not None:
        return message.document
    return message.photo[-1] if message.photo else None


TurnFn = Callable[[Turn], list[View]]


def flow_button(turn: Turn, prefix: str, flow: str) -> tuple[str, list[str]] | None:
    """`prefix` + "action:arg…:version" pressed in `flow` at its current version, as
    (action, args); None for a button of an older message (or a forged one)."""
    parts = (turn.incoming.callback_data or "")[len(prefix) :].split(":")
    version = parts[-1]
    if turn.state.flow != flow or not version.isdigit() or int(version) != turn.state.version:
        return None
    return parts[0], parts[1:-1]


def stale_button(turn: Turn, flow: str | None = None, prompt: TurnFn | None = None) -> list[View]:
    """A button from an older message: say so and, inside `flow`, ask its question again."""
    t = turn.t
    stale = View(
        [bold(t._("This button belongs to an older message."))],
        toast=t._("This button is no longer valid."),
    )
    again = prompt(turn) if prompt is not None and flow and turn.state.flow == flow else []
    return [stale, *again]


Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def turn_handler(
    fn: TurnFn, *, needs_member: bool = True, on_repeat: TurnFn | None = None
) -> Callback:
    """Wrap a domain-level handler: resolve the user, run in a transaction, commit, reply."""

    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        services: Services = context.application.bot_data[SERVICES]
        incoming = Incoming.from_update(update)
        attached = _attachment(update)
        if attached is not None and (attached.file_size or 0) <= MAX_DOWNLOAD_BYTES:
            file = await attached.get_file()
            incoming.file_bytes = bytes(await file.download_as_bytearray())
        with services.db.transaction() as session:
            person = upsert_person(session, incoming.user)
            member = current_member(session, person)
            if member is not None and member.unreachable_at is not None:
                member.unreachable_at = None  # they write again: reminders resume
            language = resolve_language(
                person.language, incoming.user.language_code, services.settings.default_language
            )
            state = load_state(session, incoming.chat_id, incoming.user.id)
            turn = Turn(
                session=session,
                settings=services.settings,
                person=person,
                member=member,
                state=state,
                t=translator(language),
                incoming=incoming,
                now=services.clock.now().astimezone(services.settings.tz),
                bot_username=context.bot.username or "",
                clock=services.clock,
            )
            if seen(state, incoming.update_id):
                log.info("update %s delivered again; not applied twice", incoming.update_id)
                views = on_repeat(turn) if on_repeat else []
            elif needs_member and member is None:
                mark_seen(state, incoming.update_id)
                from conversations.start import onboarding

                views = onboarding(turn)
            else:
                mark_seen(state, incoming.update_id)
                views = fn(turn)
        if turn.wake_sender:
            services.wake()
        await deliver(update, context, views)

    callback.__name__ = getattr(fn, "__name__", "turn")
    callback.__doc__ = fn.__doc__
    return callback


async def deliver(update: Update, context: ContextTypes.DEFAULT_TYPE, views: list[View]) -> None:
    """Send the views: split under Telegram's limits, buttons on the last message; a view
    marked `edit` replaces the message whose button was pressed when it fits in one."""
    query = update.callback_query
    if query is not None:
        toast = next((v.toast for v in views if v.toast), None)
        try:
            await query.answer(toast)
        except BadRequest as exc:  # too old (e.g. delivered again after a restart): go on
            log.info("could not answer a button press: %s", exc.message)
    chat = update.effective_chat
    if chat is None:
        return
    for view in views:
        units = messages(view)
        target = query.message if (query and view.edit and len(units) == 1) else None
        if isinstance(target, Message) and units[0].photo is None and not units[0].document:
            try:
                await target.edit_text(
                    units[0].html or "…",
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup(units[0].buttons),
                    link_preview_options=NO_PREVIEW,
                )
                continue
            except BadRequest as exc:
                if "not modified" in exc.message:
                    continue
                log.info("could not edit message, sending anew: %s", exc.message)
        for unit in units:
            await send(context.bot, chat.id, unit)
