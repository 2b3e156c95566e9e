"""The one place that schedules: APScheduler inside the bot process (docs/design.md §3).

Two things run on their own:
- the materialiser, an interval job (every `CAITIEN_SCHEDULER_INTERVAL` seconds): writes what
  came due into the outbox (`bot.services.outbox.materialise`) and wakes the sender.
  Reminders, prompts, the weekly digests and the June summary are all planned by
  `bot.domain.notification_rules`, so one job covers them, including whatever came due while the bot
  was down. A cron job per digest would need a
  catch-up rule of its own after downtime; this way there is one.
- the sender (`bot.runtime.sender.Sender.run`), a task that drains the outbox as items come due.

With several workers on one PostgreSQL database, both run in the one worker that holds the
outbox lease (`bot.services.leases`); the others try for it at each run and take over within
seconds of the holder's end.

Jobs run with `misfire_grace_time=None` (a late run still runs) and `coalesce=True` (several
missed runs run once); the schedule itself never depends on a job having run on time, because
each run covers everything since the previous one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.clock import Clock
from bot.runtime.sender import Sender
from bot.services import menus, outbox
from db.session import Database

log = logging.getLogger(__name__)
JOB_DEFAULTS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}


class Scheduler:
    def __init__(self, db: Database, clock: Clock, sender: Sender, interval: float = 30.0) -> None:
        self.db, self.clock, self.sender, self.interval = db, clock, sender, interval
        self.scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults=JOB_DEFAULTS)
        self._stop = asyncio.Event()
        self._sender_task: asyncio.Task[None] | None = None
        self._materialising = asyncio.Lock()  # held by a run in progress (see `stop`)

    def materialise_now(self) -> outbox.Materialised:
        if not self.sender.lease.hold():  # another worker materialises (`bot.services.leases`)
            return outbox.Materialised()
        with self.db.transaction() as session:
            result = outbox.materialise(session, self.clock.now())
            # Members of schools whose menus predate per-role menus (or a change of them).
            menus_written = menus.backfill(session, self.clock.now())
        if menus_written:
            log.info("command menus to set for %d member(s)", menus_written)
            result.created += menus_written
        if result.created:
            log.info(
                "outbox: %d new item(s) for %d school(s), %d superseded",
                result.created,
                result.schools,
                result.superseded,
            )
        return result

    async def _materialise_job(self) -> None:
        async with self._materialising:
            try:
                result = await asyncio.to_thread(self.materialise_now)
            except Exception:
                log.exception("materialising the outbox failed; the next run covers the gap")
                return
        if result.created:
            self.sender.wake()

    async def start(self) -> None:
        self.scheduler.add_job(
            self._materialise_job,
            IntervalTrigger(seconds=self.interval, timezone=dt.UTC),
            id="materialise",
            next_run_time=dt.datetime.now(dt.UTC),
            replace_existing=True,
        )
        self.scheduler.start()
        self._sender_task = asyncio.create_task(self.sender.run(self._stop))

    async def stop(self) -> None:
        """Stop scheduling, once a materialiser run in progress is done; let the sender finish
        the message in flight."""
        if self.scheduler.running:
            # APScheduler's shutdown cancels the job coroutines still running (and logs each as
            # an error) while their thread goes on. So: no new run, let a run submitted just now
            # start (it takes the lock at once), wait for the run in progress, then shut down.
            self.scheduler.pause()
            await asyncio.sleep(0)
            async with self._materialising:
                self.scheduler.shutdown(wait=False)
        self._stop.set()
        self.sender.wake()
        if self._sender_task is not None:
            # Each worker finishes the message it is sending (a 429 wait can take a while);
            # only past this does a stop cut a send short (then it is resent: see the sender).
            try:
                await asyncio.wait_for(asyncio.shield(self._sender_task), timeout=30)
            except TimeoutError:
                self._sender_task.cancel()
        await asyncio.to_thread(self.sender.lease.release)  # another worker takes over at once
