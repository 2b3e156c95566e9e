"""Deep links that open the bot with a join code: https://t.me/<bot>?start=<code>.

Written here rather than with `telegram.helpers.create_deep_linked_url` so that the layers
below the runtime need no Telegram package; the rule is the Bot API's: a payload of at most 64
characters from A-Z, a-z, 0-9, _ and - (join codes are `secrets.token_urlsafe(24)`: 32 of them).
"""

from __future__ import annotations

import re

_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def deep_link(bot_username: str, code: str) -> str:
    if not _PAYLOAD.fullmatch(code):
        raise ValueError("a start payload has 1-64 characters from A-Z, a-z, 0-9, _ and -")
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"
