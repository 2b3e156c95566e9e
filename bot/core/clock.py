"""The one clock: everything that reads the time asks it (`caitien run --now` moves it).

Always timezone-aware. `SystemClock` is the real time; `OffsetClock` starts at a chosen moment
and then runs on in real time (for trying a school year out); `ManualClock` only moves when told
(tests and benchmarks: no sleeping).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("aware datetimes only")
    return moment


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class OffsetClock:
    """Starts at `start` and runs on in real time."""

    def __init__(self, start: dt.datetime) -> None:
        self.start = _aware(start)
        self._t0 = time.monotonic()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self._t0)

    def __repr__(self) -> str:
        return f"OffsetClock(start={self.start.isoformat()})"


class ManualClock:
    """Stands still until moved."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = _aware(start)

    def now(self) -> dt.datetime:
        return self.moment

    def set(self, moment: dt.datetime) -> None:
        self.moment = _aware(moment)

    def advance(self, **delta: float) -> dt.datetime:
        self.moment += dt.timedelta(**delta)
        return self.moment


def is_simulated(clock: Clock) -> bool:
    return not isinstance(clock, SystemClock)
