"""Updates handled per second through the Bot API emulator: bare echo bot vs caitien.

Both bots run as separate processes that long-poll the emulator over HTTP on 127.0.0.1, in
the same run. Simulated users act at a person's pace: send, wait for the answer, send again,
many users at once. (a) is python-telegram-bot echoing texts; (b) is caitien writing complete
plan rows (standard and criterion buttons, seven answers, the summary card, save), every
answer committed to SQLite before the reply. Prints both figures and the ratio (b)/(a).

    python -m benchmarks.throughput --users 50 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.emulator import BotApiEmulator, EmulatorServer

ROOT = Path(__file__).resolve().parents[1]
ECHO_TOKEN = "111111111:AAEchoBaselineTokenForBenchmarks_abcdefgh"
CAITIEN_TOKEN = "222222222:AACaitienTokenForBenchmarksOnly_abcdefgh"
ANSWERS = (
    "Giữ vững Mức 2, phấn đấu đạt Mức 3.",
    "- Các tổ xây dựng kế hoạch chuyên đề;\n- Họp tổ 2 lần/tháng.",
    "PHT phụ trách chuyên môn, TTCM và giáo viên bộ môn.",
    "Tháng 9/2026 – 5/2027",
    "Dự kiến 5.000.000/năm học",
    "Ban đại diện cha mẹ học sinh hỗ trợ.",
    "Không",
)


def spawn(
    args: list[str], token: str, server: EmulatorServer, extra: dict[str, str]
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
    return subprocess.Popen(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_polling(core: BotApiEmulator, token: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if core.calls(token, "getUpdates"):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"bot exited with {proc.returncode}")
        await asyncio.sleep(0.05)
    raise TimeoutError("bot did not start polling")


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


async def caitien_user(
    core: BotApiEmulator, user: int, code: str, until: float, counter: Counter
) -> None:
    token = CAITIEN_TOKEN

    async def say(text: str, count: int = 1) -> None:
        core.send_text(token, user, text)
        await core.wait_for_bot_messages(token, user, count=count, timeout=30)
        counter.updates += 1

    async def press(label: str, count: int = 1) -> None:
        core.press(token, user, button_text=label)
        await core.wait_for_bot_messages(token, user, count=count, timeout=30)
        counter.updates += 1

    await say(f"/start {code}")
    counter.updates -= 1  # joining is set-up, not a row step
    while time.monotonic() < until:
        await say("/add", count=2)
        await press("Tiêu chuẩn 1")
        await press("1.4 ")
        for answer in ANSWERS:
            await say(answer)
        await press("💾 Lưu", count=2)


def prepare_school(db_url: str, users: int) -> list[str]:
    """One school and a personal one-use council code per simulated user, written directly."""
    from bot.services.members import add_member
    from bot.services.schools import create_school
    from db.session import Database

    db = Database(db_url)
    db.upgrade()
    with db.transaction() as session:
        school, _ = create_school(session, "THCS Lê Quý Đôn", "thcs", None, "Asia/Ho_Chi_Minh")
        codes = [
            add_member(session, school, f"Thành viên {i}", "council", None)[1].code
            for i in range(users)
        ]
    db.dispose()
    return codes


async def measure(users: int, seconds: float) -> tuple[float, float, int]:
    server = EmulatorServer()
    await server.start()
    core = server.core
    results: list[float] = []
    rows = 0
    try:
        # (a) baseline: bare echo bot.
        echo = spawn(["benchmarks/echo_bot.py"], ECHO_TOKEN, server, {})
        try:
            await wait_polling(core, ECHO_TOKEN, echo)
            counter = Counter()
            start = time.monotonic()
            await asyncio.gather(
                *(echo_user(core, 10_000 + u, start + seconds, counter) for u in range(users))
            )
            results.append(counter.updates / (time.monotonic() - start))
        finally:
            echo.terminate()
            echo.wait(10)
        # (b) caitien on a fresh SQLite file.
        with tempfile.TemporaryDirectory() as tmp:
            db_url = f"sqlite:///{tmp}/bench.db"
            codes = prepare_school(db_url, users)
            bot = spawn(["-m", "bot", "run"], CAITIEN_TOKEN, server, {"DATABASE_URL": db_url})
            try:
                await wait_polling(core, CAITIEN_TOKEN, bot)
                counter = Counter()
                start = time.monotonic()
                await asyncio.gather(
                    *(
                        caitien_user(core, 20_000 + u, codes[u], start + seconds, counter)
                        for u in range(users)
                    )
                )
                results.append(counter.updates / (time.monotonic() - start))
            finally:
                bot.terminate()
                bot.wait(10)
            from sqlalchemy import create_engine, text

            engine = create_engine(db_url)
            with engine.connect() as conn:
                rows = (
                    conn.execute(
                        text("SELECT count(*) FROM plan_rows WHERE status='active'")
                    ).scalar()
                    or 0
                )
            engine.dispose()
    finally:
        await server.stop()
    return results[0], results[1], rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    echo, caitien, rows = asyncio.run(measure(args.users, args.seconds))
    print(f"users: {args.users}, seconds per bot: {args.seconds:g}")
    print(f"(a) bare PTB echo bot:           {echo:8.1f} updates/s")
    print(f"(b) caitien row conversation:    {caitien:8.1f} updates/s ({rows} rows saved)")
    print(f"ratio (b)/(a):                   {caitien / echo:8.3f}")


if __name__ == "__main__":
    main()
