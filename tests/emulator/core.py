"""An in-memory Telegram Bot API: the methods caitien uses, refusing what Telegram refuses.

The bot side calls `call(token, method, params)` (through HTTP or `EmulatorRequest`); tests and
benchmarks act as people through the driver methods (`send_text`, `press`, ...) and wait for the
bot's answers with `wait_for_bot_messages`, which blocks on a condition, not a polling loop.
"""

from __future__ import annotations

import asyncio
import html.parser
import itertools
import json
import math
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]{30,}$")
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
MAX_FILE_DOWNLOAD = 20 * 1024 * 1024
EVENT_METHODS = {
    "sendmessage",
    "editmessagetext",
    "editmessagereplymarkup",
    "senddocument",
    "sendphoto",
}
COMMAND_SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
JSON_PARAMS = {
    "reply_markup",
    "commands",
    "scope",
    "link_preview_options",
    "allowed_updates",
    "entities",
    "reply_parameters",
    "menu_button",
}
HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        *,
        injected: bool = False,
    ):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters
        # True when a test asked for this refusal (fail_next, block, flood limits, a file made
        # unavailable): the bot did nothing wrong. Other refusals are the bot's own mistakes.
        self.injected = injected


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _HtmlChecker(html.parser.HTMLParser):
    """Telegram's HTML subset: known tags, balanced, entities well formed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = f'Unmatched end tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> str:
    """The visible text of an HTML message, or ApiError as Telegram's parser answers."""
    if re.search(r"<(?![a-zA-Z/])", text):
        raise ApiError(400, 'Bad Request: can\'t parse entities: unexpected "<"')
    if re.search(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", text):
        raise ApiError(400, "Bad Request: can't parse entities: unsupported entity")
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.error or checker.stack:
        raise ApiError(
            400,
            "Bad Request: can't parse entities: "
            + (checker.error or f'Can\'t find end tag "{checker.stack[-1]}"'),
        )
    return "".join(checker.text)


class Signal:
    """Wakes every waiter once when fired (a reusable one-shot future)."""

    def __init__(self) -> None:
        self._future: asyncio.Future[None] | None = None

    def future(self) -> asyncio.Future[None]:
        if self._future is None or self._future.done():
            self._future = asyncio.get_running_loop().create_future()
        return self._future

    def fire(self) -> None:
        if self._future is not None and not self._future.done():
            self._future.set_result(None)
        self._future = None


@dataclass
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None
    times: int


SEND_METHODS = {"sendmessage", "senddocument", "sendphoto"}


@dataclass
class RateLimits:
    """Telegram's flood limits, enforced when set: more gets 429 with `retry_after`."""

    per_second: int | None = None  # messages per second for the whole bot (Telegram: ~30)
    per_chat_per_second: int | None = None  # to one chat (Telegram: ~1)
    per_group_per_minute: int | None = None  # to one group (Telegram: 20)


class Window:
    """Sliding window of send times."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit, self.period = limit, period
        self.times: deque[float] = deque()

    def check(self, now: float) -> float:
        """0 if a send is allowed now (and records it), else seconds until it would be."""
        while self.times and now - self.times[0] >= self.period:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return self.period - (now - self.times[0])
        self.times.append(now)
        return 0.0


@dataclass
class BotState:
    token: str
    bot_id: int
    username: str = "caitien_test_bot"
    first_name: str = "Caitien Test Bot"
    updates: list[dict[str, Any]] = field(default_factory=list)
    update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    messages: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    message_ids: dict[int, itertools.count] = field(default_factory=dict)
    events: dict[int, list[int]] = field(default_factory=dict)  # chat → message ids
    seen_events: dict[int, int] = field(default_factory=dict)
    callbacks: dict[str, bool] = field(default_factory=dict)  # id → answered
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    limits: RateLimits = field(default_factory=RateLimits)
    windows: dict[object, Window] = field(default_factory=dict)
    flood_refusals: int = 0  # 429 answers given because a limit was exceeded
    slow: dict[str, float] = field(default_factory=dict)  # method → seconds before answering
    # method → calls waiting, not carried out (`hold`); dropped when the hold ends (`drop`).
    held: dict[str, asyncio.Event] = field(default_factory=dict)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # file_id → (name, bytes)
    # Messages sent with disable_notification (delivered without sound): (chat, message id).
    silent: set[tuple[int, int]] = field(default_factory=set)
    unavailable: set[str] = field(default_factory=set)  # file ids getFile refuses
    # Every call answered with an error: method, status, description, injected (see ApiError).
    refusals: list[dict[str, Any]] = field(default_factory=list)
    # Raw updates (`push_raw`): delivered whatever `allowed_updates` says.
    raw_update_ids: set[int] = field(default_factory=set)
    webhook: str = ""
    webhook_secret: str = ""  # sent as X-Telegram-Bot-Api-Secret-Token with each update
    webhook_max_connections: int = 40
    # Each webhook delivery: {"update_id", "status"} (None when the connection failed).
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    poller: asyncio.Future[None] | None = None
    new_update: Signal = field(default_factory=Signal)
    chat_signals: dict[int, Signal] = field(default_factory=dict)

    def chat_signal(self, chat_id: int) -> Signal:
        return self.chat_signals.setdefault(chat_id, Signal())

    @property
    def user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }


class BotApiEmulator:
    def __init__(self) -> None:
        self.bots: dict[str, BotState] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.groups: dict[int, dict[str, Any]] = {}
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)

    # ------------------------------------------------------------ bookkeeping

    def bot(self, token: str) -> BotState:
        m = TOKEN_RE.match(token)
        if not m:
            raise ApiError(401, "Unauthorized")
        if token not in self.bots:
            self.bots[token] = BotState(token, int(m.group(1)))
        return self.bots[token]

    def user(
        self,
        user_id: int,
        first_name: str = "Người dùng",
        language_code: str = "vi",
        username: str | None = None,
    ) -> dict[str, Any]:
        if user_id not in self.users or first_name != "Người dùng":
            self.users[user_id] = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name,
                "language_code": language_code,
                **({"username": username} if username else {}),
            }
        return self.users[user_id]

    def group(self, chat_id: int, title: str = "Nhóm") -> dict[str, Any]:
        """A group chat (negative id) the bot is in."""
        assert chat_id < 0
        self.groups[chat_id] = {"id": chat_id, "type": "group", "title": title}
        return self.groups[chat_id]

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self.groups:
            return dict(self.groups[chat_id])
        user = self.users.get(chat_id, {"first_name": "?"})
        return {"id": chat_id, "type": "private", "first_name": user["first_name"]}

    def _push_update(self, bot: BotState, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(bot.update_ids), kind: payload}
        bot.updates.append(update)
        bot.new_update.fire()
        return update

    # ------------------------------------------------------------ the Bot API

    async def call(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        name = method.lower()
        entry: dict[str, Any] = {"method": method, "params": params, "time": time.monotonic()}
        try:
            bot = self.bot(token)
            bot.calls.append(entry)
            params = self._coerce(params)
            entry["params"] = params
            self._injected(bot, name, params)
            if name in bot.held:  # the call hangs, as on a network that stopped answering
                bot.waiting.append(entry)
                await bot.held[name].wait()
                raise ApiError(502, "Bad Gateway")  # dropped: never carried out
            handler = getattr(self, f"_m_{name}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = handler(bot, params)
            if asyncio.iscoroutine(result):
                result = await result
            entry["status"] = 200
            if name in EVENT_METHODS:
                chat_id = int(params["chat_id"])
                bot.events.setdefault(chat_id, []).append(result["message_id"])
                bot.chat_signal(chat_id).fire()
            delay = bot.slow.get(name)
            if delay:  # done, but the answer is late (a slow network: the client cannot tell)
                await asyncio.sleep(delay)
            return 200, {"ok": True, "result": result}
        except ApiError as exc:
            entry["status"] = exc.status
            if token in self.bots:
                self.bots[token].refusals.append(
                    {
                        "method": method,
                        "status": exc.status,
                        "description": exc.description,
                        "injected": exc.injected,
                        "chat_id": params.get("chat_id"),
                    }
                )
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.status,
                "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            return exc.status, body

    @staticmethod
    def _coerce(params: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in params.items():
            if isinstance(value, str) and key in JSON_PARAMS:
                try:
                    value = json.loads(value)
                except ValueError as exc:
                    raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from exc
            elif isinstance(value, str) and value in ("true", "false"):
                value = value == "true"
            elif (
                isinstance(value, str)
                and key in ("chat_id", "message_id", "offset", "limit", "timeout", "user_id")
                and value.lstrip("-").isdigit()
            ):
                value = int(value)
            out[key] = value
        return out

    def _injected(self, bot: BotState, name: str, params: dict[str, Any]) -> None:
        for failure in bot.failures:
            if failure.method.lower() == name and failure.times > 0:
                failure.times -= 1
                parameters = {"retry_after": failure.retry_after} if failure.retry_after else None
                raise ApiError(failure.status, failure.description, parameters, injected=True)
        if name in EVENT_METHODS and params.get("chat_id") in bot.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user", injected=True)
        if name in SEND_METHODS:
            self._flood_check(bot, params)

    @staticmethod
    def _flood_check(bot: BotState, params: dict[str, Any]) -> None:
        chat = params.get("chat_id")
        chat_id = int(chat) if isinstance(chat, int) or str(chat).lstrip("-").isdigit() else 0
        limits = bot.limits
        checks: list[tuple[object, int, float]] = []
        if limits.per_chat_per_second and chat_id > 0:
            checks.append((("chat", chat_id), limits.per_chat_per_second, 1.0))
        if limits.per_group_per_minute and chat_id < 0:
            checks.append((("group", chat_id), limits.per_group_per_minute, 60.0))
        if limits.per_second:
            checks.append(("bot", limits.per_second, 1.0))
        now = time.monotonic()
        for key, limit, period in checks:
            window = bot.windows.setdefault(key, Window(limit, period))
            wait = window.check(now)
            if wait > 0:
                for earlier, *_ in checks[: checks.index((key, limit, period))]:
                    bot.windows[earlier].times.pop()  # this send did not happen
                bot.flood_refusals += 1
                retry = max(1, math.ceil(wait))
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {retry}",
                    {"retry_after": retry},
                    injected=True,
                )

    def _m_getme(self, bot: BotState, p: dict[str, Any]) -> dict[str, Any]:
        return {
            **bot.user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_logout(self, bot: BotState, p: dict[str, Any]) -> bool:
        return True

    _m_close = _m_logout
    _m_sendchataction = _m_logout
    _m_setchatmenubutton = _m_logout

    def _m_getchatmenubutton(self, bot: BotState, p: dict[str, Any]) -> dict[str, Any]:
        return {"type": "default"}

    def _m_deletewebhook(self, bot: BotState, p: dict[str, Any]) -> bool:
        bot.webhook = ""
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        return True

    def _m_setwebhook(self, bot: BotState, p: dict[str, Any]) -> bool:
        secret = str(p.get("secret_token") or "")
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        url = str(p.get("url", ""))
        if url and not re.match(r"https?://[^/]+", url):  # the emulator also takes http://
            raise ApiError(400, "Bad Request: bad webhook: invalid URL")
        bot.webhook, bot.webhook_secret = url, secret
        bot.webhook_max_connections = int(p.get("max_connections") or 40)
        if p.get("drop_pending_updates"):
            bot.updates.clear()
        bot.new_update.fire()  # the webhook pusher (tests.emulator.http) looks again
        return True

    def delivered(self, token: str, update: dict[str, Any]) -> None:
        """The webhook answered 200 for this update: Telegram forgets it."""
        bot = self.bot(token)
        bot.updates = [u for u in bot.updates if u["update_id"] != update["update_id"]]

    def deliveries(self, token: str) -> list[dict[str, Any]]:
        return list(self.bot(token).deliveries)

    def _m_getwebhookinfo(self, bot: BotState, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": bot.webhook,
            "has_custom_certificate": False,
            "pending_update_count": len(bot.updates),
        }

    async def _m_getupdates(self, bot: BotState, p: dict[str, Any]) -> list[dict[str, Any]]:
        if bot.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(p.get("offset") or 0)
        if offset:
            bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
        if bot.poller is not None and not bot.poller.done():
            bot.poller.set_exception(
                ApiError(
                    409,
                    "Conflict: terminated by other getUpdates "
                    "request; make sure that only one bot instance "
                    "is running",
                )
            )
        me: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        bot.poller = me
        allowed = p.get("allowed_updates") or None
        limit = min(int(p.get("limit") or 100), 100)
        deadline = time.monotonic() + float(p.get("timeout") or 0)

        def ready() -> list[dict[str, Any]]:
            found = [
                u
                for u in bot.updates
                if not allowed
                or any(k in u for k in allowed)
                or u.get("update_id") in bot.raw_update_ids
            ]
            return found[:limit]

        while not (found := ready()):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await asyncio.wait(
                {bot.new_update.future(), me},
                timeout=remaining,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if me.done():
                me.result()  # raises the 409 when a newer getUpdates took over
        if not me.done():
            me.set_result(None)
        return found

    # commands

    def _scope_key(self, p: dict[str, Any]) -> str:
        """The key of a command scope (and language), refused as Telegram refuses: an unknown
        scope type, a chat scope without a chat or for a chat the bot does not know, a member
        scope without a user, a language code that is not two letters."""
        scope = p.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        kind = scope["type"]
        chat = ""
        user = ""
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat_id = scope.get("chat_id")
            if not isinstance(chat_id, int) or isinstance(chat_id, bool):
                raise ApiError(400, "Bad Request: chat not found")
            if chat_id not in self.users and chat_id not in self.groups:
                raise ApiError(400, "Bad Request: chat not found")
            if kind != "chat" and chat_id in self.users:  # administrators of a private chat
                raise ApiError(400, "Bad Request: chat not found")
            chat = str(chat_id)
        if kind == "chat_member":
            user_id = scope.get("user_id")
            if not isinstance(user_id, int) or user_id not in self.users:
                raise ApiError(400, "Bad Request: user not found")
            user = str(user_id)
        language = p.get("language_code") or ""
        if not isinstance(language, str) or not re.fullmatch(r"([a-z]{2})?", language):
            raise ApiError(400, "Bad Request: LANGUAGE_CODE_INVALID")
        return f"{kind}:{chat}:{user}:{language}"

    def _m_setmycommands(self, bot: BotState, p: dict[str, Any]) -> bool:
        commands = p.get("commands") or []
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        bot.commands[self._scope_key(p)] = commands
        return True

    def _m_getmycommands(self, bot: BotState, p: dict[str, Any]) -> list[dict[str, Any]]:
        return bot.commands.get(self._scope_key(p), [])

    def _m_deletemycommands(self, bot: BotState, p: dict[str, Any]) -> bool:
        bot.commands.pop(self._scope_key(p), None)
        return True

    # messages

    def _chat_messages(self, bot: BotState, chat_id: Any) -> dict[int, dict[str, Any]]:
        try:
            chat = int(chat_id)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "Bad Request: chat not found") from exc
        if chat not in self.users and chat not in self.groups:
            raise ApiError(400, "Bad Request: chat not found")
        return bot.messages.setdefault(chat, {})

    def _check_text(self, p: dict[str, Any], key: str = "text", limit: int = MAX_TEXT) -> str:
        text = str(p.get(key) or "")
        visible = parse_html(text) if str(p.get("parse_mode", "")).upper() == "HTML" else text
        if key == "text" and not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(visible) > limit:
            raise ApiError(
                400,
                "Bad Request: message is too long"
                if key == "text"
                else "Bad Request: message caption is too long",
            )
        return visible

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        if not markup:
            return None
        rows = markup.get("inline_keyboard")
        if rows is None:
            return markup
        if sum(len(r) for r in rows) > 100:
            raise ApiError(400, "Bad Request: too many buttons")
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                kinds = [k for k in ("callback_data", "url") if k in button]
                if len(kinds) != 1:
                    raise ApiError(400, "Bad Request: BUTTON_TYPE_INVALID")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_BYTES:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _new_message(self, bot: BotState, p: dict[str, Any], **content: Any) -> dict[str, Any]:
        messages = self._chat_messages(bot, p.get("chat_id"))
        chat_id = int(p["chat_id"])
        counter = bot.message_ids.setdefault(chat_id, itertools.count(1))
        message = {
            "message_id": next(counter),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": bot.user,
            **content,
        }
        markup = self._check_markup(p.get("reply_markup"))
        if markup:
            message["reply_markup"] = markup
        if p.get("disable_notification") is True:
            bot.silent.add((chat_id, message["message_id"]))
        messages[message["message_id"]] = message
        return message

    def _m_sendmessage(self, bot: BotState, p: dict[str, Any]) -> dict[str, Any]:
        self._chat_messages(bot, p.get("chat_id"))
        visible = self._check_text(p)
        self._check_markup(p.get("reply_markup"))
        return self._new_message(bot, p, text=visible, html=p.get("text"))

    def _existing(self, bot: BotState, p: dict[str, Any]) -> dict[str, Any]:
        messages = self._chat_messages(bot, p.get("chat_id"))
        message = messages.get(int(p.get("message_id") or 0))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _m_editmessagetext(self, bot: BotState, p: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(bot, p)
        visible = self._check_text(p)
        markup = self._check_markup(p.get("reply_markup"))
        if visible == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current "
                "content and reply markup of the message",
            )
        message.update(text=visible, html=p.get("text"), edit_date=int(time.time()))
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    def _m_editmessagereplymarkup(self, bot: BotState, p: dict[str, Any]) -> dict[str, Any]:
        message = self._existing(bot, p)
        markup = self._check_markup(p.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current "
                "content and reply markup of the message",
            )
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        return message

    def _m_deletemessage(self, bot: BotState, p: dict[str, Any]) -> bool:
        messages = self._chat_messages(bot, p.get("chat_id"))
        if messages.pop(int(p.get("message_id") or 0), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _m_answercallbackquery(self, bot: BotState, p: dict[str, Any]) -> bool:
        query_id = str(p.get("callback_query_id", ""))
        if bot.callbacks.get(query_id, True):
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(str(p.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        bot.callbacks[query_id] = True
        return True

    # files

    def _store_file(self, bot: BotState, name: str, content: bytes) -> dict[str, Any]:
        file_id = f"file{next(self._file_ids)}"
        bot.files[file_id] = (name, content)
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content)}

    def _upload(self, bot: BotState, p: dict[str, Any], key: str) -> dict[str, Any]:
        value = p.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.get(value.removeprefix("attach://"))
        if isinstance(value, tuple):  # (filename, bytes) from a multipart upload
            return {**self._store_file(bot, value[0], value[1]), "file_name": value[0]}
        if isinstance(value, str) and value in bot.files:
            name, content = bot.files[value]
            return {
                "file_id": value,
                "file_unique_id": f"u{value}",
                "file_size": len(content),
                "file_name": name,
            }
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _m_senddocument(self, bot: BotState, p: dict[str, Any]) -> dict[str, Any]:
        self._chat_messages(bot, p.get("chat_id"))
        caption = self._check_text(p, "caption", MAX_CAPTION) if p.get("caption") else None
        document = self._upload(bot, p, "document")
        return self._new_message(
            bot, p, document=document, **({"caption": caption} if caption else {})
        )

    def _m_sendphoto(self, bot: BotState, p: dict[str, Any]) -> dict[str, Any]:
        self._chat_messages(bot, p.get("chat_id"))
        caption = self._check_text(p, "caption", MAX_CAPTION) if p.get("caption") else None
        photo = self._upload(bot, p, "photo")
        photo.pop("file_name", None)
        return self._new_message(
            bot,
            p,
            photo=[{**photo, "width": 800, "height": 600}],
            **({"caption": caption} if caption else {}),
        )

    def _m_getfile(self, bot: BotState, p: dict[str, Any]) -> dict[str, Any]:
        file_id = str(p.get("file_id", ""))
        if file_id in bot.unavailable:
            raise ApiError(
                400,
                "Bad Request: wrong file_id or the file is temporarily unavailable",
                injected=True,
            )
        if file_id not in bot.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        name, content = bot.files[file_id]
        if len(content) > MAX_FILE_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        # Telegram's own name, not the sender's ("documents/file_12.pdf"): a sender's name can
        # hold anything ("../../x", control characters) and is no part of a download URL.
        extension = re.sub(r"[^A-Za-z0-9]", "", name.rpartition(".")[2])[:8] if "." in name else ""
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(content),
            "file_path": f"documents/{file_id}" + (f".{extension}" if extension else ""),
        }

    def file_content(self, token: str, file_path: str) -> bytes | None:
        bot = self.bot(token)
        found = re.match(r"file\d+", file_path.rpartition("/")[2])  # "documents/file12.pdf"
        entry = bot.files.get(found.group()) if found else None
        return entry[1] if entry else None

    # ------------------------------------------------------------ driver (people)

    def _user_message(
        self, token: str, user_id: int, chat_id: int | None = None, **content: Any
    ) -> dict[str, Any]:
        bot = self.bot(token)
        user = self.user(user_id) if user_id not in self.users else self.users[user_id]
        chat = chat_id if chat_id is not None else user_id
        counter = bot.message_ids.setdefault(chat, itertools.count(1))
        message = {
            "message_id": next(counter),
            "date": int(time.time()),
            "from": user,
            "chat": self._chat(chat),
            **content,
        }
        bot.messages.setdefault(chat, {})
        return self._push_update(bot, "message", message)

    def send_group_text(self, token: str, user_id: int, chat_id: int, text: str) -> dict[str, Any]:
        """A member writes in a group chat (e.g. /linkgroup@bot)."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return self._user_message(token, user_id, chat_id=chat_id, **content)

    def send_text(self, token: str, user_id: int, text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        return self._user_message(token, user_id, **content)

    def send_document(
        self,
        token: str,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str,
        caption: str | None = None,
    ) -> dict[str, Any]:
        stored = self._store_file(self.bot(token), filename, content)
        document = {**stored, "file_name": filename, "mime_type": mime_type}
        extra = {"caption": caption} if caption else {}
        return self._user_message(token, user_id, document=document, **extra)

    def send_photo(
        self, token: str, user_id: int, content: bytes, caption: str | None = None
    ) -> dict[str, Any]:
        stored = self._store_file(self.bot(token), "photo.jpg", content)
        extra = {"caption": caption} if caption else {}
        return self._user_message(
            token, user_id, photo=[{**stored, "width": 800, "height": 600}], **extra
        )

    def _callback(
        self, token: str, user_id: int, message: dict[str, Any], data: str
    ) -> dict[str, Any]:
        bot = self.bot(token)
        query_id = str(next(self._callback_ids))
        bot.callbacks[query_id] = False
        query = {
            "id": query_id,
            "from": self.users.get(user_id) or self.user(user_id),
            "chat_instance": f"ci{user_id}",
            "message": message,
            "data": data,
        }
        return self._push_update(bot, "callback_query", query)

    def press(
        self,
        token: str,
        user_id: int,
        message_id: int | None = None,
        data: str | None = None,
        button_text: str | None = None,
    ) -> dict[str, Any]:
        """Press a button that is on a bot message (the latest with a keyboard by default)."""
        messages = self.bot(token).messages.get(user_id, {})
        if message_id is None:
            with_keyboard = [m for m in messages.values() if "reply_markup" in m]
            assert with_keyboard, "no bot message with buttons in this chat"
            message = with_keyboard[-1]
        else:
            message = messages[message_id]
        buttons = [
            b
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for b in row
            if "callback_data" in b
        ]
        found = [b for b in buttons if data is not None and b["callback_data"] == data]
        if button_text is not None and not found:
            found = [b for b in buttons if b["text"] == button_text] or [
                b for b in buttons if b["text"].startswith(button_text)
            ]
        assert len(found) >= 1, (
            f"no button {data or button_text!r} on message "
            f"{message['message_id']}: {[b['text'] for b in buttons]}"
        )
        return self._callback(token, user_id, message, found[0]["callback_data"])

    def forge_callback(
        self, token: str, user_id: int, message_id: int, data: str
    ) -> dict[str, Any]:
        message = self.bot(token).messages.get(user_id, {}).get(message_id) or {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(user_id),
        }
        return self._callback(token, user_id, message, data)

    def push_raw(self, token: str, update: dict[str, Any]) -> dict[str, Any]:
        """Deliver `update` exactly as given (an `update_id` is added when it has none), even
        when `allowed_updates` leaves its kind out or python-telegram-bot cannot parse it: a
        channel post, an edited message, a `message` that is not an object."""
        bot = self.bot(token)
        raw = {"update_id": next(bot.update_ids), **update}
        bot.raw_update_ids.add(raw["update_id"])
        bot.updates.append(raw)
        bot.new_update.fire()
        return raw

    def file_unavailable(self, token: str, file_id: str) -> None:
        """getFile refuses this file from now on, as Telegram sometimes does."""
        self.bot(token).unavailable.add(file_id)

    def refused(self, token: str, injected: bool = False) -> list[dict[str, Any]]:
        """The calls answered with an error; by default only those no test asked for."""
        return [r for r in self.bot(token).refusals if injected or not r["injected"]]

    def pending_updates(self, token: str) -> list[int]:
        """Ids of the updates the bot has not confirmed yet (offset not past them)."""
        return [u["update_id"] for u in self.bot(token).updates]

    def messages(self, token: str, chat_id: int) -> list[dict[str, Any]]:
        return list(self.bot(token).messages.get(chat_id, {}).values())

    def is_silent(self, token: str, chat_id: int, message_id: int) -> bool:
        """Whether that message was sent with `disable_notification` (no sound on the phone)."""
        return (chat_id, message_id) in self.bot(token).silent

    def last_message(self, token: str, chat_id: int) -> dict[str, Any] | None:
        messages = self.messages(token, chat_id)
        return messages[-1] if messages else None

    def calls(self, token: str, method: str | None = None) -> list[dict[str, Any]]:
        calls = self.bot(token).calls
        return [c for c in calls if method is None or c["method"].lower() == method.lower()]

    def commands(
        self,
        token: str,
        scope: str = "default",
        chat_id: int | None = None,
        language_code: str = "",
    ) -> list[dict[str, Any]]:
        """The commands set for exactly this scope (what getMyCommands answers)."""
        params: dict[str, Any] = {"scope": {"type": scope}, "language_code": language_code}
        if chat_id is not None:
            params["scope"]["chat_id"] = chat_id
        return self.bot(token).commands.get(self._scope_key(params), [])

    def menu(self, token: str, chat_id: int) -> dict[str, Any]:
        """The command menu a user sees in their private chat with the bot, resolved as
        Telegram's apps do: the chat's own scope, then all private chats, then the default,
        each first in the user's language. {"scope": the key that answered, "commands"}."""
        bot = self.bot(token)
        user = self.users.get(chat_id, {})
        language = str(user.get("language_code") or "")[:2].lower()
        for kind, chat in (("chat", str(chat_id)), ("all_private_chats", ""), ("default", "")):
            for code in (language, "") if language else ("",):
                key = f"{kind}:{chat}::{code}"
                if bot.commands.get(key):
                    return {"scope": key, "commands": bot.commands[key]}
        return {"scope": None, "commands": []}

    def mark(self, token: str, chat_id: int) -> None:
        bot = self.bot(token)
        bot.seen_events[chat_id] = len(bot.events.get(chat_id, []))

    async def wait_for_bot_messages(
        self, token: str, chat_id: int, count: int = 1, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """The bot's next `count` messages or edits in this chat (as they are now)."""
        bot = self.bot(token)
        start = bot.seen_events.get(chat_id, 0)

        def arrived() -> bool:
            return len(bot.events.get(chat_id, [])) - start >= count

        deadline = time.monotonic() + timeout
        while not arrived():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                got = [self._text(bot, chat_id, i) for i in bot.events.get(chat_id, [])[start:]]
                raise TimeoutError(
                    f"waited for {count} bot message(s) in chat {chat_id}, got {len(got)}: {got}"
                )
            await asyncio.wait({bot.chat_signal(chat_id).future()}, timeout=remaining)
        ids = bot.events[chat_id][start : start + count]
        bot.seen_events[chat_id] = start + count
        chat = bot.messages.get(chat_id, {})
        return [chat.get(i, {"message_id": i, "deleted": True}) for i in ids]

    @staticmethod
    def _text(bot: BotState, chat_id: int, message_id: int) -> str:
        return str(bot.messages.get(chat_id, {}).get(message_id, {}).get("text", ""))[:80]

    def pop_updates(self, token: str) -> list[dict[str, Any]]:
        bot = self.bot(token)
        updates, bot.updates = bot.updates, []
        return updates

    def fail_next(
        self,
        token: str,
        method: str,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        default = {
            429: f"Too Many Requests: retry after {retry_after}",
            403: "Forbidden: bot was blocked by the user",
            500: "Internal Server Error",
        }.get(status, "Bad Request")
        self.bot(token).failures.append(
            Failure(method, status, description or default, retry_after, times)
        )

    def set_limits(
        self,
        token: str,
        per_second: int | None = None,
        per_chat_per_second: int | None = None,
        per_group_per_minute: int | None = None,
    ) -> None:
        bot = self.bot(token)
        bot.limits = RateLimits(per_second, per_chat_per_second, per_group_per_minute)
        bot.windows.clear()

    def hold(self, token: str, method: str) -> None:
        """Calls of `method` hang from now on and are not carried out (see `drop`)."""
        self.bot(token).held[method.lower()] = asyncio.Event()

    def held_calls(self, token: str) -> list[dict[str, Any]]:
        return list(self.bot(token).waiting)

    def drop(self, token: str, method: str) -> None:
        """End the hold: the calls that hung fail (502, not carried out); later ones go
        through."""
        bot = self.bot(token)
        event = bot.held.pop(method.lower(), None)
        if event is not None:
            event.set()
        bot.waiting.clear()

    def slow_answers(self, token: str, method: str, seconds: float) -> None:
        """Carry out `method` at once but answer only after `seconds` (0: back to normal)."""
        self.bot(token).slow[method.lower()] = seconds

    def flood_refusals(self, token: str) -> int:
        return self.bot(token).flood_refusals

    def block(self, token: str, user_id: int) -> None:
        self.bot(token).blocked.add(user_id)

    def unblock(self, token: str, user_id: int) -> None:
        self.bot(token).blocked.discard(user_id)
