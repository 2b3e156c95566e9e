"""What every conversation works with: the update as plain data (`Incoming`) and the `Turn`.

A handler is a plain function `(Turn) -> list[View]` that runs inside one database
transaction, in a worker thread; `bot.runtime.frame` reads the update, runs the handler,
commits *before* anything is sent (an answer is stored before the bot replies to it) and
delivers the views. Nothing here imports `telegram`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.core.i18n import Translator, translator
from bot.domain.schoolyear import current_school_year
from bot.services.members import TelegramUser
from bot.ui.render import too_large
from bot.ui.views import View, bold
from db.models import ChatState, Member, Person, School

log = logging.getLogger(__name__)
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download
# Ids and versions are INTEGER columns: 32 bits on PostgreSQL (SQLite's are wider).
MAX_NUMBER = 2**31 - 1
_NUMBER = re.compile(r"[0-9]{1,10}")


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
    caption: str | None = None  # the words sent with a photo or file


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
        return current_school_year(ZoneInfo(tz), self.now)

    def set_language(self, language: str) -> None:
        self.person.language = language
        self.t = translator(language)


TurnFn = Callable[[Turn], list[View]]


def parse_number(text: str | None) -> int | None:
    """A number in callback data (an id, a version, a page) or typed as an answer: ASCII digits
    only, within the database's INTEGER range; None for anything else, which the caller refuses
    as it refuses any forged button. Every such number goes through here: `str.isdigit()` is
    not enough ("²" passes it and fails `int()`, "١" turns into 1, and 99999999999999999999
    overflows the database)."""
    if text is None or _NUMBER.fullmatch(text) is None:
        return None
    value = int(text)
    return value if value <= MAX_NUMBER else None


def file_refusal(turn: Turn, limit: int) -> str | None:
    """Why the attached file cannot be taken (over `limit`, with its size and the limit in MB,
    or not downloaded from Telegram), or None when its bytes are here."""
    incoming, t = turn.incoming, turn.t
    size = incoming.file_size or (len(incoming.file_bytes) if incoming.file_bytes else 0)
    if size > limit:
        return too_large(t, size, limit)
    if incoming.file_bytes is None:
        return t._("I could not get this file from Telegram. Please send it again.")
    return None


def flow_button(turn: Turn, prefix: str, flow: str) -> tuple[str, list[str]] | None:
    """`prefix` + "action:arg…:version" pressed in `flow` at its current version, as
    (action, args); None for a button of an older message (or a forged one)."""
    parts = (turn.incoming.callback_data or "")[len(prefix) :].split(":")
    if turn.state.flow != flow or parse_number(parts[-1]) != turn.state.version:
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
