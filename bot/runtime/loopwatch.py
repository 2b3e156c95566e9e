"""How long the event loop stalls: a task that sleeps a few milliseconds in a loop and measures
how late it wakes up.

While the loop runs synchronous work (a SQL query, writing a DOCX), no other update is
handled, so the lateness of a short sleep is how long every user waited for that work. Off by
default; `CAITIEN_LOOP_WATCH=/path/to/file.json` starts it once `serve()` has started up (the
menus set, the scheduler running: from the first poll) until the stop, and then writes
`{"longest_stall_ms": ..., "stalls_over_50ms": ...}` to that file (the throughput benchmark
reads it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

ENV_VAR = "CAITIEN_LOOP_WATCH"
INTERVAL = 0.005  # seconds slept between two checks
COUNTED = 0.050  # a stall longer than this is counted (the file's `stalls_over_50ms`)
LOGGED = 0.100  # a stall longer than this is logged as a warning


class LoopWatch:
    """Measures the event loop's stalls from `start()` to `stop()`; at stop, logs the longest
    and writes the figures to `report_to` as JSON if given."""

    def __init__(self, report_to: Path | None = None, interval: float = INTERVAL) -> None:
        self.report_to, self.interval = report_to, interval
        self.longest = 0.0  # seconds
        self.stalls = 0  # stalls longer than COUNTED
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch(), name="loopwatch")

    async def _watch(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.observe(time.perf_counter() - before - self.interval)

    def observe(self, late: float) -> None:
        """Record one wake-up that came `late` seconds after it was due."""
        self.longest = max(self.longest, late)
        if late > COUNTED:
            self.stalls += 1
        if late > LOGGED:
            log.warning("event loop stalled for %.0f ms", late * 1000)
        elif late > COUNTED:
            log.info("event loop stalled for %.0f ms", late * 1000)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        log.info(
            "longest event-loop stall: %.0f ms (%d over %.0f ms)",
            self.longest * 1000,
            self.stalls,
            COUNTED * 1000,
        )
        if self.report_to is not None:
            try:
                self.report_to.write_text(json.dumps(self.figures()) + "\n", encoding="utf-8")
            except OSError as exc:  # a diagnostic: never fails the shutdown
                log.warning("could not write %s: %s", self.report_to, exc)

    def figures(self) -> dict[str, float | int]:
        return {
            "longest_stall_ms": round(self.longest * 1000, 1),
            "stalls_over_50ms": self.stalls,
        }


def start_from_environment() -> LoopWatch | None:
    """A started watch if `CAITIEN_LOOP_WATCH` names a file, else None (call in the loop)."""
    path = os.environ.get(ENV_VAR, "").strip()
    if not path:
        return None
    watch = LoopWatch(Path(path))
    watch.start()
    return watch
