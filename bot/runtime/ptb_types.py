"""The python-telegram-bot Application as this bot builds it, spelled once for annotations.

`Application` is generic in six parameters; `Application.builder().build()` with no custom
`ContextTypes` gives these (PTB's own `InitApplicationBuilder`).
"""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import Application, ContextTypes, ExtBot, JobQueue

App: TypeAlias = Application[
    ExtBot[None],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]
