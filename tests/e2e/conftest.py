"""End-to-end fixtures: the emulator on 127.0.0.1 and `caitien run` as a real process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import TOKEN
from tests.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parents[2]
# `caitien run` starts its clock here unless a test gives its own `--now`: a Tuesday morning of
# the 2026-2027 school year (no quiet hours, no holiday), so no test depends on the wall clock.
DEFAULT_NOW = "2026-12-01T09:30:00+07:00"


class BotProcess:
    """`python -m bot run` against the emulator; can be killed (SIGKILL) and started again."""

    def __init__(self, server: EmulatorServer, db_url: str, log_path: Path) -> None:
        self.env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_URL": db_url,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "TELEGRAM_API_BASE_FILE_URL": server.base_file_url,
            "CAITIEN_POLLING_TIMEOUT": "1",
            "CAITIEN_LOG_LEVEL": "INFO",
            "CAITIEN_FILES_DIR": str(log_path.parent / "files"),
            "CAITIEN_SCHEDULER_INTERVAL": "0.5",
        }
        self.server = server
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> dict:
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=ROOT,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    async def start(self, now: str = DEFAULT_NOW) -> None:
        """Start `caitien run --now NOW` and wait until it polls."""
        polls = len(self.server.core.calls(TOKEN, "getUpdates"))
        log = self.log_path.open("ab")
        args = [sys.executable, "-m", "bot", "run", "--now", now]
        self.proc = subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=log)
        for _ in range(300):  # the bot is up once it polls
            if len(self.server.core.calls(TOKEN, "getUpdates")) > polls:
                return
            assert self.proc.poll() is None, self.log_path.read_text()
            await asyncio.sleep(0.05)
        raise TimeoutError("the bot did not start polling: " + self.log_path.read_text())

    async def settled(self, timeout: float = 20.0) -> None:
        """Wait until everything sent to the bot is confirmed (so stored in its inbox) and
        then answered and forgotten (its inbox is empty): after a start, what a crash left
        (answered again or not) is done."""
        engine = create_engine(self.env["DATABASE_URL"])
        try:
            for _ in range(int(timeout / 0.05)):
                if not self.server.core.pending_updates(TOKEN):
                    with engine.connect() as conn:
                        if not conn.execute(text("SELECT count(*) FROM inbox")).scalar():
                            return
                await asyncio.sleep(0.05)
        finally:
            engine.dispose()
        raise TimeoutError("the inbox did not empty: " + self.log_path.read_text()[-3000:])

    def kill(self) -> None:
        """Kill -9: no shutdown hook, no flush, as a crash or a power cut would."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
async def server() -> AsyncIterator[EmulatorServer]:
    emulator = EmulatorServer()
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def bot(server: EmulatorServer, db_url: str, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(server, db_url, tmp_path / "bot.log")
    yield process
    process.stop()
    log = (
        (tmp_path / "bot.log").read_text(errors="replace")
        if (tmp_path / "bot.log").exists()
        else ""
    )
    assert TOKEN not in log, "the token leaked into the logs"
    assert TOKEN.split(":")[1] not in log
