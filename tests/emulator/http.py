"""The emulator over real HTTP (aiohttp) on 127.0.0.1, plus a JSON control API under /_emu/.

aiohttp enables TCP_NODELAY on every accepted connection (web_protocol.RequestHandler
.connection_made calls tcp_nodelay(transport, True)), so a response's header and body are not
held back by Nagle's algorithm and calls do not stall ~40 ms on delayed ACKs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import mimetypes
import time
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, ClientError, ClientSession, ClientTimeout, web

from tests.emulator.core import ApiError, BotApiEmulator

RETRY_DELAY = 0.2  # seconds before a webhook delivery that failed is tried again


class EmulatorServer:
    def __init__(self, core: BotApiEmulator | None = None) -> None:
        self.core = core or BotApiEmulator()
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._pusher: asyncio.Task[None] | None = None
        self._client: ClientSession | None = None
        # Webhook deliveries under way: (token, update id); and when one may be tried again.
        self._in_flight: set[tuple[str, int]] = set()
        self._retry_at: dict[tuple[str, int], float] = {}
        self._chat_of_key: dict[tuple[str, int], object] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", r"/bot{token}/{method}", self._api)
        app.router.add_get(r"/file/bot{token}/{path:.+}", self._file)
        app.router.add_post("/_emu/{action}", self._control)
        app.router.add_get("/_emu/{action}", self._control)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._client = ClientSession(timeout=ClientTimeout(total=60))
        self._pusher = asyncio.create_task(self._push())

    async def stop(self) -> None:
        if self._pusher:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client:
            await self._client.close()
        if self._runner:
            await self._runner.cleanup()

    # ------------------------------------------------------------ webhooks

    async def _push(self) -> None:
        """Telegram's side of a webhook: each pending update is POSTed to the URL given with
        setWebhook, with the secret header; it is forgotten once answered 200 and delivered
        again otherwise (after RETRY_DELAY), also while the bot restarts. Up to the webhook's
        max_connections at once, one update per chat at a time, in order."""
        while True:
            waits = []
            now = time.monotonic()
            for bot in list(self.core.bots.values()):
                waits.append(bot.new_update.future())
                if not bot.webhook:
                    continue
                busy_chats = {c for t, _, c in self._chats_in_flight() if t == bot.token}
                running = sum(1 for t, _ in self._in_flight if t == bot.token)
                for update in list(bot.updates):
                    key = (bot.token, update["update_id"])
                    chat = _chat_of(update)
                    if key in self._in_flight or chat in busy_chats:
                        busy_chats.add(chat)  # later updates of that chat wait their turn
                        continue
                    if running >= bot.webhook_max_connections:
                        break
                    busy_chats.add(chat)
                    if self._retry_at.get(key, 0.0) > now:
                        continue
                    running += 1
                    self._in_flight.add(key)
                    self._chat_of_key[key] = chat
                    task = asyncio.create_task(
                        self._deliver(bot.token, bot.webhook, bot.webhook_secret, update)
                    )
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            if waits:
                await asyncio.wait(waits, timeout=0.05, return_when=asyncio.FIRST_COMPLETED)
            else:
                await asyncio.sleep(0.05)

    def _chats_in_flight(self) -> list[tuple[str, int, object]]:
        return [(t, u, self._chat_of_key.get((t, u))) for t, u in self._in_flight]

    async def _deliver(self, token: str, url: str, secret: str, update: dict[str, Any]) -> None:
        key = (token, update["update_id"])
        status: int | None = None
        try:
            assert self._client is not None
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
            async with self._client.post(url, json=update, headers=headers) as answer:
                status = answer.status
                await answer.read()
        except (TimeoutError, ClientError, OSError):
            status = None
        finally:
            bot = self.core.bot(token)
            bot.deliveries.append(
                {"update_id": update["update_id"], "status": status, "time": time.monotonic()}
            )
            if status == 200:
                self.core.delivered(token, update)
                self._retry_at.pop(key, None)
            else:
                self._retry_at[key] = time.monotonic() + RETRY_DELAY
            self._in_flight.discard(key)
            self._chat_of_key.pop(key, None)
            bot.new_update.fire()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename:
                    params[part.name] = (part.filename, bytes(await part.read()))
                else:
                    params[part.name] = await part.text()
        elif request.can_read_body:
            params.update(dict(await request.post()))
        return params

    async def _api(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        status, body = await self.core.call(
            request.match_info["token"], request.match_info["method"], params
        )
        return web.json_response(body, status=status)

    async def _file(self, request: web.Request) -> web.Response:
        content = self.core.file_content(request.match_info["token"], request.match_info["path"])
        if content is None:  # as Telegram's file server answers
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            return web.json_response(body, status=404)
        return web.Response(body=content)

    async def _control(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        args: dict[str, Any] = dict(request.query)
        if action in ("send_document", "send_photo"):
            try:
                return self._json(self._user_file(action, await self._params(request)))
            except (ApiError, TypeError, ValueError, OSError, KeyError) as exc:
                return web.json_response({"error": f"{type(exc).__name__}: {exc}"}, status=400)
        if request.method == "POST" and request.can_read_body:
            args.update(await request.json())
        for key in (
            "user_id",
            "chat_id",
            "message_id",
            "count",
            "status",
            "retry_after",
            "times",
            "per_second",
            "per_chat_per_second",
            "per_group_per_minute",
        ):
            if key in args and args[key] is not None:
                args[key] = int(args[key])
        if "timeout" in args:
            args["timeout"] = float(args["timeout"])
        core = self.core
        try:
            if action == "wait":
                result: Any = {"messages": await core.wait_for_bot_messages(**args)}
            elif action in (
                "send_text",
                "press",
                "forge_callback",
                "messages",
                "last_message",
                "mark",
                "fail_next",
                "block",
                "unblock",
                "calls",
                "user",
                "set_limits",
                "flood_refusals",
                "push_raw",
                "file_unavailable",
                "refused",
                "pending_updates",
                "commands",
                "menu",
                "deliveries",
            ):
                result = getattr(core, action)(**args)
            else:
                raise web.HTTPNotFound()
        except (AssertionError, TimeoutError, ApiError, TypeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return self._json(result)

    @staticmethod
    def _json(result: Any) -> web.Response:
        return web.Response(
            text=json.dumps(result, ensure_ascii=False, default=str),
            content_type="application/json",
        )

    def _user_file(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """A user sends a file: `POST /_emu/send_document` (or `send_photo`) with `token`,
        `user_id` and either a multipart file part `file` or `path`, a file on this machine;
        optional `filename`, `mime_type` (guessed from the name) and `caption`."""
        upload = params.get("file")
        if isinstance(upload, tuple):
            name, content = upload
        elif params.get("path"):
            path = Path(str(params["path"])).expanduser()
            name, content = path.name, path.read_bytes()
        else:
            raise ValueError("send a multipart part 'file' or give 'path'")
        token, user_id = str(params["token"]), int(params["user_id"])
        caption = params.get("caption") or None
        if action == "send_photo":
            return self.core.send_photo(token, user_id, content, caption=caption)
        filename = str(params.get("filename") or name)
        mime = params.get("mime_type") or mimetypes.guess_type(filename)[0]
        return self.core.send_document(
            token, user_id, filename, content, mime or "application/octet-stream", caption
        )


def _chat_of(update: dict[str, Any]) -> object:
    """The chat an update belongs to (its message's, or its button's message's)."""
    for kind in ("message", "edited_message", "channel_post"):
        if isinstance(update.get(kind), dict):
            return update[kind].get("chat", {}).get("id")
    query = update.get("callback_query")
    if isinstance(query, dict):
        return (query.get("message") or {}).get("chat", {}).get("id") or query.get("from", {}).get(
            "id"
        )
    return ("update", update.get("update_id"))
