"""Long polling that runs ahead of handling and loses nothing.

Each batch from `getUpdates` is first stored in the inbox (`bot.services.inbox`, one commit),
and only then confirmed to Telegram (by asking for the next batch). Updates are handled
concurrently, those of one chat in arrival order (`PerChatUpdateProcessor`); each turn deletes
its update from the inbox in its own transaction. So a slow turn (an export) in one chat never
delays the others, and after a crash what was received but not handled is handled at the next
start, once (a committed turn has already deleted its update).

Updates are fetched as raw JSON (`Bot.do_api_request`) and read one by one: an update that
python-telegram-bot cannot read is logged and confirmed past, never retried forever (the
library's `get_updates` would raise for the whole batch, again at every start).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import signal
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut

from bot.runtime import loopwatch
from bot.runtime.frame import SERVICES, Services
from bot.runtime.ptb_types import App
from bot.services import inbox

if TYPE_CHECKING:
    from bot.runtime.scheduler import Scheduler

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_BACKOFF = 30.0
MAX_IN_FLIGHT = 256  # updates being handled at once; polling waits beyond that
STOP_GRACE = 10.0  # seconds the turns in flight get to finish at a stop


def _seconds(value: float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class Poller:
    """Fetch, store, confirm, dispatch; handled updates leave the inbox with their turn."""

    def __init__(self, application: App, timeout: int) -> None:
        self.application = application
        self.timeout = timeout
        services: Services = application.bot_data[SERVICES]
        self.services = services
        self.in_flight: dict[int, asyncio.Task[None]] = {}
        self.handled: list[int] = []  # finished since the last commit of the inbox

    async def _db(self, fn: Any, *args: Any) -> Any:
        def unit() -> Any:
            with self.services.db.transaction() as session:
                return fn(session, *args)

        return await asyncio.get_running_loop().run_in_executor(self.services.turns, unit)

    def _dispatch(self, raw: dict[str, Any]) -> None:
        update_id = raw.get("update_id")
        if not isinstance(update_id, int):
            log.warning("an update without an update_id was skipped")
            return
        try:
            update = Update.de_json(raw, self.application.bot)
        except Exception as exc:  # malformed: confirmed past, never retried
            log.warning("update %s could not be read (%s); skipped", update_id, type(exc).__name__)
            self.handled.append(update_id)
            return
        if update is None or update_id in self.in_flight:
            return
        task = asyncio.create_task(self._handle(update))
        self.in_flight[update_id] = task

    async def _handle(self, update: Update) -> None:
        processor = self.application.update_processor
        try:
            await processor.process_update(update, self.application.process_update(update))
        except Exception:
            log.exception("update %s failed", update.update_id)
        finally:
            self.in_flight.pop(update.update_id, None)
            self.handled.append(update.update_id)

    async def recover(self) -> int | None:
        """Handle what was received before a stop or a crash; the next offset."""
        pending: list[dict[str, Any]] = await self._db(inbox.pending)
        if pending:
            log.info("%d update(s) received before the restart are handled now", len(pending))
        for raw in pending:
            self._dispatch(raw)
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
            fetch = asyncio.ensure_future(
                self.application.bot.do_api_request(
                    "getUpdates",
                    api_kwargs={
                        "offset": offset,
                        "timeout": self.timeout,
                        "allowed_updates": ALLOWED_UPDATES,
                    },
                    read_timeout=self.timeout + 10,
                )
            )
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not fetch.done():  # stopped while waiting: that batch was never confirmed
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetch
                break
            try:
                batch = fetch.result()
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc.retry_after))
                continue
            except (TimedOut, NetworkError, Conflict) as exc:
                log.warning("getUpdates failed (%s); retrying in %.0f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = 1.0
            raw = [u for u in batch if isinstance(u, dict)] if isinstance(batch, list) else []
            handled, self.handled = self.handled, []
            if raw or handled:
                await self._db(inbox.store, raw, handled)  # durable before it is confirmed
            ids = [u["update_id"] for u in raw if isinstance(u.get("update_id"), int)]
            if ids:
                offset = max(ids) + 1
            for update in raw:
                self._dispatch(update)
        await self.finish()

    async def finish(self) -> None:
        """At a stop: let the turns in flight finish (they commit), forget what was handled;
        what had not started stays in the inbox for the next start."""
        if self.in_flight:
            await asyncio.wait(list(self.in_flight.values()), timeout=STOP_GRACE)
        handled, self.handled = self.handled, []
        if handled:
            await self._db(inbox.forget, handled)


async def poll(application: App, timeout: int, stop: asyncio.Event) -> None:
    """Fetch, store, confirm and handle, until `stop` is set."""
    await Poller(application, timeout).run(stop)


async def serve(
    application: App,
    timeout: int,
    scheduler: Scheduler | None = None,
) -> None:
    """Run the bot until SIGINT/SIGTERM: initialise, set the menus, schedule, poll, shut down
    cleanly (the sender finishes the message in flight)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    watch = loopwatch.start_from_environment()  # CAITIEN_LOOP_WATCH: stall figures, at stop
    await application.initialize()
    services: Services = application.bot_data[SERVICES]
    if services.workshop is not None:  # the document workers start with the bot (off the loop:
        await loop.run_in_executor(services.turns, services.workshop.warm_up)  # spawning waits)
    try:
        await application.bot.delete_webhook(drop_pending_updates=False)
        if application.post_init:
            await application.post_init(application)
        await application.start()
        if scheduler is not None:
            await scheduler.start()
        # What start-up made lives as long as the process: out of the collector's sight, so a
        # full collection (in whichever thread triggers it) stays short and the loop never waits.
        gc.freeze()
        await poll(application, timeout, stop)  # returns once stopped, turns finished
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
