"""Updates handled per second through the Bot API emulator: bare echo bot vs caitien, then
caitien's answer latency while plans are being exported.

The bots run as separate processes that long-poll the emulator over HTTP on 127.0.0.1, in the
same run. Simulated users act at a person's pace: send, wait for the answer, send again, many
users at once.

(a) python-telegram-bot echoing texts: updates/s.
(a2) the same echo bot storing each text in SQLite before it answers, as caitien stores every
    answer (WAL, synchronous=FULL, a transaction per update): the least a bot that loses no
    answer must do, as a second reference.
(b) caitien, every user writing complete plan rows (standard and criterion buttons, seven
    answers, the summary card, save), every answer committed to SQLite before the reply:
    updates/s, the writers' answer latency (median, p95) and the longest event-loop stall of
    the bot process.
(c) caitien again, with as many users: `--exporters` of them are vice-principals of a second
    school who send /export again and again (a DOCX and an XLSX of a `--export-rows`-row
    plan; nobody writes into it, so every export is the same size whatever (b) achieved), the
    others keep writing rows as in (b): the writers' latency, the export time (from /export
    until both documents arrived) and the longest stall. A fresh bot process on the same
    database, so that each phase has its own loop-watch figures (written when the bot stops).

Each of (a) and (b) also prints the CPU time per update of the bot's process and of this one
(the emulator and the simulated users), read from /proc: a figure that varies far less
between runs than updates/s on a shared machine, and that says which side a phase was bound
by. With CAITIEN_BENCH_PROFILE=DIR the bots run under py-spy (on the PATH), which writes its
samples (collapsed stacks) into DIR when each bot stops; CAITIEN_BENCH_PROFILE_ARGS adds
py-spy options.

Latency is per answer: from the user's send or press until the bot's answer (both messages,
where a step gets two) has arrived at the emulator; answers to what was sent after the end of
the phase (the row under way is finished) are not counted.

    python -m benchmarks.throughput --users 20 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.documents import seed_rows
from bot.domain.schoolyear import current_school_year
from bot.services import plans
from bot.services.members import add_member
from bot.services.schools import create_school
from db.models import Role
from db.session import Database
from tests.emulator import BotApiEmulator, EmulatorServer

ROOT = Path(__file__).resolve().parents[1]
ECHO_TOKEN = "111111111:AAEchoBaselineTokenForBenchmarks_abcdefgh"
CAITIEN_TOKEN = "222222222:AACaitienTokenForBenchmarksOnly_abcdefgh"
TIMEZONE = "Asia/Ho_Chi_Minh"
ANSWERS = (
    "Giữ vững Mức 2, phấn đấu đạt Mức 3.",
    "- Các tổ xây dựng kế hoạch chuyên đề;\n- Họp tổ 2 lần/tháng.",
    "PHT phụ trách chuyên môn, TTCM và giáo viên bộ môn.",
    "Tháng 9/2026 – 5/2027",
    "Dự kiến 5.000.000/năm học",
    "Ban đại diện cha mẹ học sinh hỗ trợ.",
    "Không",
)
WRITER_ID, EXPORTER_ID = 20_000, 30_000  # Telegram ids of the simulated users


@dataclass(frozen=True)
class Latency:
    """Median and 95th percentile (nearest rank) of `count` samples, in milliseconds."""

    count: int
    median_ms: float
    p95_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        if not seconds:
            return cls(0, math.nan, math.nan)
        ordered = sorted(seconds)
        p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]
        return cls(len(ordered), statistics.median(ordered) * 1000, p95 * 1000)


@dataclass(frozen=True)
class Stalls:
    """What CAITIEN_LOOP_WATCH wrote when the bot process stopped."""

    longest_ms: float
    over_50ms: int


@dataclass(frozen=True)
class Figures:
    users: int
    seconds: float
    exporters: int
    export_rows: int
    echo_per_second: float  # (a)
    caitien_per_second: float  # (b)
    echo_cpu: Cpu  # (a)
    stored_per_second: float  # (a2)
    stored_cpu: Cpu  # (a2)
    caitien_cpu: Cpu  # (b)
    rows_saved: int  # (b): rows in the writers' plan at its end
    writers: Latency  # (b)
    stalls: Stalls  # (b)
    writers_exporting: Latency  # (c)
    exports: Latency  # (c): /export until both documents arrived
    stalls_exporting: Stalls  # (c)

    @property
    def ratio(self) -> float:
        return self.caitien_per_second / self.echo_per_second

    @property
    def p95_ratio(self) -> float:
        return self.writers_exporting.p95_ms / self.writers.p95_ms


def spawn(
    args: list[str],
    token: str,
    server: EmulatorServer,
    extra: dict[str, str],
    log: Path | None = None,
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "TELEGRAM_API_BASE_FILE_URL": server.base_file_url,
        "CAITIEN_POLLING_TIMEOUT": "1",
        "CAITIEN_LOG_LEVEL": "WARNING",
        **extra,
    }
    command = [sys.executable, *args]
    profile = os.environ.get("CAITIEN_BENCH_PROFILE")  # a folder: sample the bots with py-spy
    if profile:
        name = f"{Path(args[0]).stem}-{token[:3]}-{time.monotonic_ns()}"
        out = Path(profile, f"{name}.txt")
        command = [
            "py-spy",
            "record",
            "--format",
            "raw",
            "-r",
            "200",
            "-o",
            str(out),
            "--",
            *command,
        ]
    with log.open("wb") if log else contextlib.nullcontext(subprocess.DEVNULL) as stderr:
        return subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr
        )


def tail(log: Path | None) -> str:
    text = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    return f"; its log ends:\n{text}" if text else ""


async def wait_polling(
    core: BotApiEmulator, token: str, proc: subprocess.Popen[bytes], log: Path | None = None
) -> None:
    polls = len(core.calls(token, "getUpdates"))  # a second process: wait for its own poll
    for _ in range(600):
        if len(core.calls(token, "getUpdates")) > polls:
            return
        if proc.poll() is not None:
            raise RuntimeError(f"bot exited with {proc.returncode}{tail(log)}")
        await asyncio.sleep(0.05)
    raise TimeoutError("bot did not start polling")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Cpu:
    """CPU milliseconds per update in a phase: the bot's process, and this one (the emulator
    and the simulated users), to see which side the phase was bound by."""

    bot_ms: float = math.nan
    bench_ms: float = math.nan


class CpuMeter:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.bot = cpu_seconds(pid)
        self.bench = time.process_time()

    def per_update(self, updates: int) -> Cpu:
        if not updates:
            return Cpu()
        bot = cpu_seconds(self.pid) - self.bot
        bench = time.process_time() - self.bench
        return Cpu(bot * 1000 / updates, bench * 1000 / updates)


def bot_pid(proc: subprocess.Popen[bytes]) -> int:
    """The bot's own process: under py-spy (CAITIEN_BENCH_PROFILE), py-spy's child."""
    if not os.environ.get("CAITIEN_BENCH_PROFILE"):
        return proc.pid
    for _ in range(100):
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise RuntimeError("py-spy started no bot")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM: caitien's serve() stops cleanly (and writes the loop watch's file); under
    py-spy the bot is stopped and py-spy writes its samples as it ends."""
    if os.environ.get("CAITIEN_BENCH_PROFILE"):
        os.kill(bot_pid(proc), signal.SIGTERM)
        proc.wait(60)
        return
    proc.terminate()
    proc.wait(30)


class Counter:
    def __init__(self) -> None:
        self.updates = 0


async def echo_user(core: BotApiEmulator, user: int, until: float, counter: Counter) -> None:
    i = 0
    while time.monotonic() < until:
        core.send_text(ECHO_TOKEN, user, f"Tin nhắn số {i}")
        await core.wait_for_bot_messages(ECHO_TOKEN, user, count=1, timeout=30)
        counter.updates += 1
        i += 1


async def join(core: BotApiEmulator, user: int, code: str) -> None:
    """Open the personal code (set-up: neither counted nor timed)."""
    core.send_text(CAITIEN_TOKEN, user, f"/start {code}")
    await core.wait_for_bot_messages(CAITIEN_TOKEN, user, count=1, timeout=30)


async def answered(
    core: BotApiEmulator, user: int, act: Callable[[], object], count: int, timeout: float = 30
) -> tuple[float, list[dict[str, Any]]]:
    """Do `act` (a send or a press), wait for the bot's next `count` messages in the chat;
    the seconds in between, and the messages."""
    start = time.perf_counter()
    act()
    messages = await core.wait_for_bot_messages(CAITIEN_TOKEN, user, count=count, timeout=timeout)
    return time.perf_counter() - start, messages


async def writer(
    core: BotApiEmulator, user: int, until: float, counter: Counter, latencies: list[float]
) -> None:
    """Write complete rows until `until`. The row under way is finished (no draft is left
    behind), but only answers to what was sent before `until` are timed."""
    token = CAITIEN_TOKEN

    async def step(act: Callable[[], object], count: int = 1) -> None:
        in_time = time.monotonic() < until
        seconds, _ = await answered(core, user, act, count)
        counter.updates += 1
        if in_time:
            latencies.append(seconds)

    def say(text: str) -> Callable[[], object]:
        return lambda: core.send_text(token, user, text)

    def press(label: str) -> Callable[[], object]:
        return lambda: core.press(token, user, button_text=label)

    while time.monotonic() < until:
        await step(say("/add"), count=2)
        await step(press("Tiêu chuẩn 1"))
        await step(press("1.4 "), count=2)  # the picker says what was picked, then asks
        for answer in ANSWERS:
            await step(say(answer))
        await step(press("💾 Lưu"), count=2)


async def exporter(core: BotApiEmulator, user: int, until: float, latencies: list[float]) -> None:
    """/export until `until`, each time waiting for both documents."""
    while time.monotonic() < until:
        seconds, messages = await answered(
            core, user, lambda: core.send_text(CAITIEN_TOKEN, user, "/export"), 2, timeout=120
        )
        names = [m.get("document", {}).get("file_name", "") for m in messages]
        if not (names[0].endswith(".docx") and names[1].endswith(".xlsx")):
            raise AssertionError(f"/export answered {names}, not a DOCX and an XLSX")
        latencies.append(seconds)


@dataclass(frozen=True)
class Setup:
    writer_codes: list[str]
    exporter_codes: list[str]
    writers_plan: int  # plan id


def prepare(db_url: str, writers: int, exporters: int, export_rows: int) -> Setup:
    """Written directly, before any bot runs: the writers' school with a personal one-use
    council code per writer; a second school whose current plan holds `export_rows` complete
    rows, with a vice-principal code per exporter (vice-principals may /export, see
    bot.domain.permissions). Nobody writes into the second plan, so every export is the same
    size whatever the writers achieved."""
    year = current_school_year(ZoneInfo(TIMEZONE))  # the bot's clock: the system's
    db = Database(db_url)
    db.upgrade()
    with db.transaction() as session:
        school, _ = create_school(session, "THCS Lê Quý Đôn", "thcs", None, TIMEZONE)
        writer_codes = [
            add_member(session, school, f"Thành viên {i}", Role.COUNCIL, None)[1].code
            for i in range(writers)
        ]
        writers_plan = plans.ensure_plan(session, school, year).id
        other, _ = create_school(session, "THCS Nguyễn Du", "thcs", None, TIMEZONE)
        vice = [
            add_member(session, other, f"Phó hiệu trưởng {i}", Role.VICE_PRINCIPAL, None)
            for i in range(exporters)
        ]
        seed_rows(session, other, plans.ensure_plan(session, other, year), vice[0][0], export_rows)
        exporter_codes = [invite.code for _, invite in vice]
    db.dispose()
    return Setup(writer_codes, exporter_codes, writers_plan)


def count_rows(db_url: str, plan_id: int) -> int:
    db = Database(db_url)
    with db.transaction() as session:
        rows = plans.count_rows(session, plan_id)
    db.dispose()
    return rows


def read_stalls(path: Path, log: Path) -> Stalls:
    if not path.exists():
        raise RuntimeError(f"the bot did not write {path.name} (did it stop cleanly?){tail(log)}")
    data = json.loads(path.read_text())
    return Stalls(float(data["longest_stall_ms"]), int(data["stalls_over_50ms"]))


async def echo_phase(
    server: EmulatorServer, users: int, seconds: float, extra: dict[str, str]
) -> tuple[float, Cpu]:
    """The echo bot (with `extra` in its environment): updates/s and CPU per update."""
    core = server.core
    echo = spawn(["benchmarks/echo_bot.py"], ECHO_TOKEN, server, extra)
    try:
        await wait_polling(core, ECHO_TOKEN, echo)
        counter = Counter()
        meter = CpuMeter(bot_pid(echo))
        start = time.monotonic()
        await asyncio.gather(
            *(echo_user(core, 10_000 + u, start + seconds, counter) for u in range(users))
        )
        return counter.updates / (time.monotonic() - start), meter.per_update(counter.updates)
    finally:
        stop(echo)


async def measure(users: int, seconds: float, exporters: int = 5, export_rows: int = 50) -> Figures:
    if not 0 < exporters < users:
        raise ValueError("exporters are some of the users: 0 < exporters < users")
    server = EmulatorServer()
    await server.start()
    core = server.core
    try:
        # (a) baseline: bare echo bot; (a2) the same, storing each text in SQLite first.
        echo_per_second, echo_cpu = await echo_phase(server, users, seconds, {})
        with tempfile.TemporaryDirectory() as tmp:
            stored_per_second, stored_cpu = await echo_phase(
                server, users, seconds, {"ECHO_STORE": f"{tmp}/e.db"}
            )
        with tempfile.TemporaryDirectory() as tmp:
            db_url = f"sqlite:///{tmp}/bench.db"
            setup = prepare(db_url, users, exporters, export_rows)
            writer_ids = [WRITER_ID + u for u in range(users)]
            exporter_ids = [EXPORTER_ID + u for u in range(exporters)]

            def caitien(phase: str) -> subprocess.Popen[bytes]:
                extra = {"DATABASE_URL": db_url, "CAITIEN_LOOP_WATCH": f"{tmp}/loop-{phase}.json"}
                return spawn(["-m", "bot", "run"], CAITIEN_TOKEN, server, extra, log(phase))

            def log(phase: str) -> Path:
                return Path(tmp, f"bot-{phase}.log")

            # (b) every user writes rows.
            bot = caitien("b")
            try:
                await wait_polling(core, CAITIEN_TOKEN, bot, log("b"))
                await asyncio.gather(*map(join, [core] * users, writer_ids, setup.writer_codes))
                counter, writing = Counter(), list[float]()
                meter = CpuMeter(bot_pid(bot))
                start = time.monotonic()
                await asyncio.gather(
                    *(writer(core, u, start + seconds, counter, writing) for u in writer_ids)
                )
                caitien_per_second = counter.updates / (time.monotonic() - start)
                caitien_cpu = meter.per_update(counter.updates)
            finally:
                stop(bot)
            stalls = read_stalls(Path(tmp, "loop-b.json"), log("b"))
            rows_saved = count_rows(db_url, setup.writers_plan)
            # (c) a fresh process, same database: `exporters` users export, the rest write.
            bot = caitien("c")
            try:
                await wait_polling(core, CAITIEN_TOKEN, bot, log("c"))
                await asyncio.gather(
                    *map(join, [core] * exporters, exporter_ids, setup.exporter_codes)
                )
                writing_exporting: list[float] = []
                exports: list[float] = []
                until = time.monotonic() + seconds
                await asyncio.gather(
                    *(
                        writer(core, u, until, Counter(), writing_exporting)
                        for u in writer_ids[exporters:]
                    ),
                    *(exporter(core, u, until, exports) for u in exporter_ids),
                )
            finally:
                stop(bot)
            stalls_exporting = read_stalls(Path(tmp, "loop-c.json"), log("c"))
    finally:
        await server.stop()
    return Figures(
        users=users,
        seconds=seconds,
        exporters=exporters,
        export_rows=export_rows,
        echo_per_second=echo_per_second,
        caitien_per_second=caitien_per_second,
        echo_cpu=echo_cpu,
        stored_per_second=stored_per_second,
        stored_cpu=stored_cpu,
        caitien_cpu=caitien_cpu,
        rows_saved=rows_saved,
        writers=Latency.of(writing),
        stalls=stalls,
        writers_exporting=Latency.of(writing_exporting),
        exports=Latency.of(exports),
        stalls_exporting=stalls_exporting,
    )


def report(f: Figures) -> str:
    def latency(x: Latency) -> str:
        return f"median {x.median_ms:6.0f} ms, p95 {x.p95_ms:6.0f} ms"

    def cpu(x: Cpu) -> str:
        return f"CPU per update: bot {x.bot_ms:5.2f} ms, emulator and users {x.bench_ms:5.2f} ms"

    def stalls(x: Stalls) -> str:
        return f"{x.longest_ms:6.0f} ms; stalls over 50 ms: {x.over_50ms}"

    return "\n".join(
        [
            f"users: {f.users}, seconds per phase: {f.seconds:g}",
            f"(a) bare PTB echo bot:          {f.echo_per_second:8.1f} updates/s",
            f"    {cpu(f.echo_cpu)}",
            f"(a2) echo bot storing each text: {f.stored_per_second:8.1f} updates/s "
            f"({f.stored_per_second / f.echo_per_second:.3f} of (a); SQLite WAL, synchronous=FULL)",
            f"    {cpu(f.stored_cpu)}",
            f"(b) caitien row conversation:   {f.caitien_per_second:8.1f} updates/s "
            f"({f.rows_saved} rows saved)",
            f"    {cpu(f.caitien_cpu)}",
            f"    writers' answer latency:    {latency(f.writers)}",
            f"    longest event-loop stall:   {stalls(f.stalls)}",
            f"ratio (b)/(a):                  {f.ratio:8.3f}",
            f"(c) caitien, {f.users - f.exporters} users writing rows, {f.exporters} "
            f"exporting a {f.export_rows}-row plan (DOCX + XLSX):",
            f"    writers' answer latency:    {latency(f.writers_exporting)}",
            f"    exports:                    {f.exports.count}, median "
            f"{f.exports.median_ms:6.0f} ms, p95 {f.exports.p95_ms:6.0f} ms",
            f"    longest event-loop stall:   {stalls(f.stalls_exporting)}",
            f"writers' p95 with exports / without: {f.p95_ratio:.2f}",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--exporters", type=int, default=5, help="of the users, in (c)")
    parser.add_argument("--export-rows", type=int, default=50, help="rows of the exported plan")
    args = parser.parse_args()
    figures = asyncio.run(measure(args.users, args.seconds, args.exporters, args.export_rows))
    print(report(figures))


if __name__ == "__main__":
    main()
