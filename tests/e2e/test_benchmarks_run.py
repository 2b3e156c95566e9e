"""The benchmarks still run (tiny sizes; their figures are measured by hand, not asserted)."""

from __future__ import annotations

import asyncio

from benchmarks import reminders, throughput, unit_digest


async def test_throughput_benchmark_runs():
    f = await throughput.measure(users=3, seconds=1.5, exporters=1, export_rows=5)
    assert f.echo_per_second > 0 and f.caitien_per_second > 0
    assert f.rows_saved >= 3  # every writer finishes the row under way
    for latency in (f.writers, f.writers_exporting, f.exports):
        assert latency.count > 0 and 0 < latency.median_ms <= latency.p95_ms
    assert f.stalls.longest_ms > 0 and f.stalls_exporting.longest_ms > 0
    assert f.p95_ratio > 0 and f.ratio > 0
    assert f.stored_per_second > 0 and f.stored_cpu.bot_ms > 0
    assert f.echo_cpu.bot_ms > 0 and f.caitien_cpu.bot_ms > 0 and f.caitien_cpu.bench_ms > 0
    assert "(c) caitien, 2 users writing rows, 1 exporting a 5-row plan" in throughput.report(f)


async def test_reminders_benchmark_runs(capsys):
    await asyncio.to_thread(reminders.bench_materialise, 3, 10, 4)
    out = capsys.readouterr().out
    assert "daily run" in out and "memory of the catch-up" in out
    per_second, refusals, lost, duplicated = await reminders.bench_drain(20, 30)
    assert per_second > 0 and lost == 0 and duplicated == 0 and refusals == 0


def test_unit_digest_benchmark_runs(capsys):
    figures = unit_digest.measure(schools=60, rows=5, repeat=1)  # checks digest = bare read
    assert figures["digest_s"] > 0 and figures["bare_s"] > 0 and figures["ratio"] > 0
    assert figures["digest_mib"] > 0 and figures["bare_mib"] > 0
    out = capsys.readouterr().out
    assert "generated 60 schools, 300 rows" in out and "counts agree" in out
