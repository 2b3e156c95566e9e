"""Long polling that runs ahead of handling and loses nothing.

Each batch from `getUpdates` is first stored in the inbox (`bot.services.inbox`, one commit),
and only then confirmed to Telegram (by asking for the next batch). Updates are handled
concurrently, those of one chat in arrival order (`PerChatUpdateProcessor`); an update leaves
the inbox once its turn has committed *and* its answer was delivered (with the next batch's
commit, or at a stop). So a slow turn (an export) in one chat never delays the others, and after
a crash what was received but not answered is handled at the next start: applied once (the
chat state knows what was applied), its question asked again when only the answer was lost.

Updates are fetched as raw JSON and read one by one (`fetch`): an update that
python-telegram-bot cannot read is logged on one line and confirmed past with its batch, never
retried forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from telegram import Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from bot.runtime import loopwatch
from bot.runtime.frame import SERVICES, Services
from bot.runtime.ptb_types import App
from bot.runtime.sender import seconds
from bot.services import inbox

if TYPE_CHECKING:
    from bot.runtime.scheduler import Scheduler

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_BACKOFF = 30.0
# How long a long poll's answer may take beyond its `timeout`.
READ_SLACK = 5.0
# `fetch` asks for getUpdates through `do_api_request`, which warns that `get_updates` exists;
# that method is what cannot be used here (see `fetch`).
warnings.filterwarnings("ignore", r"Please use 'Bot\.getUpdates'", PTBUserWarning)
MAX_IN_FLIGHT = 64  # updates received and not finished; polling waits beyond that (a backlog
# stays with Telegram, not in memory, and a stop has little to finish)
ANSWERED_KEPT = 4096  # update ids remembered as answered (a batch is at most 100)
STOP_GRACE = 10.0  # seconds the turns in flight get to finish at a stop


def read(item: dict[str, Any], bot: ExtBot[Any]) -> Update | None:
    """One update as python-telegram-bot reads it; None (logged on one line) when it cannot."""
    try:
        update = Update.de_json(item, bot)
    except Exception as exc:  # whatever the parser raises: TypeError, KeyError, ...
        reason = " ".join(str(exc).split())[:200]
        log.warning(
            "update %s could not be read (%s: %s); skipped",
            item.get("update_id"),
            type(exc).__name__,
            reason,
        )
        return None
    bot.insert_callback_data(update)
    return update


async def fetch(
    bot: ExtBot[Any], offset: int | None, timeout: int
) -> tuple[list[tuple[dict[str, Any], Update]], int | None]:
    """One getUpdates call: the updates that could be read (each with its raw JSON, which the
    inbox keeps), and the offset that confirms the whole batch (None when nothing came).

    Not `bot.get_updates`: it parses the batch in one go (`Update.de_list`), so a single update
    python-telegram-bot cannot read (a `message` that is not an object, a field of a newer Bot
    API with an unexpected type) raises for the whole batch before its ids are known. The
    offset then never moves past it and the bot fails on the same batch at every restart; PTB's
    own Updater logs the error and asks again with the same offset, so it gets the same batch
    forever. "Last offset + 1" would only guess: after a restart there is no last offset, and
    it would drop the good updates of the batch. So the batch comes raw, each update is parsed
    on its own; one that cannot be read is logged on one line and skipped, and the offset
    still moves past the highest id of the batch, which confirms it with the others.
    """
    raw = await bot.do_api_request(
        "getUpdates",
        api_kwargs={"offset": offset, "timeout": timeout, "allowed_updates": ALLOWED_UPDATES},
        read_timeout=timeout + READ_SLACK,
    )
    if not isinstance(raw, list):
        raise TelegramError(f"getUpdates answered {type(raw).__name__}, not a list")
    updates: list[tuple[dict[str, Any], Update]] = []
    ids: list[int] = []
    for item in raw:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        if not isinstance(update_id, int):
            log.warning("getUpdates returned an update without an id; skipped")
            continue
        ids.append(update_id)
        update = read(item, bot)
        if update is not None:
            updates.append((item, update))
    if raw and not ids:  # nothing to confirm them by: back off rather than ask again at once
        raise TelegramError("getUpdates answered updates without an id")
    return updates, (max(ids) + 1 if ids else None)


class Poller:
    """Fetch, store, confirm, dispatch; answered updates leave the inbox with the next batch."""

    def __init__(self, application: App, timeout: int) -> None:
        self.application = application
        self.timeout = timeout
        services: Services = application.bot_data[SERVICES]
        self.services = services
        self.in_flight: dict[int, asyncio.Task[None]] = {}
        self.handled: list[int] = []  # answered since the last commit of the inbox
        # Recently answered ids: Telegram delivers a batch again when the bot stopped before
        # confirming it (also the batch recovered from the inbox); not handled twice here.
        self.answered: dict[int, None] = {}
        self.stopping = False

    async def _db(self, fn: Any, *args: Any) -> Any:
        def unit() -> Any:
            with self.services.db.transaction() as session:
                return fn(session, *args)

        return await asyncio.get_running_loop().run_in_executor(self.services.turns, unit)

    def _dispatch(self, update: Update) -> None:
        if update.update_id in self.in_flight or update.update_id in self.answered:
            return
        self.in_flight[update.update_id] = asyncio.create_task(self._handle(update))

    async def _handle(self, update: Update) -> None:
        processor = self.application.update_processor
        started = False

        async def turn() -> None:  # runs once the chat's earlier updates are done
            nonlocal started
            if self.stopping:  # not begun before the stop: kept in the inbox for the next start
                return
            started = True
            await self.application.process_update(update)

        try:
            await processor.process_update(update, turn())
        except Exception:
            log.exception("update %s failed", update.update_id)
        finally:
            self.in_flight.pop(update.update_id, None)
            if started:
                self.handled.append(update.update_id)
                self.answered[update.update_id] = None
                if len(self.answered) > ANSWERED_KEPT:
                    del self.answered[next(iter(self.answered))]

    async def recover(self) -> int | None:
        """Handle what was received before a stop or a crash; the next offset."""
        pending: list[dict[str, Any]] = await self._db(inbox.pending)
        if pending:
            log.info("%d update(s) received before the restart are handled now", len(pending))
        for item in pending:
            update = read(item, self.application.bot)
            if update is None:
                self.handled.append(item["update_id"])  # unreadable now: forgotten, not retried
            else:
                self._dispatch(update)
        ids = [r["update_id"] for r in pending if isinstance(r.get("update_id"), int)]
        return max(ids) + 1 if ids else None

    async def run(self, stop: asyncio.Event) -> None:
        offset = await self.recover()
        backoff = 1.0
        while not stop.is_set():
            if len(self.in_flight) >= MAX_IN_FLIGHT:
                await asyncio.wait(
                    list(self.in_flight.values()), return_when=asyncio.FIRST_COMPLETED
                )
                continue
            fetching = asyncio.ensure_future(fetch(self.application.bot, offset, self.timeout))
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not fetching.done():  # stopped while waiting: that batch was never confirmed
                fetching.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetching
                break
            try:
                batch, next_offset = fetching.result()
            except RetryAfter as exc:
                await asyncio.sleep(seconds(exc.retry_after))
                continue
            except TelegramError as exc:  # network, timeout, conflict, an answer not understood
                log.warning("getUpdates failed (%s); retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 1.0
            handled, self.handled = self.handled, []
            batch = [(raw, u) for raw, u in batch if u.update_id not in self.answered]
            if batch or handled:  # durable before it is confirmed (by the next getUpdates)
                await self._db(inbox.store, [raw for raw, _ in batch], handled)
            if next_offset is not None:
                offset = next_offset
            for _, update in batch:
                self._dispatch(update)
        await self.finish()

    async def finish(self) -> None:
        """At a stop: let the turns in flight finish (they commit), forget what was handled;
        what had not started stays in the inbox for the next start."""
        self.stopping = True  # what waits for its chat's turn now stays in the inbox
        if self.in_flight:
            await asyncio.wait(list(self.in_flight.values()), timeout=STOP_GRACE)
        handled, self.handled = self.handled, []
        if handled:
            await self._db(inbox.forget, handled)


async def poll(application: App, timeout: int, stop: asyncio.Event) -> None:
    """Fetch, store, confirm and handle, until `stop` is set."""
    await Poller(application, timeout).run(stop)


class Receiver(Protocol):
    """How updates arrive: long polling (the default) or a webhook (`bot.runtime.webhook`)."""

    async def start(self, application: App) -> None:
        """Tell Telegram how updates are to come (delete or set the webhook)."""

    async def run(self, application: App, stop: asyncio.Event) -> None:
        """Receive and handle updates until `stop` is set, then finish what is in flight."""


@dataclass(frozen=True)
class Polling:
    timeout: int  # seconds a getUpdates long poll waits on the server

    async def start(self, application: App) -> None:
        await application.bot.delete_webhook(drop_pending_updates=False)

    async def run(self, application: App, stop: asyncio.Event) -> None:
        await poll(application, self.timeout, stop)


async def serve(
    application: App,
    receiver: Receiver,
    scheduler: Scheduler | None = None,
) -> None:
    """Run the bot until SIGINT/SIGTERM: initialise, set the menus, schedule, receive updates,
    shut down cleanly (the sender finishes the message in flight)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    watch: loopwatch.LoopWatch | None = None
    await application.initialize()
    services: Services = application.bot_data[SERVICES]
    if services.workshop is not None:  # the document workers start with the bot (off the loop:
        await loop.run_in_executor(services.turns, services.workshop.warm_up)  # spawning waits)
    try:
        await receiver.start(application)
        if application.post_init:
            await application.post_init(application)
        await application.start()
        if scheduler is not None:
            await scheduler.start()
        # What start-up made lives as long as the process: out of the collector's sight, so a
        # full collection (in whichever thread triggers it) stays short and the loop never waits.
        gc.freeze()
        # CAITIEN_LOOP_WATCH: stall figures from the moment the bot serves until it stops.
        watch = loopwatch.start_from_environment()
        await receiver.run(application, stop)  # returns once stopped, turns finished
        log.info("caitien stopping")
        if scheduler is not None:
            await scheduler.stop()
        await application.stop()
    finally:
        await application.shutdown()
        if services.workshop is not None:
            services.workshop.shutdown()
        if watch is not None:
            await watch.stop()
