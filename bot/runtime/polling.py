"""Long polling that confirms an update only after it was handled.

python-telegram-bot's Updater asks for the next batch (which confirms the previous one to
Telegram) as soon as it has queued a batch, before the handlers ran: a crash in between loses
those updates for good. Here the offset moves past a batch only once every update in it has
been handled (its answer committed). After a crash Telegram delivers the batch again; the
per-chat `last_update_id` in the database makes handling it twice harmless. An update
python-telegram-bot cannot read is logged, skipped and confirmed with its batch (`fetch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import warnings
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import RetryAfter, TelegramError
from telegram.ext import Application, ExtBot
from telegram.warnings import PTBUserWarning

if TYPE_CHECKING:
    from bot.runtime.scheduler import Scheduler

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_BACKOFF = 30.0
# How long a long poll's answer may take beyond its `timeout` (HTTPXRequest's read timeout).
READ_SLACK = 5.0
# `fetch` asks for getUpdates through `do_api_request`, which warns that `get_updates` exists;
# that method is what cannot be used here (see `fetch`).
warnings.filterwarnings("ignore", r"Please use 'Bot\.getUpdates'", PTBUserWarning)


async def fetch(
    bot: ExtBot[Any], offset: int | None, timeout: int
) -> tuple[list[Update], int | None]:
    """One getUpdates call: the updates that could be read, and the offset that confirms the
    whole batch (None when nothing came).

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
    updates: list[Update] = []
    ids: list[int] = []
    for item in raw:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        if not isinstance(update_id, int):
            log.warning("getUpdates returned an update without an id; skipped")
            continue
        ids.append(update_id)
        try:
            update = Update.de_json(item, bot)
        except Exception as exc:  # whatever the parser raises: TypeError, KeyError, ...
            reason = " ".join(str(exc).split())[:200]
            log.warning(
                "update %s could not be read (%s: %s); skipped",
                update_id,
                type(exc).__name__,
                reason,
            )
            continue
        bot.insert_callback_data(update)
        updates.append(update)
    if raw and not ids:  # nothing to confirm them by: back off rather than ask again at once
        raise TelegramError("getUpdates answered updates without an id")
    return updates, (max(ids) + 1 if ids else None)


async def _handle_batch(application: Application, updates: list[Update]) -> None:  # type: ignore[type-arg]
    processor = application.update_processor
    results = await asyncio.gather(
        *(processor.process_update(u, application.process_update(u)) for u in updates),
        return_exceptions=True,
    )
    for update, result in zip(updates, results, strict=True):
        if isinstance(result, BaseException):
            log.error("update %s failed", update.update_id, exc_info=result)


async def poll(application: Application, timeout: int, stop: asyncio.Event) -> None:  # type: ignore[type-arg]
    """Fetch, handle, then confirm, until `stop` is set."""
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        try:
            updates, next_offset = await fetch(application.bot, offset, timeout)
        except RetryAfter as exc:
            await asyncio.sleep(
                float(
                    exc.retry_after
                    if isinstance(exc.retry_after, int)
                    else exc.retry_after.total_seconds()
                )
            )
            continue
        except TelegramError as exc:  # network, 409 Conflict, 5xx, an answer that is not JSON
            log.warning("getUpdates failed (%s); retrying in %.0f s", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        backoff = 1.0
        if updates:
            await _handle_batch(application, updates)
        if next_offset is not None:
            offset = next_offset


async def serve(
    application: Application,  # type: ignore[type-arg]
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
