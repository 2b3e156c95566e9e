"""Webhook mode: Telegram pushes each update to an HTTPS endpoint; answered once it is handled.

`caitien run --webhook --listen 0.0.0.0 --port 8443 --url https://HOST/PATH --secret SECRET`
registers `--url` with `setWebhook` (with the secret, and the update kinds the bot handles)
and serves, behind the reverse proxy that holds the TLS certificate:

- `POST /PATH`: an update. A request without the right `X-Telegram-Bot-Api-Secret-Token` is
  answered 403 and nothing of it is read or logged. Otherwise the update is handled as in
  polling (the same handlers, the chat's updates in arrival order) and answered **200 only
  after its turn committed**; a turn that failed is answered 500, so Telegram delivers the
  update again (the update-id check in the chat state applies it once; a redelivered update
  whose turn had committed asks the current question again). An update python-telegram-bot
  cannot read is logged on one line and answered 200, as polling confirms past it.
- `GET /healthz`: 200 while the worker can reach its database, 503 otherwise.

No inbox here: what was not answered 200 is kept by Telegram and delivered again, also after
a restart, so nothing is lost between two processes. The secret, like the token, is never
logged; the server's access log is off (it would log every chat's requests).

Why Starlette and uvicorn rather than python-telegram-bot's own webhook server: that one
(tornado) answers 200 as soon as the update is queued, before it is handled, which would
drop an update whose turn fails or whose process dies in the middle.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.runtime.frame import SERVICES, Services
from bot.runtime.polling import ALLOWED_UPDATES, read
from bot.runtime.ptb_types import App

log = logging.getLogger(__name__)
HEADER = "x-telegram-bot-api-secret-token"
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


class WebhookError(ValueError):
    """Settings the webhook cannot run with (said in one line, exit 2)."""


def check(url: str, secret: str) -> str:
    """The path to serve (that of `url`); refuses a URL that is not http(s) or a secret that
    Telegram would refuse (1–256 characters of A-Z a-z 0-9 _ -)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise WebhookError("--url must be the public https://HOST/PATH Telegram posts to")
    if not SECRET.fullmatch(secret):
        raise WebhookError("--secret must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
    return parts.path or "/"


def failed_updates(bot_data: dict[Any, Any]) -> set[int]:
    """Ids of updates whose handling raised (filled by the error handler, read here)."""
    found: set[int] = bot_data.setdefault("caitien.failed", set())
    return found


def web_app(application: App, path: str, secret: str) -> Starlette:
    services: Services = application.bot_data[SERVICES]
    expected = secret.encode()
    failed = failed_updates(application.bot_data)

    async def receive(request: Request) -> Response:
        given = request.headers.get(HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return Response(status_code=403)
        try:
            data: Any = json.loads(await request.body())
        except ValueError:
            log.warning("webhook: a body that is not JSON; answered 200, skipped")
            return Response(status_code=200)
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int):
            log.warning("webhook: an update without an id; answered 200, skipped")
            return Response(status_code=200)
        update = read(data, application.bot)
        if update is None:  # logged by `read`
            return Response(status_code=200)
        await application.update_processor.process_update(
            update, application.process_update(update)
        )
        if update_id in failed:
            failed.discard(update_id)
            return Response(status_code=500)  # Telegram delivers it again
        return Response(status_code=200)

    async def healthz(request: Request) -> Response:
        def ping() -> None:
            with services.db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        try:
            await asyncio.get_running_loop().run_in_executor(services.turns, ping)
        except Exception as exc:  # whatever the driver raises: not healthy
            log.warning("healthz: the database cannot be reached (%s)", type(exc).__name__)
            return PlainTextResponse("database unreachable", status_code=503)
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(path, receive, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


@dataclass(frozen=True)
class Webhook:
    """The webhook receiver (`bot.runtime.polling.Receiver`)."""

    url: str  # what setWebhook registers: https://HOST/PATH
    secret: str
    listen: str = "0.0.0.0"
    port: int = 8443

    async def start(self, application: App) -> None:
        await application.bot.set_webhook(
            self.url,
            secret_token=self.secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )

    async def run(self, application: App, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then let the requests in flight finish (uvicorn waits
        for them), so each is answered after its turn."""
        config = uvicorn.Config(
            web_app(application, check(self.url, self.secret), self.secret),
            host=self.listen,
            port=self.port,
            access_log=False,
            log_config=None,  # caitien's logging (bot.core.logs), not uvicorn's
            lifespan="off",
        )
        server = _Server(config)

        async def stopper() -> None:
            await stop.wait()
            server.should_exit = True

        task = asyncio.create_task(stopper())
        try:
            await server.serve()
        except SystemExit as exc:  # uvicorn exits when it cannot listen (the port is taken)
            raise WebhookError(
                f"the webhook server could not listen on {self.listen}:{self.port}"
            ) from exc
        finally:
            task.cancel()


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: `serve()` has the bot's (SIGINT, SIGTERM set
    the stop event, which stops this server after the requests in flight)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
