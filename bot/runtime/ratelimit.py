"""Sliding-window rate limits for what the bot sends on its own (Telegram's limits, see
docs/design.md §3).

Telegram allows about 30 messages per second per bot, one per second per chat and 20 per minute
per group. A token bucket (aiolimiter, which python-telegram-bot's AIORateLimiter uses) lets a
full bucket go out at once and refills it during the same second, so up to twice the limit can
land in one second; a sliding window never has more than `limit` sends in any `period`, which is
what the limits say. It is a few lines, so it is written here rather than depended on.

Telegram counts a message when its request arrives, somewhere between our sending it and our
reading the answer, and how long that takes varies. So each send holds its slot from the moment
it is let through and, once answered, the slot is moved to the moment of the answer: the next
send in that window then starts at least one period after Telegram counted the previous one,
whatever the network did in between.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass


class Slot:
    """One send's place in a window: when it was let through, then when it was answered."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


class SlidingWindow:
    """At most `limit` sends in any `period` seconds (monotonic time)."""

    def __init__(
        self, limit: int, period: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.period, self._clock = limit, period, clock
        self._slots: list[Slot] = []
        self._lock = asyncio.Lock()

    def delay(self) -> float:
        """Seconds to wait before the next send is allowed (0: now)."""
        now = self._clock()
        self._slots = [s for s in self._slots if now - s.at < self.period]
        if len(self._slots) < self.limit:
            return 0.0
        return self.period - (now - min(s.at for s in self._slots))

    async def acquire(self) -> Slot:
        async with self._lock:
            while (wait := self.delay()) > 0:
                await asyncio.sleep(wait)
            slot = Slot(self._clock())
            self._slots.append(slot)
            return slot

    def answered(self, slot: Slot) -> None:
        slot.at = self._clock()

    def idle(self) -> bool:
        return self.delay() == 0 and not self._slots


@dataclass(frozen=True)
class Limits:
    per_bot: int = 30  # messages per second
    per_chat: float = 1.0  # seconds between two messages to one private chat
    per_group: int = 20  # messages per minute to one group


class Limiter:
    """The bot-wide window plus one window per chat (groups have their own, slower one)."""

    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits
        self.bot = SlidingWindow(limits.per_bot, 1.0)
        self._chats: dict[int, SlidingWindow] = {}

    def _chat(self, chat_id: int) -> SlidingWindow:
        window = self._chats.get(chat_id)
        if window is None:
            window = (
                SlidingWindow(self.limits.per_group, 60.0)
                if chat_id < 0
                else SlidingWindow(1, self.limits.per_chat)
            )
            self._chats[chat_id] = window
        return window

    async def acquire(self, chat_id: int) -> tuple[Slot, Slot]:
        """Wait for room in the chat's window and the bot's; give the slots back to `answered`."""
        chat = await self._chat(chat_id).acquire()
        bot = await self.bot.acquire()
        if len(self._chats) > 10_000:  # forget chats whose window is empty
            for key in [k for k, w in self._chats.items() if w.idle()]:
                del self._chats[key]
        return chat, bot

    def answered(self, slots: tuple[Slot, Slot]) -> None:
        now = time.monotonic()
        for slot in slots:
            slot.at = now
