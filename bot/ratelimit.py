"""Sliding-window rate limits for what the bot sends on its own (Telegram's limits, design §6).

Telegram allows about 30 messages per second per bot, one per second per chat and 20 per minute
per group. A token bucket (aiolimiter, which python-telegram-bot's AIORateLimiter uses) lets a
full bucket go out at once and refills it during the same second, so up to twice the limit can
land in one second; a sliding window never has more than `limit` sends in any `period`, which is
what the limits say. It is a few lines, so it is written here rather than depended on.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


class SlidingWindow:
    """At most `limit` acquisitions in any `period` seconds (monotonic time)."""

    def __init__(
        self, limit: int, period: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.period, self._clock = limit, period, clock
        self._times: deque[float] = deque()
        self._lock = asyncio.Lock()

    def delay(self) -> float:
        """Seconds to wait before the next acquisition is allowed (0: now)."""
        now = self._clock()
        while self._times and now - self._times[0] >= self.period:
            self._times.popleft()
        if len(self._times) < self.limit:
            return 0.0
        return self.period - (now - self._times[0])

    async def acquire(self) -> None:
        async with self._lock:
            while (wait := self.delay()) > 0:
                await asyncio.sleep(wait)
            self._times.append(self._clock())

    def idle(self) -> bool:
        return self.delay() == 0 and not self._times


@dataclass(frozen=True)
class Limits:
    per_bot: int = 30  # messages per second
    per_chat: float = 1.0  # seconds between two messages to one private chat
    per_group: int = 20  # messages per minute to one group
    # Added to each window: a request reaches Telegram a little after it is let through, and
    # not always equally late, so a window exactly as long as Telegram's would overrun it.
    margin: float = 0.05


class Limiter:
    """The bot-wide window plus one window per chat (groups have their own, slower one)."""

    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits
        self.bot = SlidingWindow(limits.per_bot, 1.0 + limits.margin)
        self._chats: dict[int, SlidingWindow] = {}

    def _chat(self, chat_id: int) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            window = (
                SlidingWindow(self.limits.per_group, 60.0 + self.limits.margin)
                if chat_id < 0
                else SlidingWindow(1, self.limits.per_chat + self.limits.margin)
            )
            self._chats[chat_id] = window
        return window

    async def acquire(self, chat_id: int) -> None:
        await self._chat(chat_id).acquire()
        await self.bot.acquire()
        if len(self._chats) > 10_000:  # forget chats whose window is empty
            for key in [k for k, w in self._chats.items() if w.idle()]:
                del self._chats[key]
