"""Long polling that confirms an update only after it was handled.

python-telegram-bot's Updater asks for the next batch (which confirms the previous one to
Telegram) as soon as it has queued a batch, before the handlers ran: a crash in between loses
those updates for good. Here the offset moves past a batch only once every update in it has
been handled (its answer committed). After a crash Telegram delivers the batch again; the
per-chat `last_update_id` in the database makes handling it twice harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut

if TYPE_CHECKING:
    from bot.runtime.ptb_types import App
    from bot.runtime.scheduler import Scheduler

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_BACKOFF = 30.0


async def _handle_batch(application: App, updates: tuple[Update, ...]) -> None:
    processor = application.update_processor
    results = await asyncio.gather(
        *(processor.process_update(u, application.process_update(u)) for u in updates),
        return_exceptions=True,
    )
    for update, result in zip(updates, results, strict=True):
        if isinstance(result, BaseException):
            log.error("update %s failed", update.update_id, exc_info=result)


async def poll(application: App, timeout: int, stop: asyncio.Event) -> None:
    """Fetch, handle, then confirm, until `stop` is set."""
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        try:
            updates = await application.bot.get_updates(
                offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
            )
        except RetryAfter as exc:
            await asyncio.sleep(
                float(
                    exc.retry_after
                    if isinstance(exc.retry_after, int)
                    else exc.retry_after.total_seconds()
                )
            )
            continue
        except (TimedOut, NetworkError, Conflict) as exc:
            log.warning("getUpdates failed (%s); retrying in %.0f s", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        backoff = 1.0
        if updates:
            await _handle_batch(application, updates)
            offset = updates[-1].update_id + 1


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
    await application.initialize()
    try:
        await application.bot.delete_webhook(drop_pending_updates=False)
        if application.post_init:
            await application.post_init(application)
        await application.start()
        if scheduler is not None:
            await scheduler.start()
        poller = asyncio.create_task(poll(application, timeout, stop))
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({poller, stopper}, return_when=asyncio.FIRST_COMPLETED)
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
        stopper.cancel()
        log.info("caitien stopping")
        if scheduler is not None:
            await scheduler.stop()
        await application.stop()
    finally:
        await application.shutdown()
