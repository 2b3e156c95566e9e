"""A small round-robin forwarder for webhook updates, as a load balancer in front of several
workers would be (tests and benchmarks of several workers)."""

from __future__ import annotations

import asyncio
import collections
import subprocess
from pathlib import Path

import aiohttp
from aiohttp import web


class Forwarder:
    """POST /tg to the workers in turn; a worker that cannot be reached is passed over (as a
    load balancer's health check would), and when none answers, 502 (Telegram retries)."""

    def __init__(self, port: int) -> None:
        self.upstreams: list[str] = []
        self.turn = 0
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}/tg"
        self.forwarded: collections.Counter[str] = collections.Counter()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    async def start(self, upstreams: list[str]) -> None:
        self.upstreams = upstreams
        app = web.Application()
        app.router.add_post("/tg", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))

    async def stop(self) -> None:
        if self._runner is not None:  # first: no request comes in to a closed client
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-telegram")}
        headers["Content-Type"] = "application/json"
        assert self._client is not None
        for _ in range(len(self.upstreams)):
            upstream = self.upstreams[self.turn % len(self.upstreams)]
            self.turn += 1
            try:
                async with self._client.post(upstream, data=body, headers=headers) as answer:
                    self.forwarded[upstream] += 1
                    return web.Response(status=answer.status, body=await answer.read())
            except (aiohttp.ClientError, OSError):
                continue  # down (or died while answering): the next one, as a balancer would
        return web.Response(status=502)


async def wait_healthy(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until the worker on `port` answers GET /healthz with 200 (it is up and reaches its
    database); fails with the end of its log when it exits or does not come up."""
    async with aiohttp.ClientSession() as client:
        for _ in range(600):
            if proc.poll() is not None:
                end = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the worker exited with {proc.returncode}: {end}")
            try:
                async with client.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise TimeoutError("the worker did not come up: " + log.read_text(errors="replace")[-3000:])
