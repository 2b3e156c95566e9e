"""The benchmarks still run (tiny sizes; their figures are measured by hand, not asserted)."""

from __future__ import annotations

from benchmarks import throughput


async def test_throughput_benchmark_runs():
    echo, caitien, rows = await throughput.measure(users=3, seconds=1.5)
    assert echo > 0 and caitien > 0 and rows >= 0
