"""Reminders through a real `caitien run` process and the emulator over HTTP.

- SIGKILL while the outbox is being drained, and downtime while a reminder moment passes:
  after each restart every due message reaches the emulator exactly once.
- 429 (the emulator answers Too Many Requests for a while) and 403 (a member blocked the bot).
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

from bot.services import members, owners, plans
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from db.session import Database
from tests.conftest import TOKEN

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = "2026-2027"
PRINCIPAL = 9000
TEACHERS = (9001, 9002, 9003)
ROWS_EACH = 5


def seed(db_url: str, teachers=TEACHERS, rows_each=ROWS_EACH, due="trước 31/12/2026") -> None:
    """A school whose teachers have joined, each owning `rows_each` rows due on the same day."""
    db = Database(db_url)
    db.upgrade()
    joined_at = dt.datetime(2026, 9, 5, 9, tzinfo=TZ)
    with db.transaction() as session:
        school, invite = create_school(session, "THCS Lê Quý Đôn", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(PRINCIPAL, "Hà"))
        principal = join_with_code(session, person, invite.code, joined_at).member
        plan = plans.ensure_plan(session, school, YEAR)
        regulation = plans.regulation_of(school)
        codes = ("1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "4.1", "5.1", "5.2")
        n = 0
        for user in teachers:
            member, code = members.add_member(session, school, f"Giáo viên {user}", "staff", None)
            person = upsert_person(session, TelegramUser(user, f"GV{user}"))
            join_with_code(session, person, code.code, joined_at)
            for _ in range(rows_each):
                row = plans.new_draft(session, principal, plan)
                plans.set_criterion(session, row, regulation, codes[n % len(codes)], principal)
                plans.set_field(session, row, "expected_result", f"Việc số {n + 1}", YEAR, None)
                plans.set_field(session, row, "timeline_text", due, YEAR, None)
                plans.save_draft(session, row, principal)
                owners.set_owners(session, row, [member.id], member.id, principal)
                n += 1
    db.dispose()


def reminders(core, user: int, pattern: str) -> collections.Counter:
    """How many times each row's reminder matching `pattern` reached this chat."""
    found: collections.Counter = collections.Counter()
    for message in core.messages(TOKEN, user):
        text = message.get("text", "")
        if re.search(pattern, text):
            found[re.search(r"Việc số \d+", text).group(0)] += 1
    return found


def total(core, pattern: str) -> int:
    return sum(sum(reminders(core, u, pattern).values()) for u in TEACHERS)


async def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def users(core) -> None:
    core.user(PRINCIPAL, "Hà")
    for user in TEACHERS:
        core.user(user, f"GV{user}")


SOON = r"còn 3 ngày đến hạn"
EXPECTED = ROWS_EACH * len(TEACHERS)


async def start_draining(server, bot, db_url) -> None:
    """Every teacher's rows are due in 3 days at 08:00 on 28/12, which passes two seconds after
    the start; at most one message per second per chat: the drain takes a few seconds."""
    users(server.core)
    seed(db_url)
    await bot.start(now="2026-12-28T07:59:58+07:00")
    await wait_until(lambda: total(server.core, SOON) >= 4)


async def test_sigkill_while_draining_and_while_a_moment_passes_delivers_exactly_once(
    server, bot, db_url
):
    core = server.core
    expected, soon = EXPECTED, SOON
    # Run 1: killed while the outbox is being drained.
    await start_draining(server, bot, db_url)
    await asyncio.sleep(0.5)  # between two sends (the chats' one-per-second pace)
    bot.kill()
    delivered = total(core, soon)
    assert 4 <= delivered < expected, "the kill should land while the outbox is being drained"

    # Run 2: back half an hour later; the rest goes out, nothing twice.
    await bot.start(now="2026-12-28T08:30:00+07:00")
    await wait_until(lambda: total(core, soon) >= expected)
    await asyncio.sleep(1.5)  # anything doubled would have arrived by now
    bot.kill()
    for user in TEACHERS:
        counts = reminders(core, user, soon)
        assert len(counts) == ROWS_EACH and set(counts.values()) == {1}, counts

    # Run 3: the bot was down while 31/12 08:00 (the deadline) passed; it comes back at 09:00.
    await bot.start(now="2026-12-31T09:00:00+07:00")
    today = r"hôm nay \(31/12/2026\) là hạn"
    await wait_until(lambda: total(core, today) >= expected)
    await asyncio.sleep(1.5)
    for user in TEACHERS:
        assert set(reminders(core, user, today).values()) == {1}
        assert set(reminders(core, user, soon).values()) == {1}


async def test_429_for_a_while_then_each_reminder_once(server, bot, db_url):
    core = server.core
    users(core)
    seed(db_url, teachers=TEACHERS[:1], rows_each=2)
    core.fail_next(TOKEN, "sendMessage", 429, retry_after=1, times=3)
    started = time.monotonic()
    await bot.start(now="2026-12-28T07:59:59+07:00")
    await wait_until(lambda: sum(reminders(core, TEACHERS[0], "còn 3 ngày").values()) >= 2)
    await asyncio.sleep(1.0)
    assert set(reminders(core, TEACHERS[0], "còn 3 ngày").values()) == {1}
    refused = [c for c in core.calls(TOKEN, "sendMessage") if c.get("status") == 429]
    assert len(refused) == 3
    assert time.monotonic() - started >= 3  # it waited retry_after each time
    assert "429" in bot.log_path.read_text()


async def test_403_a_blocked_member_is_told_to_the_principal_once(server, bot, db_url):
    core = server.core
    users(core)
    seed(db_url, teachers=TEACHERS[:2], rows_each=2)
    core.block(TOKEN, TEACHERS[0])
    await bot.start(now="2026-12-28T07:59:59+07:00")
    await wait_until(lambda: sum(reminders(core, TEACHERS[1], "còn 3 ngày").values()) >= 2)
    await wait_until(
        lambda: any("chặn bot" in m.get("text", "") for m in core.messages(TOKEN, PRINCIPAL))
    )
    await asyncio.sleep(1.5)
    notices = [m for m in core.messages(TOKEN, PRINCIPAL) if "chặn bot" in m.get("text", "")]
    assert len(notices) == 1 and "Giáo viên 9001" in notices[0]["text"]
    attempts = [
        c for c in core.calls(TOKEN, "sendMessage") if c["params"].get("chat_id") == TEACHERS[0]
    ]
    assert len(attempts) == 1  # after the 403, nothing more is tried for her


async def test_sigterm_mid_drain_finishes_what_is_in_flight_and_leaves_the_rest_pending(
    server, bot, db_url
):
    core = server.core
    expected, soon = EXPECTED, SOON
    await start_draining(server, bot, db_url)
    await asyncio.to_thread(bot.stop)  # SIGTERM (the emulator in this loop keeps answering)
    assert bot.proc.returncode == 0
    assert "caitien stopping" in bot.log_path.read_text()
    db = Database(db_url)
    with db.engine.connect() as conn:
        states = dict(
            conn.exec_driver_sql(
                "SELECT state, count(*) FROM outbox WHERE kind = 'due_soon' GROUP BY state"
            ).all()
        )
    db.dispose()
    assert "sending" not in states and states.get("sent", 0) == total(core, soon)
    await bot.start(now="2026-12-28T08:30:00+07:00")
    await wait_until(lambda: total(core, soon) >= expected)
    await asyncio.sleep(1.5)
    for user in TEACHERS:
        assert set(reminders(core, user, soon).values()) == {1}


async def test_a_crash_while_telegram_has_accepted_but_not_answered_resends_that_one(
    server, bot, db_url
):
    """The one window no design closes (see bot/sender.py): Telegram has the message, the bot
    has not heard back, the bot dies. That message is sent again (at least once); nothing is
    lost and nothing else is repeated."""
    core = server.core
    users(core)
    seed(db_url, teachers=TEACHERS[:1], rows_each=3)
    soon = r"còn 3 ngày đến hạn"
    core.slow_answers(TOKEN, "sendMessage", 5)
    await bot.start(now="2026-12-28T07:59:58+07:00")
    await wait_until(lambda: total(core, soon) >= 1)  # delivered; the answer is held back
    bot.kill()
    core.slow_answers(TOKEN, "sendMessage", 0)
    await bot.start(now="2026-12-28T08:30:00+07:00")
    await wait_until(lambda: len(reminders(core, TEACHERS[0], soon)) >= 3)
    await asyncio.sleep(1.5)
    counts = reminders(core, TEACHERS[0], soon)
    assert sorted(counts.values()) == [1, 1, 2]  # only the one in flight came twice


async def test_downtime_into_may_sends_no_stale_mid_year_prompt_and_nothing_twice(
    server, bot, db_url
):
    """Issue 11: the bot is down from 05/01 to 20/05. Back, it does not send the sơ kết prompt
    of 10/01 (the end-of-year review has begun), sends each teacher the tổng kết prompt once,
    and at most one reminder per row (the 24-hour rule), worded for the day it is sent."""
    core = server.core
    users(core)
    seed(db_url, teachers=TEACHERS[:2], rows_each=2, due="trước 31/03/2027")
    await bot.start(now="2027-01-05T09:00:00+07:00")
    await asyncio.sleep(1.0)
    bot.stop()
    assert total(core, "Sơ kết") == 0  # 10/01 has not come yet
    await bot.start(now="2027-05-20T09:00:00+07:00")
    review = "Tổng kết cuối năm học 2026-2027"
    await wait_until(
        lambda: all(
            any(review in m.get("text", "") for m in core.messages(TOKEN, u)) for u in TEACHERS[:2]
        )
    )
    await asyncio.sleep(2.0)  # anything stale or doubled would have arrived by now
    bot.stop()
    for user in TEACHERS[:2]:
        texts = [m.get("text", "") for m in core.messages(TOKEN, user)]
        assert not any("Sơ kết" in text for text in texts), texts
        assert sum(review in text for text in texts) == 1
        per_row = reminders(core, user, r"quá hạn|đến hạn|là hạn")
        assert per_row and set(per_row.values()) == {1}, per_row  # once per row, not four
        assert not any("còn 14 ngày" in text or "còn 3 ngày" in text for text in texts)
