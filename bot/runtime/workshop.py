"""The one place slow files are made: documents and charts, in a separate process.

A turn that exports the plan or draws the digest's chart returns views whose content is
`bot.ui.views.Later` (a function and its data). After the turn has committed, the frame (and
the sender) hand them here: a small pool of worker processes makes the bytes, at a lower CPU
priority than the bot. So an export never holds the database, never takes the GIL from the
event loop and the other turns, and many exports queue here instead of slowing everybody.

Processes rather than threads: building a DOCX is pure-Python CPU work (python-docx, lxml
calls in between), which in a thread would share the interpreter lock with every other turn
(measured by `benchmarks/throughput.py`, phase c). `spawn`, because the bot process has threads.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor

from bot.documents import plan_export, report  # noqa: F401  (loaded in the workers)
from bot.ui import digest_view  # noqa: F401
from bot.ui.views import Later, View, still_to_make

log = logging.getLogger(__name__)
NICENESS = 10  # below the bot: interactive turns first, files when there is room
ORPHAN_CHECK = 1.0  # seconds between two looks at whether the bot is still there


def _start_worker(parent: int) -> None:
    """In each worker: a lower CPU priority, and an end when the bot is gone. A bot killed
    outright (SIGKILL, a crash) cannot stop its pool, and a worker waiting for work would wait
    for ever (it holds its queue's other end itself), so it watches who its parent is."""
    try:
        os.nice(NICENESS)
    except OSError:  # not allowed here: same priority, still off the bot's interpreter
        log.info("the document workers keep the bot's CPU priority")
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="orphan-watch").start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK)
    os._exit(0)


def _warm() -> bytes:
    """Nothing: sent once at start-up, so that each worker has imported this module and with it
    everything documents and charts need before the first export."""
    return b""


class Workshop:
    """A pool of worker processes that make `Later` content."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        return self._pool

    def warm_up(self) -> Future[bytes]:
        """Start the workers now (at start-up) rather than at the first export."""
        return self._executor().submit(_warm)

    def _submit(self, later: Later) -> Future[bytes]:
        return self._executor().submit(later.fn, *later.args)

    async def make(self, views: list[View]) -> list[View]:
        """The views with their `Later` content made (awaiting the workers, not blocking)."""
        pending = still_to_make(views)
        if not pending:
            return views
        futures = [asyncio.wrap_future(self._submit(later)) for later in pending]
        content = dict(zip(map(id, pending), await asyncio.gather(*futures), strict=True))
        return [view.made(content) for view in views]

    def make_blocking(self, views: list[View]) -> list[View]:
        """The same, for code already in a worker thread (the sender's preparation)."""
        pending = still_to_make(views)
        if not pending:
            return views
        content = {id(later): self._submit(later).result() for later in pending}
        return [view.made(content) for view in views]

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)  # the workers exit cleanly
            self._pool = None
