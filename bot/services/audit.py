"""The membership log: who changed which membership or invitation, when, before → after."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import (
    Invite,
    Member,
    MembershipHistory,
)


def record(
    session: Session,
    school_id: int,
    actor: Member | None,
    action: str,
    *,
    member: Member | None = None,
    invite: Invite | None = None,
    old: str | None = None,
    new: str | None = None,
) -> None:
    session.add(
        MembershipHistory(
            school_id=school_id,
            actor_member_id=actor.id if actor else None,
            member_id=member.id if member else None,
            invite_id=invite.id if invite else None,
            action=action,
            old_value=old,
            new_value=new,
        )
    )
