"""The benchmarks still run (tiny sizes; their figures are measured by hand, not asserted)."""

from __future__ import annotations

import asyncio

from benchmarks import reminders, throughput


async def test_throughput_benchmark_runs():
    echo, caitien, rows = await throughput.measure(users=3, seconds=1.5)
    assert echo > 0 and caitien > 0 and rows >= 0


async def test_reminders_benchmark_runs(capsys):
    await asyncio.to_thread(reminders.bench_materialise, 3, 10, 4)
    out = capsys.readouterr().out
    assert "daily run" in out and "memory of the catch-up" in out
    per_second, refusals, lost, duplicated = await reminders.bench_drain(20, 30)
    assert per_second > 0 and lost == 0 and duplicated == 0 and refusals == 0
