"""Conversation state per (chat, user), stored in the database and written before each reply.

python-telegram-bot's persistence writes on a timer (every 60 s by default) and a
ConversationHandler learns its next state only after its callback has already replied, so a
crash between the two loses the answer. Here the step, the draft and the id of the update
that produced them are committed in one transaction before anything is sent; a redelivered
update (the bot died before confirming it) is recognised by its id and not applied twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ChatState


def load_state(session: Session, chat_id: int, user_id: int) -> ChatState:
    state = session.scalar(
        select(ChatState).where(ChatState.chat_id == chat_id, ChatState.telegram_user_id == user_id)
    )
    if state is None:
        state = ChatState(chat_id=chat_id, telegram_user_id=user_id, data={}, version=0)
        state.last_update_id = 0
        session.add(state)
        session.flush()
    return state


def seen(state: ChatState, update_id: int) -> bool:
    """True when this update was already applied (it is being delivered again)."""
    return update_id <= (state.last_update_id or 0)


def mark_seen(state: ChatState, update_id: int) -> None:
    state.last_update_id = max(update_id, state.last_update_id or 0)


def enter(state: ChatState, flow: str, step: str, **data: Any) -> None:
    """Move to `step` of `flow`, merging `data`; buttons of earlier messages become stale."""
    state.flow = flow
    state.step = step
    state.data = {**(state.data or {}), **data}
    state.version = (state.version or 0) + 1


def leave(state: ChatState) -> None:
    state.flow = None
    state.step = None
    state.data = {}
    state.version = (state.version or 0) + 1
