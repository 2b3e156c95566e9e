"""Two workers in webhook mode on one PostgreSQL database, behind a small round-robin forwarder
(as a load balancer would be), against the emulator (issue 14, point 2).

- 20 principals write a row each at a person's pace; one worker is SIGKILLed in the middle and
  they carry on through the other: every row complete, no answer applied twice.
- A due day with 300 owners: every reminder arrives (counted at the emulator) with the
  emulator's 30/s limit on, 0 × 429; one worker materialises and sends at a time (the outbox
  lease), and when it is killed the other takes over; duplicates only of what was in flight.

PostgreSQL only (CI's second run): two processes on one SQLite file is what `caitien run`
refuses.
"""

from __future__ import annotations

import asyncio
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.services.schools import create_school
from db.models import Plan, PlanRow, RowStatus, School
from db.session import Database
from tests.conftest import POSTGRES_URL, TOKEN
from tests.e2e.conftest import ROOT
from tests.e2e.test_reminders import PRINCIPAL, reminders, seed
from tests.e2e.test_webhook import SECRET, free_port
from tests.emulator.forwarder import Forwarder, wait_healthy

pytestmark = pytest.mark.skipif(POSTGRES_URL is None, reason="PostgreSQL only")

NOW = "2026-12-01T09:30:00+07:00"
USERS = range(7301, 7321)  # 20 principals, a school each
EXPECTED = "Giữ vững Mức 2, đạt Mức 3 vào cuối năm học"
TASKS = "- Họp tổ 2 lần/tháng;\n- Chuyên đề STEM."
LEAD = "PHT chuyên môn, TTCM"
TIMELINE = "Tháng 9/2026 – 5/2027"
BUDGET = "Dự kiến 5.000.000/năm học"


class Worker:
    """`caitien run --webhook` on a port of its own; Telegram is told the forwarder's URL."""

    def __init__(self, bot: Any, name: str, url: str) -> None:
        self.env, self.name, self.url = bot.env, name, url
        self.port = free_port()
        self.upstream = f"http://127.0.0.1:{self.port}/tg"
        self.log_path: Path = bot.log_path.parent / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self, now: str) -> None:
        log = self.log_path.open("ab")
        args = [sys.executable, "-m", "bot", "run", "--now", now, "--webhook"]
        args += ["--listen", "127.0.0.1", "--port", str(self.port)]
        args += ["--url", self.url, "--secret", SECRET]
        self.proc = subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=log)
        await wait_healthy(self.port, self.proc, self.log_path)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


async def two_workers(bot: Any, server: Any, now: str) -> tuple[Forwarder, list[Worker]]:
    forwarder = Forwarder(free_port())
    workers = [Worker(bot, f"worker{i}", forwarder.url) for i in (1, 2)]
    await forwarder.start([w.upstream for w in workers])
    for worker in workers:
        await worker.start(now)
    assert server.core.bot(TOKEN).webhook == forwarder.url
    return forwarder, workers


def shown(message: dict[str, Any]) -> str:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return "\n".join([message.get("text", ""), *[b["text"] for row in rows for b in row]])


class Person:
    """A principal at a phone: writes or presses, waits for the answer that matters (a question
    asked again after a worker died is passed by), then takes a moment."""

    def __init__(self, core: Any, user: int, rng: random.Random) -> None:
        self.core, self.user, self.rng = core, user, rng

    async def until(self, expect: str) -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            [message] = await self.core.wait_for_bot_messages(TOKEN, self.user, timeout=60)
            if expect in shown(message):
                await asyncio.sleep(self.rng.uniform(0.2, 0.8))  # reading, typing
                return message
        raise TimeoutError(f"user {self.user} never saw {expect!r}")

    async def say(self, text: str, expect: str) -> dict[str, Any]:
        self.core.send_text(TOKEN, self.user, text)
        return await self.until(expect)

    async def press(self, message: dict[str, Any], button: str, expect: str) -> dict[str, Any]:
        self.core.press(TOKEN, self.user, message_id=message["message_id"], button_text=button)
        return await self.until(expect)


async def write_a_row(person: Person, code: str, steps: list[int]) -> None:
    await person.say(f"/start {code}", "vai trò hiệu trưởng")
    standards = await person.say("/add", "Chọn tiêu chuẩn")
    criteria = await person.press(standards, "Tiêu chuẩn 1", "1.4")
    await person.press(criteria, "1.4 ", "Kết quả cần đạt")
    for text, expect in [
        (EXPECTED, "Công việc/giải pháp"),
        (TASKS, "Ai chủ trì"),
        (LEAD, "Thời gian thực hiện"),
        (TIMELINE, "Dự kiến kinh phí"),
        (BUDGET, "điều kiện hỗ trợ"),
        ("/skip", "Ghi chú (nếu có)"),
    ]:
        await person.say(text, expect)
        steps.append(person.user)
    card = await person.say("/skip", "💾 Lưu")
    await person.press(card, "💾 Lưu", "Đã lưu")


async def test_twenty_principals_write_rows_through_two_workers_one_killed(server, bot, db_url):
    core = server.core
    db = Database(db_url)
    db.upgrade()  # once, before the workers start (deploy/README.md)
    codes: dict[int, str] = {}
    with db.transaction() as session:
        for user in USERS:
            _school, invite = create_school(
                session, f"THCS số {user}", "thcs", None, "Asia/Ho_Chi_Minh"
            )
            codes[user] = invite.code
    for user in USERS:
        core.user(user, f"Hiệu trưởng {user}")
    forwarder, workers = await two_workers(bot, server, NOW)
    try:
        rng = random.Random(14)
        steps: list[int] = []
        flows = [
            asyncio.create_task(
                write_a_row(Person(core, u, random.Random(rng.random())), codes[u], steps)
            )
            for u in USERS
        ]
        while len(steps) < len(USERS) * 2:  # about a third of the way: kill one worker
            assert not any(f.done() and f.exception() for f in flows)
            await asyncio.sleep(0.05)
        workers[0].kill()
        await asyncio.wait_for(asyncio.gather(*flows), 180)
    finally:
        for worker in workers:
            worker.stop()
        await forwarder.stop()

    with db.transaction() as session:
        rows = session.execute(
            select(School.name, PlanRow)
            .join(Plan, Plan.id == PlanRow.plan_id)
            .join(School, School.id == Plan.school_id)
            .where(PlanRow.status == RowStatus.ACTIVE)
        ).all()
        drafts = session.scalar(select(func.count()).where(PlanRow.status == RowStatus.DRAFT))
    db.dispose()
    assert sorted(name for name, _ in rows) == sorted(f"THCS số {u}" for u in USERS)
    assert drafts == 0
    for _, row in rows:  # every row complete, each answer once
        assert (row.criterion_code, row.expected_result, row.tasks, row.lead_text) == (
            "1.4",
            EXPECTED,
            TASKS,
            LEAD,
        )
        assert (row.timeline_text, row.budget_text) == (TIMELINE, BUDGET)
    # Both workers served updates, and the survivor everything after the kill.
    assert all(forwarder.forwarded[w.upstream] > 0 for w in workers), forwarder.forwarded
    for worker in workers[1:]:
        assert "Traceback" not in worker.log(), worker.log()


OWNERS = tuple(range(10_001, 10_301))
SOON = r"còn 3 ngày đến hạn"


async def test_a_due_day_with_300_owners_and_two_workers_one_killed(server, bot, db_url):
    core = server.core
    core.set_limits(TOKEN, per_second=30, per_chat_per_second=1, per_group_per_minute=20)
    seed(db_url, teachers=OWNERS, rows_each=1)
    for user in (PRINCIPAL, *OWNERS):
        core.user(user, f"GV{user}")
    # 08:00 on 28/12 (three days before the rows' deadline) passes two seconds after the start.
    forwarder, workers = await two_workers(bot, server, "2026-12-28T07:59:58+07:00")

    def delivered() -> int:
        return sum(1 for u in OWNERS if reminders(core, u, SOON))

    try:
        holder = next(w for w in workers if "holds the outbox lease" in w.log())
        other = next(w for w in workers if w is not holder)
        deadline = time.monotonic() + 60
        while delivered() < 100:
            assert time.monotonic() < deadline, holder.log()[-3000:]
            await asyncio.sleep(0.05)
        assert "holds the outbox lease" not in other.log()  # one at a time
        holder.kill()
        at_kill = delivered()
        assert at_kill < len(OWNERS), "the kill should land while the outbox is being drained"
        deadline = time.monotonic() + 90
        while delivered() < len(OWNERS):
            assert time.monotonic() < deadline, (delivered(), other.log()[-3000:])
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)  # anything doubled would have arrived by now
    finally:
        for worker in workers:
            worker.stop()
        await forwarder.stop()

    counts = [sum(reminders(core, u, SOON).values()) for u in OWNERS]
    assert min(counts) == 1
    twice = sum(1 for c in counts if c > 1)
    assert max(counts) <= 2 and twice <= 8, twice  # only what the killed sender had in flight
    assert core.flood_refusals(TOKEN) == 0  # 30/s kept by the one sender, no 429
    # The survivor took the lease over once the holder had died.
    assert "holds the outbox lease" in other.log()
    materialised = [
        w.name
        for w in workers
        for line in w.log().splitlines()
        if re.search(r"new item\(s\)", line)
    ]
    assert materialised and set(materialised) <= {holder.name, other.name}
    assert "Traceback" not in other.log(), other.log()
