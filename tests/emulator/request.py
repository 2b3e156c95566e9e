"""A python-telegram-bot request object that calls the emulator in-process (no sockets)."""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from tests.emulator.core import BotApiEmulator

_URL = re.compile(r"/bot([^/]+)/(\w+)$")
_FILE_URL = re.compile(r"/file/bot([^/]+)/(.+)$")


class EmulatorRequest(BaseRequest):
    def __init__(self, core: BotApiEmulator) -> None:
        self.core = core

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        file_match = _FILE_URL.search(url)
        if file_match is not None:
            token = urllib.parse.unquote(file_match.group(1))
            content = self.core.file_content(token, file_match.group(2))
            if content is None:  # as Telegram's file server answers
                return 404, b'{"ok": false, "error_code": 404, "description": "Not Found"}'
            return 200, content
        match = _URL.search(url)
        if match is None:
            return 404, b'{"ok": false, "error_code": 404, "description": "Not Found"}'
        params: dict[str, Any] = {}
        if request_data is not None:
            params.update(request_data.json_parameters)
            for name, value in (request_data.multipart_data or {}).items():
                filename, content = value[0], value[1]
                params[name] = (filename, content if isinstance(content, bytes) else b"")
        status, body = await self.core.call(match.group(1), match.group(2), params)
        return status, json.dumps(body).encode()
