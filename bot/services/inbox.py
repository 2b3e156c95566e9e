"""The inbox: updates received from Telegram, kept until the turn that handles them commits.

`bot.runtime.polling` stores each batch here before confirming it to Telegram, and forgets an
update once its turn has committed and its answer was delivered. After a crash, what is left
is handled again at the next start: an update not applied is applied, one applied but maybe
not answered is recognised (`chatstate.seen`) and its question asked again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.models import InboxUpdate


def store(session: Session, updates: list[dict[str, Any]], handled: Iterable[int] = ()) -> None:
    """Keep a batch (raw, as Telegram sent it) and forget the updates handled since the last
    one, in one commit. An update already kept is not kept twice."""
    forget(session, handled)
    ids = [u["update_id"] for u in updates if isinstance(u.get("update_id"), int)]
    if not ids:
        return
    known = set(
        session.scalars(select(InboxUpdate.update_id).where(InboxUpdate.update_id.in_(ids)))
    )
    for raw in updates:
        update_id = raw.get("update_id")
        if isinstance(update_id, int) and update_id not in known:
            known.add(update_id)
            session.add(InboxUpdate(update_id=update_id, payload=raw))


def forget(session: Session, update_ids: Iterable[int]) -> None:
    ids = list(update_ids)
    if ids:
        session.execute(delete(InboxUpdate).where(InboxUpdate.update_id.in_(ids)))


def pending(session: Session) -> list[dict[str, Any]]:
    """What was received and not handled (a crash or a stop mid-turn), oldest first."""
    return [
        item.payload
        for item in session.scalars(select(InboxUpdate).order_by(InboxUpdate.update_id))
    ]
