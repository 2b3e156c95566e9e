"""The composition root: builds the python-telegram-bot Application and wires conversations.

Handlers are registered in one group that reads like a pipeline (order matters): commands
anyone may use, the member commands, buttons by prefix, then the catch-alls.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
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
from bot.core.i18n import LANGUAGES, resolve_language, translator
from bot.runtime.frame import SERVICES, Callback, Services, turn_handler
from bot.runtime.polling import serve
from bot.runtime.ptb_types import App
from bot.runtime.ratelimit import Limiter, Limits
from bot.runtime.scheduler import Scheduler
from bot.runtime.sender import Sender
from bot.runtime.workshop import Workshop
from bot.ui.views import View
from conversations import (
    add_row,
    digest,
    fallback,
    import_plan,
    owners,
    plan,
    reminders,
    report,
    rows,
    start,
    team,
)
from conversations import (
    settings as settings_flow,
)
from conversations.base import Turn, TurnFn
from db.session import Database

log = logging.getLogger(__name__)

COMMANDS = (
    "plan",
    "add",
    "mine",
    "report",
    "team",
    "invite",
    "import",
    "export",
    "report_year",
    "digest",
    "settings",
    "language",
    "help",
    "cancel",
)


def command_menu(language: str) -> list[BotCommand]:
    t = translator(language)
    descriptions = {
        "plan": t._("the plan of this school year"),
        "add": t._("write a new row"),
        "mine": t._("the rows you answer for"),
        "report": t._("report progress on your rows, with evidence"),
        "team": t._("the school's team"),
        "invite": t._("invite a new member"),
        "export": t._("the plan as a file"),
        "import": t._("import the plan from a Word or Excel file"),
        "report_year": t._("the end-of-year report"),
        "digest": t._("the plan at a glance: done, late, stuck"),
        "settings": t._("reminder times, holidays, your leave"),
        "language": t._("Vietnamese or English"),
        "help": t._("what I can do"),
        "cancel": t._("stop (drafts are kept)"),
    }
    return [BotCommand(c, descriptions[c]) for c in COMMANDS]


async def post_init(application: App) -> None:
    """Set the command menu per language (Vietnamese is also the default)."""
    scope = BotCommandScopeAllPrivateChats()
    await application.bot.set_my_commands(command_menu("vi"), scope=scope)
    for language in LANGUAGES:
        await application.bot.set_my_commands(
            command_menu(language), scope=scope, language_code=language
        )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error and tell the user, in their language, to try again. The network failing
    under a reply (the answer is stored; only the message was lost) is a warning on one line;
    anything else is an error with its traceback."""
    if isinstance(context.error, NetworkError):  # TimedOut included
        log.warning("a reply could not be sent (%s); the answer is stored", context.error)
    else:
        log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat and update.effective_user:
        settings: Settings = context.application.bot_data[SERVICES].settings
        t = translator(
            resolve_language(None, update.effective_user.language_code, settings.default_language)
        )
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


def register(application: App) -> None:
    private = filters.ChatType.PRIVATE
    handler = functools.partial(turn_handler, on_repeat=fallback.on_repeat)
    public = functools.partial(handler, needs_member=False)

    def shows(fn: TurnFn) -> Callback:
        return turn_handler(fn, on_repeat=_shown_again(fn))

    application.add_handlers(
        [
            # Anyone: onboarding and language.
            CommandHandler("start", public(start.on_start), filters=private),
            CommandHandler("help", public(start.on_help), filters=private),
            CommandHandler("language", public(start.on_language), filters=private),
            CallbackQueryHandler(public(start.on_language_chosen), pattern=r"^l:"),
            # Members.
            CommandHandler("plan", shows(plan.on_plan), filters=private),
            CommandHandler("add", handler(add_row.on_add), filters=private),
            CommandHandler("mine", shows(owners.on_mine), filters=private),
            CommandHandler("report", handler(report.on_report), filters=private),
            CallbackQueryHandler(handler(report.on_callback), pattern=r"^g:"),
            CallbackQueryHandler(handler(reminders.on_callback), pattern=r"^n:"),
            CommandHandler("digest", shows(digest.on_digest), filters=private),
            CommandHandler("settings", handler(settings_flow.on_settings), filters=private),
            CallbackQueryHandler(handler(settings_flow.on_callback), pattern=r"^c:"),
            CommandHandler("linkgroup", handler(digest.on_linkgroup)),
            CommandHandler("team", shows(team.on_team), filters=private),
            CommandHandler("invite", handler(team.on_invite), filters=private),
            CommandHandler("export", shows(plan.on_export), filters=private),
            CommandHandler("import", handler(import_plan.on_import), filters=private),
            CommandHandler("report_year", shows(plan.on_report_year), filters=private),
            CallbackQueryHandler(handler(import_plan.on_callback), pattern=r"^i:"),
            CommandHandler("school", handler(start.on_school), filters=private),
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
    )
    services.wake = sender.wake
    return Scheduler(services.db, clock, sender, settings.scheduler_interval)


def run(settings: Settings, now: dt.datetime | None = None) -> None:
    """Upgrade the schema, then schedule and long-poll until stopped.

    `now` sets the clock to that moment (it then runs on in real time), for trying a school year
    out and for tests.
    """
    db = Database(settings.database_url)
    db.upgrade()
    clock: Clock = OffsetClock(now) if now is not None else SystemClock()
    if now is not None:
        log.warning("the clock is set to %s (caitien run --now); it runs on from there", now)
    application = build_application(settings, db, clock=clock)
    log.info("caitien starting (long polling)")
    try:
        asyncio.run(
            serve(application, settings.polling_timeout, build_scheduler(application, clock))
        )
    except (NetworkError, InvalidToken) as exc:  # before it ever polled: say so in one line
        raise CannotStart(
            f"cannot reach the Bot API at {settings.telegram_api_base_url} ({exc})"
        ) from exc


class CannotStart(Exception):
    """`caitien run` could not talk to the Bot API at all (no network, a wrong URL or token)."""
