"""The event-loop watch sees a blocking call, logs it, and writes its figures at stop."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from bot.runtime import loopwatch


async def test_a_blocking_call_is_measured_logged_and_written(tmp_path, monkeypatch, caplog):
    report = tmp_path / "watch.json"
    monkeypatch.setenv(loopwatch.ENV_VAR, str(report))
    caplog.set_level(logging.INFO, logger="bot.runtime.loopwatch")
    watch = loopwatch.start_from_environment()
    assert watch is not None
    await asyncio.sleep(0.02)
    time.sleep(0.15)  # the loop is blocked
    await asyncio.sleep(0.02)
    await watch.stop()
    figures = json.loads(report.read_text())
    assert figures["longest_stall_ms"] >= 140 and figures["stalls_over_50ms"] >= 1
    assert any("stalled for" in r.message and r.levelname == "WARNING" for r in caplog.records)
    assert any("longest event-loop stall" in r.message for r in caplog.records)


def test_off_unless_the_variable_is_set(monkeypatch):
    monkeypatch.delenv(loopwatch.ENV_VAR, raising=False)
    assert loopwatch.start_from_environment() is None
