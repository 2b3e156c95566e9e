"""The composition root: builds the python-telegram-bot Application and wires conversations.

Handlers are registered in one group that reads like a pipeline (order matters): commands
anyone may use, the member commands, buttons by prefix, then the catch-alls.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import functools
import logging
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.core.clock import Clock, OffsetClock, SystemClock
from bot.core.config import Settings
from bot.core.i18n import translator
from bot.runtime.frame import SERVICES, Callback, Services, turn_handler
from bot.runtime.polling import Polling, Receiver, serve
from bot.runtime.ptb_types import App
from bot.runtime.ratelimit import Limiter, Limits
from bot.runtime.scheduler import Scheduler
from bot.runtime.sender import Sender, set_default_menus
from bot.runtime.webhook import Webhook, WebhookError, check, failed_updates
from bot.runtime.workshop import Workshop
from bot.services import units
from bot.services.files import FileStore
from bot.ui.views import View
from conversations import (
    add_row,
    digest,
    fallback,
    import_plan,
    newyear,
    owners,
    plan,
    priorities,
    registry,
    reminders,
    report,
    review,
    rows,
    schools,
    start,
    supervisor,
    team,
    unit_export,  # noqa: F401  (fills registry.unit_export)
)
from conversations import (
    settings as settings_flow,
)
from conversations.base import Turn, TurnFn
from db.session import Database

log = logging.getLogger(__name__)


async def post_init(application: App) -> None:
    """The strangers' command menu; each member's own is set by the sender (`menu` items)."""
    settings: Settings = application.bot_data[SERVICES].settings
    await set_default_menus(application.bot, settings.default_language)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and tell the user, in their language, to try again. The network failing
    under a reply (the answer is stored; only the message was lost) is a warning on one line;
    anything else is an error with its traceback."""
    if isinstance(update, Update):  # a webhook answers 500 for it: Telegram delivers it again
        failed_updates(context.application.bot_data).add(update.update_id)
    if isinstance(context.error, NetworkError):  # TimedOut included
        log.warning("a reply could not be sent (%s); the answer is stored", context.error)
    else:
        log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat and update.effective_user:
        settings: Settings = context.application.bot_data[SERVICES].settings
        t = translator(settings.default_language)  # the person's choice is in the database
        text = t._(
            "Sorry, something went wrong. What you entered before is kept; please try again."
        )
        try:
            await context.bot.send_message(
                update.effective_chat.id, text, parse_mode=ParseMode.HTML
            )
        except Exception:
            log.warning("could not tell the user about the error", exc_info=True)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; those of one chat run in arrival order,
    so a person's answers are applied one after the other."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            if not lock.locked() and not lock._waiters:
                self._locks.pop(chat.id, None)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _shown_again(fn: TurnFn) -> TurnFn:
    """For a command that only shows something (the plan, a document): delivered again after
    a stop between its commit and its answer, it is answered again, since that answer may be
    the one that was lost (twice is better than never, as for reminders); to a member only,
    as the first time."""

    def again(turn: Turn) -> list[View]:
        return fn(turn) if turn.member is not None else fallback.on_repeat(turn)

    return again


def _command(fn: TurnFn) -> TurnFn:
    """A known command: the open flow may end first (`registry.before_command`: a pending
    /settings question does), so the command is answered as a command."""

    @functools.wraps(fn)
    def command(turn: Turn) -> list[View]:
        ended = registry.before_command(turn)
        return [*ended, *fn(turn)]

    return command


def _export(turn: Turn) -> list[View]:
    """/export: a member's is the school's plan; a unit's specialist (no school of their own)
    gets the roll-up of the linked schools; a stranger, how to join."""
    if turn.member is not None:
        return plan.on_export(turn)
    if units.specialist_of(turn.session, turn.person) is not None:
        return schools.on_export(turn)
    return start.onboarding(turn)


def register(application: App) -> None:
    private = filters.ChatType.PRIVATE

    def handler(fn: TurnFn, needs_member: bool = True) -> Callback:
        return turn_handler(fn, needs_member=needs_member, on_repeat=fallback.on_repeat)

    def public(fn: TurnFn) -> Callback:
        return handler(fn, needs_member=False)

    def shows(fn: TurnFn) -> Callback:
        return turn_handler(fn, on_repeat=_shown_again(fn))

    def shows_public(fn: TurnFn) -> Callback:  # shown again to a member only, as `shows`
        return turn_handler(fn, needs_member=False, on_repeat=_shown_again(fn))

    def command(name: str, fn: TurnFn, wrap: Callable[[TurnFn], Callback] = handler) -> Any:
        return CommandHandler(name, wrap(_command(fn)), filters=private)

    application.add_handlers(
        [
            # Anyone: onboarding and language.
            command("start", start.on_start, public),
            command("help", start.on_help, public),
            command("language", start.on_language, public),
            CallbackQueryHandler(public(start.on_language_chosen), pattern=r"^l:"),
            # Members.
            command("plan", plan.on_plan, shows),
            command("add", add_row.on_add),
            command("mine", owners.on_mine, shows),
            command("report", report.on_report),
            CallbackQueryHandler(handler(report.on_callback), pattern=r"^g:"),
            CallbackQueryHandler(handler(reminders.on_callback), pattern=r"^n:"),
            command("digest", digest.on_digest, shows),
            command("review", review.on_review),
            CallbackQueryHandler(handler(review.on_callback), pattern=r"^v:"),
            command("newyear", newyear.on_newyear),
            CallbackQueryHandler(handler(newyear.on_callback), pattern=r"^y:"),
            command("settings", settings_flow.on_settings),
            CallbackQueryHandler(handler(settings_flow.on_callback), pattern=r"^c:"),
            CommandHandler("linkgroup", handler(digest.on_linkgroup)),
            command("team", team.on_team, shows),
            command("invite", team.on_invite),
            command("export", _export, shows_public),
            command("import", import_plan.on_import),
            command("report_year", plan.on_report_year, shows),
            command("priorities", priorities.on_priorities, shows),
            CallbackQueryHandler(handler(priorities.on_callback), pattern=r"^q:"),
            CallbackQueryHandler(handler(import_plan.on_callback), pattern=r"^i:"),
            # Supervising units: the principal links (u:), a unit's specialist sees (h:).
            command("supervisor", supervisor.on_supervisor),
            CallbackQueryHandler(handler(supervisor.on_callback), pattern=r"^u:"),
            command("schools", schools.on_schools, public),
            CallbackQueryHandler(public(schools.on_callback), pattern=r"^h:"),
            command("school", start.on_school),
            CallbackQueryHandler(handler(start.on_school_chosen), pattern=r"^s:"),
            CommandHandler(
                ["skip", "back", "cancel"], handler(fallback.on_step_command), filters=private
            ),
            CallbackQueryHandler(handler(add_row.on_callback), pattern=r"^f:"),
            CallbackQueryHandler(handler(rows.on_callback), pattern=r"^r:"),
            CallbackQueryHandler(handler(plan.on_callback), pattern=r"^p:"),
            CallbackQueryHandler(handler(team.on_callback), pattern=r"^t:"),
            CallbackQueryHandler(handler(owners.on_callback), pattern=r"^o:"),
            # Catch-alls: last.
            CallbackQueryHandler(handler(fallback.on_unknown_button)),
            MessageHandler(private & filters.COMMAND, handler(fallback.on_unknown_command)),
            MessageHandler(private & filters.TEXT, handler(fallback.on_text)),
            MessageHandler(private & ~filters.TEXT, handler(fallback.on_attachment)),
        ]
    )
    application.add_error_handler(on_error)


def build_application(
    settings: Settings,
    db: Database,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    clock: Clock | None = None,
    workshop: Workshop | None = None,
) -> App:
    """Build the Application; tests pass an in-process request object instead of HTTP (and
    may share one workshop between applications)."""
    builder = (
        Application.builder()
        .token(settings.token())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_base_file_url)
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(post_init)
    )
    # Answers wait up to 20 s: a document upload or a busy Bot API can take longer than PTB's 5 s.
    builder = builder.request(request or HTTPXRequest(connection_pool_size=64, read_timeout=20.0))
    builder = builder.get_updates_request(
        get_updates_request or HTTPXRequest(connection_pool_size=1)
    )
    application = builder.build()
    application.bot_data[SERVICES] = Services(
        settings=settings,
        db=db,
        clock=clock or SystemClock(),
        turns=ThreadPoolExecutor(settings.turn_threads, thread_name_prefix="turn"),
        workshop=workshop or Workshop(settings.document_workers),
    )
    register(application)
    return application


def build_scheduler(application: App, clock: Clock) -> Scheduler:
    services: Services = application.bot_data[SERVICES]
    settings = services.settings
    sender = Sender(
        application.bot,
        services.db,
        clock,
        settings.default_language,
        Limiter(Limits(per_bot=settings.send_rate)),
        workshop=services.workshop,
        read=FileStore(settings.files_dir).read,
    )
    services.wake = sender.wake
    return Scheduler(services.db, clock, sender, settings.scheduler_interval)


def run(settings: Settings, now: dt.datetime | None = None, webhook: Webhook | None = None) -> None:
    """Upgrade the schema, then schedule and receive updates (long polling, or `webhook`)
    until stopped.

    `now` sets the clock to that moment (it then runs on in real time), for trying a school year
    out and for tests. On SQLite one process only: a second `caitien run` on the same file
    refuses to start (it would send every reminder twice and race the first one's turns).
    """
    if webhook is not None:
        try:
            check(webhook.url, webhook.secret)
        except WebhookError as exc:
            raise CannotStart(str(exc)) from exc
    with one_process(settings.database_url):
        db = Database(settings.database_url)
        db.upgrade()
        clock: Clock = OffsetClock(now) if now is not None else SystemClock()
        if now is not None:
            log.warning("the clock is set to %s (caitien run --now); it runs on from there", now)
        application = build_application(settings, db, clock=clock)
        receiver: Receiver = webhook or Polling(settings.polling_timeout)
        log.info("caitien starting (%s)", "webhook" if webhook else "long polling")
        try:
            asyncio.run(serve(application, receiver, build_scheduler(application, clock)))
        except (NetworkError, InvalidToken) as exc:  # before it ever polled: say so in one line
            raise CannotStart(
                f"cannot reach the Bot API at {settings.telegram_api_base_url} ({exc})"
            ) from exc
        except WebhookError as exc:
            raise CannotStart(str(exc)) from exc


@contextlib.contextmanager
def one_process(database_url: str) -> Iterator[None]:
    """Hold an exclusive lock beside an SQLite database file while the bot runs (released by
    the kernel when the process ends, however it ends); PostgreSQL: nothing to hold."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield
        return
    path = Path(url.database).resolve()
    with open(f"{path}.lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise CannotStart(
                f"another caitien run is already serving {path}; stop it first"
            ) from exc
        yield


class CannotStart(Exception):
    """`caitien run` could not talk to the Bot API at all (no network, a wrong URL or token)."""
