"""Handler tests: the real Application, in-process, against the emulator (no sockets)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from telegram import Update

from bot.core.clock import ManualClock
from bot.domain import document_settings
from bot.runtime.app import build_application, post_init
from bot.runtime.frame import SERVICES
from bot.runtime.sender import Sender
from bot.runtime.workshop import Workshop
from bot.services import outbox
from bot.services.files import FileStore
from bot.services.schools import create_school
from db.models import School
from db.session import Database
from tests.conftest import TOKEN
from tests.emulator import BotApiEmulator, EmulatorRequest

# Every handler test starts at this moment, whatever the wall clock says: a Tuesday morning of
# the 2026-2027 school year, outside quiet hours and holidays. A test that needs a night, a
# holiday or another day sets it (`harness.running_at`, `harness.clock.set`) and says why.
# One pool of document workers for the whole test session (spawning one per test is slow).
WORKSHOP = Workshop(1)

START = dt.datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


class Harness:
    """Act as people and collect what the bot said back, update by update."""

    def __init__(
        self, application: Any, core: BotApiEmulator, db: Database, clock: ManualClock
    ) -> None:
        self.app = application
        self.core = core
        self.db = db
        self.clock = clock
        self._sender: Sender | None = None

    @property
    def sender(self) -> Sender:
        """The bot's one sender, on the same clock (drained by hand: no scheduler, no sleep)."""
        if self._sender is None:
            files = FileStore(self.app.bot_data[SERVICES].settings.files_dir)
            self._sender = Sender(self.app.bot, self.db, self.clock, read=files.read)
        return self._sender

    def running_at(self, moment: dt.datetime) -> None:
        """Set the clock, as if the bot had been running (and materialising) until then."""
        self.clock.set(moment)
        with self.db.transaction() as session:
            session.execute(update(School).values(materialised_until=moment))

    async def tick(self, **delta: float) -> int:
        """Move the clock, materialise what came due and drain the outbox; items handled."""
        if delta:
            self.clock.advance(**delta)
        with self.db.transaction() as session:
            outbox.materialise(session, self.clock.now())
        return await self.sender.drain()

    def user(self, user_id: int, name: str = "Hà", language: str = "vi") -> None:
        self.core.user(user_id, first_name=name, language_code=language)

    async def _process(
        self, user_id: int, updates: list[dict[str, Any]] | None = None
    ) -> list[dict]:
        bot = self.core.bot(TOKEN)
        before = len(bot.events.get(user_id, []))
        for raw in updates if updates is not None else self.core.pop_updates(TOKEN):
            await self.app.process_update(Update.de_json(raw, self.app.bot))
        ids = bot.events.get(user_id, [])[before:]
        chat = bot.messages.get(user_id, {})
        return [chat.get(i, {"message_id": i, "text": "", "deleted": True}) for i in ids]

    async def send(self, user_id: int, text: str) -> list[dict]:
        self.core.send_text(TOKEN, user_id, text)
        return await self._process(user_id)

    async def press(
        self,
        user_id: int,
        button_text: str | None = None,
        *,
        data: str | None = None,
        message_id: int | None = None,
    ) -> list[dict]:
        self.core.press(TOKEN, user_id, message_id=message_id, data=data, button_text=button_text)
        return await self._process(user_id)

    async def forge(self, user_id: int, data: str, message_id: int = 1) -> list[dict]:
        self.core.forge_callback(TOKEN, user_id, message_id, data)
        return await self._process(user_id)

    async def replay(self, user_id: int, update: dict[str, Any]) -> list[dict]:
        """Deliver an update again, as Telegram does after a crash before confirmation."""
        return await self._process(user_id, [update])

    def toasts(self) -> list[str]:
        return [
            c["params"].get("text") or "" for c in self.core.calls(TOKEN, "answerCallbackQuery")
        ]

    async def principal(
        self,
        user_id: int,
        school: str = "THCS Lê Quý Đôn",
        level: str = "thcs",
        language: str = "vi",
        principal_name: str | None = "Nguyễn Thị Thu Hà",
    ) -> list[dict]:
        """The principal joins; the signing name set beforehand (as `caitien school set` does),
        so it is not asked; `principal_name=None` leaves the question to the join."""
        with self.db.transaction() as session:
            created, invite = create_school(session, school, level, None, "Asia/Ho_Chi_Minh")
            if principal_name:
                document_settings.update(created, principal_name=principal_name)
            code = invite.code
        self.user(user_id, language=language)
        return await self.send(user_id, f"/start {code}")


def text(messages: list[dict]) -> str:
    return "\n---\n".join(m.get("text", "") for m in messages)


def buttons(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


@pytest.fixture
async def harness(settings, db) -> AsyncIterator[Harness]:
    core = BotApiEmulator()
    clock = ManualClock(START)
    application = build_application(
        settings,
        db,
        request=EmulatorRequest(core),
        get_updates_request=EmulatorRequest(core),
        clock=clock,
        workshop=WORKSHOP,
    )
    await application.initialize()
    await post_init(application)
    yield Harness(application, core, db, clock)
    await application.shutdown()
