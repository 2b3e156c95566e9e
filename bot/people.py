"""Who is talking: Telegram accounts, their memberships in schools, and join codes."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog import DEFAULT_REGULATION, LEVELS, TT57, load_catalog
from db.models import Invite, Member, MembershipHistory, Person, Role, School


@dataclass(frozen=True)
class TelegramUser:
    """The few facts of a Telegram user the domain needs (kept free of the telegram package)."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None


def upsert_person(session: Session, user: TelegramUser) -> Person:
    person = session.scalar(select(Person).where(Person.telegram_user_id == user.id))
    if person is None:
        person = Person(telegram_user_id=user.id)
        session.add(person)
    person.first_name = user.first_name[:200]
    person.username = user.username
    person.telegram_language = user.language_code
    session.flush()
    return person


def memberships(session: Session, person: Person) -> list[Member]:
    return list(
        session.scalars(
            select(Member)
            .where(Member.person_id == person.id, Member.active.is_(True))
            .order_by(Member.id)
        )
    )


def current_member(session: Session, person: Person) -> Member | None:
    """The membership the person acts in: the one they chose, else their first one."""
    members = memberships(session, person)
    chosen = next((m for m in members if m.id == person.active_member_id), None)
    return chosen or (members[0] if members else None)


def new_code() -> str:
    """An unguessable, URL-safe deep-link payload (32 characters, 192 bits)."""
    return secrets.token_urlsafe(24)


class SchoolError(ValueError):
    """Bad input for creating a school."""


def create_school(
    session: Session, name: str, level: str, regulation: str | None, timezone: str
) -> tuple[School, Invite]:
    """Create a school and the one-use code that makes its principal."""
    name = name.strip()
    if not name:
        raise SchoolError("the school name is empty")
    if level not in LEVELS:
        raise SchoolError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    code = regulation or DEFAULT_REGULATION[level]
    catalog = load_catalog()
    if code not in catalog.codes():
        raise SchoolError(f"unknown regulation {code!r}; use one of {', '.join(catalog.codes())}")
    if code != TT57 and code != DEFAULT_REGULATION[level]:
        raise SchoolError(f"regulation {code} is not for a school of level {level}")
    school = School(name=name, level=level, regulation=code, timezone=timezone)
    session.add(school)
    session.flush()
    invite = Invite(code=new_code(), school_id=school.id, role=Role.PRINCIPAL, max_uses=1)
    session.add(invite)
    session.flush()
    return school, invite


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
        raise SchoolError(f"unknown role {role!r}")
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
