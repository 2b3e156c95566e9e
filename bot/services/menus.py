"""Each person's command menu (Telegram's per-chat command scope), kept to their role.

The menu is not set here: an outbox item of kind `menu` says "this chat's menu may have
changed", and the one sender (`bot.runtime.sender`) works out the menu when it sends it (the
person's role and language then, `bot.ui.notices.menu_for`), so several changes in a row end in
the last one, whatever order the items go out in. Items are written when a person's role
becomes known or changes: joining (and the school or language they act in changing, both
seen by the turn frame), a role changed or a member removed by someone else
(`bot.services.members`), and once for every member of a school when the menus themselves
change (`backfill`, run with the materialiser; `MENU_VERSION`).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import outbox
from db.models import Member, Person, School

MENU = "menu"
# Bump when the commands of a role change: every joined member's menu is set again.
MENU_VERSION = 3  # 2: /priorities, /review, /newyear for the principal and vice-principals;
# 3: /supervisor (the supervising units) for them
SETTINGS_KEY = "menus"


def refresh(
    session: Session, school_id: int | None, telegram_user_id: int, now: dt.datetime
) -> None:
    """Have the sender set this person's private-chat menu anew (as soon as it can: a menu is
    no message, quiet hours do not hold it); `school_id` None for a unit's specialist."""
    outbox.enqueue(
        session,
        key=f"{MENU}:u{telegram_user_id}:{secrets.token_hex(8)}",
        school_id=school_id,
        kind=MENU,
        day=now.date(),
        send_at=now,
        chat_id=telegram_user_id,
    )


def refresh_member(session: Session, member: Member, now: dt.datetime) -> None:
    """The menu of this member's account, if they have joined on Telegram."""
    if member.person is not None:
        refresh(session, member.school_id, member.person.telegram_user_id, now)


def backfill(session: Session, now: dt.datetime) -> int:
    """Set the menu of every joined member of the schools whose menus are older than
    `MENU_VERSION` (those from before per-role menus, or before the commands changed); how
    many were written. Each school is marked in its settings, so this happens once."""
    schools = [
        s
        for s in session.scalars(select(School))
        if (s.settings or {}).get(SETTINGS_KEY) != MENU_VERSION
    ]
    written = 0
    if not schools:
        return 0
    found = session.execute(
        select(Member.school_id, Person.telegram_user_id)
        .join(Person, Person.id == Member.person_id)
        .where(Member.school_id.in_([s.id for s in schools]), Member.active.is_(True))
        .order_by(Member.id)
    )
    for school_id, telegram_user_id in found:
        refresh(session, school_id, telegram_user_id, now)
        written += 1
    for school in schools:
        school.settings = {**(school.settings or {}), SETTINGS_KEY: MENU_VERSION}
    return written
