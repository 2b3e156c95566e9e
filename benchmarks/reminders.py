"""Reminders at province scale, and the drain through the emulator's 30 messages/s limit.

(a) materialise: a generated province (default 1 000 schools, 50 000 rows, 100 000 owner
    links, due dates spread over the school year) on SQLite. Two runs are timed: the daily run
    at 08:00 (one day's window) and the catch-up after 30 days of downtime. Figures: seconds,
    items written per second, peak Python memory (tracemalloc, a separate run on a copy of the
    database) and the process's peak RSS. Baseline in the same run: reading the same facts with
    bare SQL (rows, owners, latest statuses) and nothing else; the ratio is materialise / read.
(b) drain: 1 000 due reminders to 1 000 members, through `bot.runtime.sender.Sender` with the real
    python-telegram-bot HTTP client, to the emulator over HTTP enforcing 30 messages/s (429 with
    retry_after beyond). Figures: messages/s, its ratio to 30, 429 answers, lost and duplicated
    messages (counted at the emulator).

    python -m benchmarks.reminders                       # --schools 1000 --drain 1000
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text, update
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.core.clock import ManualClock
from bot.runtime.ratelimit import Limiter, Limits
from bot.runtime.sender import Sender
from bot.services import outbox
from db.models import (
    Member,
    Person,
    Plan,
    PlanRow,
    RowOwner,
    School,
)
from db.session import Database
from tests.conftest import TOKEN
from tests.emulator import EmulatorServer

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = "2026-2027"
CODES = ("1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.2", "4.1", "5.1", "5.2", "5.3")


def generate(db: Database, schools: int, rows_per_school: int, staff: int, seed: int = 7) -> None:
    """Bulk-insert a province: each school with `staff` members (first one the principal),
    `rows_per_school` active rows due on days spread over the year, two owners per row."""
    rng = random.Random(seed)
    first = dt.date(2026, 9, 15)
    span = (dt.date(2027, 5, 31) - first).days
    now = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
    with db.transaction() as session:
        session.execute(
            insert(School),
            [
                {
                    "id": s + 1,
                    "name": f"Trường {s + 1}",
                    "level": "thcs",
                    "regulation": "TT18-2018",
                    "timezone": "Asia/Ho_Chi_Minh",
                    "settings": {},
                    "created_at": now,
                }
                for s in range(schools)
            ],
        )
        session.execute(
            insert(Person),
            [
                {"id": p + 1, "telegram_user_id": 10_000 + p, "first_name": "GV", "created_at": now}
                for p in range(schools * staff)
            ],
        )
        session.execute(
            insert(Member),
            [
                {
                    "id": m + 1,
                    "school_id": m // staff + 1,
                    "person_id": m + 1,
                    "display_name": f"Giáo viên {m + 1}",
                    "role": "principal" if m % staff == 0 else "staff",
                    "active": True,
                    "created_at": now,
                }
                for m in range(schools * staff)
            ],
        )
        session.execute(
            insert(Plan),
            [
                {
                    "id": s + 1,
                    "school_id": s + 1,
                    "school_year": YEAR,
                    "regulation": "TT18-2018",
                    "created_at": now,
                }
                for s in range(schools)
            ],
        )
        rows, owners = [], []
        for s in range(schools):
            for r in range(rows_per_school):
                row_id = s * rows_per_school + r + 1
                rows.append(
                    {
                        "id": row_id,
                        "plan_id": s + 1,
                        "status": "active",
                        "position": r + 1,
                        "standard": 1,
                        "criterion_code": CODES[r % len(CODES)],
                        "due_date": first + dt.timedelta(days=rng.randrange(span)),
                        "timeline_flags": [],
                        "budget_flags": [],
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                for member in rng.sample(range(staff), 2):
                    owners.append({"row_id": row_id, "member_id": s * staff + member + 1})
        session.execute(insert(PlanRow), rows)
        session.execute(insert(RowOwner), owners)


BASELINE_QUERIES = (
    "SELECT id, plan_id, position, due_date FROM plan_rows WHERE status = 'active'",
    "SELECT o.row_id, m.id, m.on_leave_until FROM row_owners o "
    "JOIN members m ON m.id = o.member_id WHERE m.active",
    "SELECT row_id, status FROM progress_reports "
    "WHERE id IN (SELECT max(id) FROM progress_reports GROUP BY row_id)",
    "SELECT * FROM schools",
)


def read_facts(db: Database) -> int:
    """The baseline: the facts materialise reads, with bare SQL and nothing else."""
    with db.engine.connect() as conn:
        return sum(len(conn.execute(text(q)).all()) for q in BASELINE_QUERIES)


def materialise(db: Database, moment: dt.datetime) -> tuple[float, int, int]:
    start = time.perf_counter()
    with db.transaction() as session:
        result = outbox.materialise(session, moment)
    return time.perf_counter() - start, result.created, result.superseded


def set_watermark(db: Database, moment: dt.datetime) -> None:
    with db.transaction() as session:
        session.execute(update(School).values(materialised_until=moment))


def bench_materialise(schools: int, rows_per_school: int, staff: int) -> None:
    tmp = Path(tempfile.mkdtemp())
    db = Database(f"sqlite:///{tmp / 'province.db'}")
    db.upgrade()
    started = time.perf_counter()
    generate(db, schools, rows_per_school, staff)
    with db.transaction() as session:
        counts = [
            session.scalar(select(func.count()).select_from(m)) for m in (School, PlanRow, RowOwner)
        ]
    print(
        f"generated {counts[0]} schools, {counts[1]} rows, {counts[2]} owner links "
        f"in {time.perf_counter() - started:.1f} s"
    )
    base = []
    for _ in range(3):
        t0 = time.perf_counter()
        read_facts(db)
        base.append(time.perf_counter() - t0)
    baseline = min(base)
    print(f"baseline (bare SQL read of the same facts): {baseline * 1000:.0f} ms")

    daily_at = dt.datetime(2026, 12, 14, 8, 0, 30, tzinfo=TZ)  # a Monday
    set_watermark(db, daily_at - dt.timedelta(days=1))
    with db.engine.connect() as conn:  # fold the WAL into the file before copying it
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    shutil.copy(tmp / "province.db", tmp / "copy.db")  # the untouched province, for memory
    seconds, created, superseded = materialise(db, daily_at)
    print(
        f"daily run (24 h window): {created} items in {seconds * 1000:.0f} ms "
        f"= {created / seconds:,.0f} items/s; ratio to the bare read {seconds / baseline:.1f}"
    )
    again, created_again, _ = materialise(db, daily_at)
    print(f"same moment again: {created_again} new items in {again * 1000:.0f} ms (idempotent)")

    catch_at = dt.datetime(2027, 1, 13, 9, 0, tzinfo=TZ)
    set_watermark(db, catch_at - dt.timedelta(days=30))
    seconds, created, superseded = materialise(db, catch_at)
    print(
        f"catch-up after 30 days down: {created} items ({superseded} superseded) in "
        f"{seconds * 1000:.0f} ms = {created / seconds:,.0f} items/s; "
        f"ratio to the bare read {seconds / baseline:.1f}"
    )

    for label, moment, watermark in (
        ("daily run", daily_at, daily_at - dt.timedelta(days=1)),
        ("catch-up", catch_at, catch_at - dt.timedelta(days=30)),
    ):
        print(f"memory of the {label}: {measure_memory(tmp / 'copy.db', moment, watermark)}")
    db.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


def measure_memory(path: Path, moment: dt.datetime, watermark: dt.datetime) -> str:
    """Peak memory of one materialise run, in a fresh process on a copy of the database."""
    copy = path.with_name(f"memory-{moment.date()}.db")
    shutil.copy(path, copy)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.reminders",
            "--memory-child",
            str(copy),
            moment.isoformat(),
            watermark.isoformat(),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    copy.unlink()
    return done.stdout.strip()


def peak_rss_kib() -> int:
    """This process's peak resident set (VmHWM: unlike ru_maxrss, not inherited at fork)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_child(path: str, moment: str, watermark: str) -> None:
    db = Database(f"sqlite:///{path}")
    set_watermark(db, dt.datetime.fromisoformat(watermark))
    before = peak_rss_kib()
    tracemalloc.start()
    _, created, _ = materialise(db, dt.datetime.fromisoformat(moment))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = peak_rss_kib()
    print(
        f"{created} items; peak Python allocations {peak / 2**20:.1f} MiB (tracemalloc), "
        f"process peak RSS {after / 1024:.0f} MiB ({(after - before) / 1024:+.0f} MiB for the run)"
    )


async def bench_drain(count: int, rate: int) -> tuple[float, int, int, int]:
    """Returns (messages/s, 429s, lost, duplicated)."""
    tmp = Path(tempfile.mkdtemp())
    db = Database(f"sqlite:///{tmp / 'drain.db'}")
    db.upgrade()
    generate(db, schools=count // 20 or 1, rows_per_school=20, staff=21)
    server = EmulatorServer()
    await server.start()
    core = server.core
    core.set_limits(TOKEN, per_second=rate)
    moment = dt.datetime(2026, 12, 14, 8, 0, 30, tzinfo=TZ)
    with db.transaction() as session:
        members = session.execute(
            select(Member.id, Member.school_id, Person.telegram_user_id)
            .join(Person, Person.id == Member.person_id)
            .where(Member.role == "staff")
            .limit(count)
        ).all()
        for member_id, school_id, user_id in members:
            core.user(user_id, "GV")
            outbox.enqueue(
                session,
                key=f"unreachable:bench:{member_id}",
                school_id=school_id,
                kind=outbox.UNREACHABLE,
                day=moment.date(),
                send_at=moment,
                member_id=member_id,
                data={"member_id": member_id},
            )
    expected = {user_id for _, _, user_id in members}
    bot = Bot(
        TOKEN,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        request=HTTPXRequest(connection_pool_size=16),
    )
    async with bot:
        sender = Sender(bot, db, ManualClock(moment), limiter=Limiter(Limits(per_bot=rate)))
        start = time.perf_counter()
        await sender.drain()
        seconds = time.perf_counter() - start
    accepted = collections.Counter(
        int(c["params"]["chat_id"])
        for c in core.calls(TOKEN, "sendMessage")
        if c.get("status") == 200
    )
    lost = len(expected - set(accepted))
    duplicated = sum(n - 1 for n in accepted.values() if n > 1)
    refusals = core.flood_refusals(TOKEN)
    await server.stop()
    db.dispose()
    shutil.rmtree(tmp, ignore_errors=True)
    return sum(accepted.values()) / seconds, refusals, lost, duplicated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=50, help="rows per school")
    parser.add_argument("--staff", type=int, default=40, help="members per school")
    parser.add_argument("--drain", type=int, default=1000, help="reminders to drain")
    parser.add_argument("--rate", type=int, default=30, help="messages/s the emulator allows")
    parser.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(*args.memory_child)
        return
    bench_materialise(args.schools, args.rows, args.staff)
    per_second, refusals, lost, duplicated = asyncio.run(bench_drain(args.drain, args.rate))
    print(
        f"drain of {args.drain} reminders at a {args.rate}/s limit: {per_second:.1f} messages/s "
        f"= {per_second / args.rate:.2f} of the limit; 429 answers: {refusals}; "
        f"lost: {lost}; duplicated: {duplicated}"
    )


if __name__ == "__main__":
    main()
