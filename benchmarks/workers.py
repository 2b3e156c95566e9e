"""Updates per second with several workers: caitien writing plan rows, long polling on SQLite
(one process, the default) against webhook mode on PostgreSQL with one worker and with two
behind a round-robin forwarder (issue 14), in one run, through the Bot API emulator.

Every user writes complete rows at once after each answer, as in `benchmarks.throughput` (b);
each phase has a fresh database (a SQLite file; a new database on the PostgreSQL server). The
ratios are against the polling phase of the same run. On a 2-core machine two workers share the
cores with PostgreSQL, the emulator and the simulated users, so the figure says what the
coordination costs more than what a second machine would add.

    python -m benchmarks.workers --users 20 --seconds 15 \\
        --postgres postgresql+psycopg://caitien:caitien@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.throughput import (
    CAITIEN_TOKEN,
    WRITER_ID,
    Counter,
    join,
    prepare,
    spawn,
    stop,
    wait_polling,
    writer,
)
from benchmarks.unit_digest import database
from tests.emulator import EmulatorServer
from tests.emulator.forwarder import Forwarder, wait_healthy

SECRET = "benchmark_webhook_secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database_url(postgres: str | None) -> Iterator[str]:
    with database(postgres) as db:
        url = db.engine.url.render_as_string(hide_password=False)
        db.dispose()
        yield url


async def phase(
    server: EmulatorServer, db_url: str, users: int, seconds: float, workers: int, tmp: str
) -> float:
    """Updates/s of `users` writers; workers=0: one process long polling, else that many
    webhook workers behind a forwarder."""
    core = server.core
    setup = prepare(db_url, users, 1, 1)
    ids = [WRITER_ID + 1000 * workers + u for u in range(users)]  # new chats each phase
    procs: list[subprocess.Popen[bytes]] = []
    forwarder = Forwarder(free_port())
    extra = {"DATABASE_URL": db_url, "CAITIEN_LOG_LEVEL": "WARNING"}
    try:
        if workers == 0:
            log = Path(tmp, "polling.log")
            procs.append(spawn(["-m", "bot", "run"], CAITIEN_TOKEN, server, extra, log))
            await wait_polling(core, CAITIEN_TOKEN, procs[0], log)
        else:
            ports = [free_port() for _ in range(workers)]
            await forwarder.start([f"http://127.0.0.1:{p}/tg" for p in ports])
            for port in ports:
                log = Path(tmp, f"worker-{workers}-{port}.log")
                args = ["-m", "bot", "run", "--webhook", "--listen", "127.0.0.1"]
                args += ["--port", str(port), "--url", forwarder.url, "--secret", SECRET]
                procs.append(spawn(args, CAITIEN_TOKEN, server, extra, log))
                await wait_healthy(port, procs[-1], log)
        await asyncio.gather(*map(join, [core] * users, ids, setup.writer_codes))
        counter = Counter()
        start = time.monotonic()
        await asyncio.gather(*(writer(core, u, start + seconds, counter, []) for u in ids))
        return counter.updates / (time.monotonic() - start)
    finally:
        for proc in procs:
            stop(proc)
        await forwarder.stop()


async def measure(users: int, seconds: float, postgres: str) -> dict[str, float]:
    server = EmulatorServer()
    await server.start()
    found: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            with database_url(None) as url:
                found["polling, SQLite, 1 process"] = await phase(
                    server, url, users, seconds, 0, tmp
                )
            for workers in (1, 2):
                with database_url(postgres) as url:
                    name = f"webhook, PostgreSQL, {workers} worker(s)"
                    found[name] = await phase(server, url, users, seconds, workers, tmp)
    finally:
        await server.stop()
    baseline = found["polling, SQLite, 1 process"]
    print(f"{users} users writing rows for {seconds:.0f} s each phase")
    for name, per_second in found.items():
        print(f"  {name:<36} {per_second:7.1f} updates/s  ratio {per_second / baseline:.2f}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--postgres", metavar="URL", required=True, help="a PostgreSQL server")
    args = parser.parse_args()
    asyncio.run(measure(args.users, args.seconds, args.postgres))


if __name__ == "__main__":
    main()
