"""Join codes: invitation links (for one person or the whole staff), their use, revocation."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.permissions import Refusal
from bot.services.audit import record
from db.models import (
    Invite,
    Member,
    MembershipHistory,
    Person,
    Role,
    School,
)

INVITE_DAYS = 7


WHOLE_STAFF_USES = 200


class InviteError(ValueError):
    """Bad input for an invitation."""


def new_code() -> str:
    """An unguessable, URL-safe deep-link payload (32 characters, 192 bits)."""
    return secrets.token_urlsafe(24)


class JoinOutcome(enum.StrEnum):
    JOINED = "joined"
    ALREADY_MEMBER = "already_member"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"
    REVOKED = "revoked"


@dataclass(frozen=True)
class JoinResult:
    outcome: JoinOutcome
    member: Member | None = None
    school: School | None = None
    # A role link (not a personal code): the new member is asked their name and position.
    ask_profile: bool = False


def join_with_code(session: Session, person: Person, code: str, now: dt.datetime) -> JoinResult:
    """Use a join code: checks it on the server, binds or creates the member, counts the use."""
    invite = session.scalar(select(Invite).where(Invite.code == code).with_for_update())
    if invite is None:
        return JoinResult(JoinOutcome.UNKNOWN)
    school = session.get(School, invite.school_id)
    existing = session.scalar(
        select(Member).where(Member.school_id == invite.school_id, Member.person_id == person.id)
    )
    if existing is not None and existing.active:
        person.active_member_id = existing.id
        return JoinResult(JoinOutcome.ALREADY_MEMBER, existing, school)
    if invite.revoked_at is not None:
        return JoinResult(JoinOutcome.REVOKED, school=school)
    if invite.expires_at is not None and invite.expires_at <= now:
        return JoinResult(JoinOutcome.EXPIRED, school=school)
    if invite.used_count >= invite.max_uses:
        return JoinResult(JoinOutcome.USED_UP, school=school)
    invite.used_count += 1
    member = session.get(Member, invite.member_id) if invite.member_id else None
    personal = member is not None
    if member is None:
        member = existing or Member(school_id=invite.school_id, display_name=person.first_name)
        member.role = invite.role
        member.active = True
        session.add(member)
    member.person_id = person.id
    session.flush()
    person.active_member_id = member.id
    session.add(
        MembershipHistory(
            school_id=invite.school_id,
            member_id=member.id,
            invite_id=invite.id,
            action="joined",
            new_value=member.role,
        )
    )
    ask = not personal and invite.role != Role.PRINCIPAL
    return JoinResult(JoinOutcome.JOINED, member, school, ask_profile=ask)


def create_invite(
    session: Session,
    school: School,
    role: str,
    *,
    max_uses: int = 1,
    expires_at: dt.datetime | None = None,
    created_by: Member | None = None,
) -> Invite:
    """A join code for `role` in `school` (deep link payload)."""
    if role not in set(Role):
        raise InviteError(f"unknown role {role!r}")
    invite = Invite(
        code=new_code(),
        school_id=school.id,
        role=role,
        max_uses=max_uses,
        expires_at=expires_at,
        created_by_member_id=created_by.id if created_by else None,
    )
    session.add(invite)
    session.flush()
    return invite


def invite_role(
    session: Session,
    school: School,
    role: str,
    actor: Member | None,
    now: dt.datetime,
    *,
    max_uses: int = 1,
    days: int = INVITE_DAYS,
) -> Invite:
    """A link for a new member of `role`: expires after `days`, usable `max_uses` times."""
    invite = create_invite(
        session,
        school,
        role,
        max_uses=max_uses,
        expires_at=now + dt.timedelta(days=days),
        created_by=actor,
    )
    record(session, school.id, actor, "invited", invite=invite, new=f"{role} ×{max_uses}")
    return invite


def open_invites(session: Session, school_id: int, now: dt.datetime) -> list[Invite]:
    found = session.scalars(
        select(Invite)
        .where(
            Invite.school_id == school_id, Invite.revoked_at.is_(None), Invite.member_id.is_(None)
        )
        .order_by(Invite.id)
    )
    return [
        i
        for i in found
        if i.used_count < i.max_uses
        and (i.expires_at is None or i.expires_at > now)
        and i.role != Role.PRINCIPAL
    ]


def revoke_invite(
    session: Session, school_id: int, invite_id: int, actor: Member, now: dt.datetime
) -> Refusal | None:
    invite = session.scalar(
        select(Invite).where(Invite.id == invite_id, Invite.school_id == school_id)
    )
    if invite is None or invite.revoked_at is not None:
        return Refusal.NOT_FOUND
    invite.revoked_at = now
    record(session, school_id, actor, "revoked", invite=invite, old=invite.role)
    return None
