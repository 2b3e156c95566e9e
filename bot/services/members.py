"""Who is talking and who is in the team: Telegram accounts, memberships, roles, leave.

Every change is scoped by school and recorded (`bot.services.audit`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Insert, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from bot.core.i18n import N_
from bot.domain.permissions import Refusal
from bot.services import menus
from bot.services.audit import record
from bot.services.chatstate import load_state
from bot.services.invites import create_invite
from db.models import (
    ChatState,
    Invite,
    Member,
    Person,
    Role,
    School,
)


@dataclass(frozen=True)
class TelegramUser:
    """The few facts of a Telegram user the domain needs (kept free of the telegram package)."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class Arrival:
    """Who wrote, as which member, and where they are in the conversation of this chat."""

    person: Person
    member: Member | None
    state: ChatState


# Built once: every turn runs it, and building a statement (coercing each comparison, then
# computing its cache key) costs more than executing it. Parameters: "user", "chat".
_ARRIVAL = (
    select(Person, Member, ChatState)
    .outerjoin(Member, (Member.person_id == Person.id) & Member.active.is_(True))
    .outerjoin(
        ChatState,
        (ChatState.telegram_user_id == Person.telegram_user_id)
        & (ChatState.chat_id == bindparam("chat")),
    )
    .where(Person.telegram_user_id == bindparam("user"))
    .options(joinedload(Member.school))
    .order_by(Member.id)
)


def arrive(session: Session, user: TelegramUser, chat_id: int) -> Arrival:
    """The person, their memberships (with each school) and their chat state in one statement
    (outer joins), as every turn needs them; what does not exist yet is created."""
    if session.get_bind().dialect.name == "postgresql":
        _hold_chat(session, user.id, chat_id)
    found = session.execute(_ARRIVAL, {"user": user.id, "chat": chat_id}).all()
    if not found:
        person = upsert_person(session, user)
        return Arrival(person, None, load_state(session, chat_id, user.id))
    person, state = found[0][0], found[0][2]
    upsert_person(session, user, person)
    member = acting_as(person, [m for _, m, _ in found if m is not None])
    return Arrival(person, member, state or load_state(session, chat_id, user.id))


def _hold_chat(session: Session, user_id: int, chat_id: int) -> None:
    """PostgreSQL, where several workers may get updates of one chat at once: the chat state
    row, created when missing, is locked for the turn (one statement: an upsert locks the row it
    meets). A second worker's turn in the chat waits for this one's commit, then reads the state
    it left, update id included, so each update is applied once, one after the other."""
    statement = postgresql.insert(ChatState).values(
        chat_id=chat_id, telegram_user_id=user_id, data={}, version=0, last_update_id=0
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["chat_id", "telegram_user_id"],
            set_={"chat_id": statement.excluded.chat_id},
        )
    )


def upsert_person(session: Session, user: TelegramUser, person: Person | None = None) -> Person:
    """The person of this Telegram account, created on first contact, names kept current
    (`person`: found already by the caller)."""
    found = select(Person).where(Person.telegram_user_id == user.id)
    if person is None:
        person = session.scalar(found)
    if person is None:
        # Updates of one chat run in order, but someone new may write in two chats at once (in
        # private and in a group): insert unless there, and whoever comes second finds the row
        # instead of failing on the unique account id.
        statement: Insert
        if session.get_bind().dialect.name == "postgresql":
            statement = postgresql.insert(Person).on_conflict_do_nothing(
                index_elements=["telegram_user_id"]
            )
        else:
            statement = sqlite.insert(Person).on_conflict_do_nothing(
                index_elements=["telegram_user_id"]
            )
        session.execute(statement.values(telegram_user_id=user.id))
        person = session.scalars(found).one()
    # As long as the columns; assigned only when changed (no UPDATE, no flush otherwise).
    first_name = user.first_name[:200]
    username = user.username[:64] if user.username else None
    language = user.language_code[:16] if user.language_code else None
    if person.first_name != first_name:
        person.first_name = first_name
    if person.username != username:
        person.username = username
    if person.telegram_language != language:
        person.telegram_language = language
    return person


def memberships(session: Session, person: Person) -> list[Member]:
    return list(
        session.scalars(
            select(Member)
            .where(Member.person_id == person.id, Member.active.is_(True))
            .order_by(Member.id)
            .options(joinedload(Member.school))  # every turn reads it: in the same query
        )
    )


def current_member(session: Session, person: Person) -> Member | None:
    """The membership the person acts in: the one they chose, else their first one."""
    return acting_as(person, memberships(session, person))


def acting_as(person: Person, members: list[Member]) -> Member | None:
    """Of the person's active memberships (oldest first), the one they act in."""
    chosen = next((m for m in members if m.id == person.active_member_id), None)
    return chosen or (members[0] if members else None)


ROLE_LABELS = {
    Role.PRINCIPAL: N_("principal"),
    Role.VICE_PRINCIPAL: N_("vice-principal"),
    Role.COUNCIL: N_("council member / group leader"),
    Role.STAFF: N_("staff member"),
    Role.MONITOR: N_("monitoring group member"),
}


ASSIGNABLE_ROLES = (Role.VICE_PRINCIPAL, Role.COUNCIL, Role.STAFF, Role.MONITOR)


def add_member(
    session: Session,
    school: School,
    name: str,
    role: str,
    title: str | None,
    actor: Member | None = None,
) -> tuple[Member, Invite]:
    """A named member and their personal one-use code (binds the account that opens it)."""
    member = Member(
        school_id=school.id, display_name=name.strip(), title=title, role=role, active=True
    )
    session.add(member)
    session.flush()
    invite = create_invite(session, school, role, created_by=actor)
    invite.member_id = member.id
    record(session, school.id, actor, "added", member=member, new=f"{name} ({role})")
    session.flush()
    return member, invite


def members(session: Session, school_id: int) -> list[Member]:
    return list(
        session.scalars(
            select(Member)
            .where(Member.school_id == school_id, Member.active.is_(True))
            .order_by(Member.id)
        )
    )


def members_of(session: Session, school_id: int, member_ids: list[int]) -> dict[int, Member]:
    """These active members of the school, by id (one statement; the others are absent)."""
    if not member_ids:
        return {}
    return {
        m.id: m
        for m in session.scalars(
            select(Member).where(
                Member.id.in_(member_ids), Member.school_id == school_id, Member.active.is_(True)
            )
        )
    }


def member_of(session: Session, school_id: int, member_id: int) -> Member | None:
    return session.scalar(
        select(Member).where(
            Member.id == member_id, Member.school_id == school_id, Member.active.is_(True)
        )
    )


def _changeable(session: Session, school_id: int, member_id: int) -> Member | Refusal:
    """The member, unless they are not in this school or are the principal."""
    target = member_of(session, school_id, member_id)
    if target is None:
        return Refusal.NOT_FOUND
    if target.role == Role.PRINCIPAL:
        return Refusal.PRINCIPAL_PROTECTED
    return target


def change_role(
    session: Session, school_id: int, member_id: int, role: str, actor: Member, now: dt.datetime
) -> Refusal | None:
    """Change a member's role; the principal's own role is never changed this way. Their
    command menu follows (`bot.services.menus`)."""
    target = _changeable(session, school_id, member_id)
    if isinstance(target, Refusal):
        return target
    if role not in ASSIGNABLE_ROLES:
        return Refusal.BAD_ROLE
    if target.role != role:
        record(session, school_id, actor, "role", member=target, old=target.role, new=role)
        target.role = role
        menus.refresh_member(session, target, now)
    return None


def remove_member(
    session: Session, school_id: int, member_id: int, actor: Member, now: dt.datetime
) -> Refusal | None:
    """Remove a member (kept for history, no longer active); never the principal. Their
    command menu becomes that of their other school, or a stranger's."""
    target = _changeable(session, school_id, member_id)
    if isinstance(target, Refusal):
        return target
    target.active = False
    record(session, school_id, actor, "removed", member=target, old=target.role)
    menus.refresh_member(session, target, now)
    return None


def set_leave(
    session: Session, member: Member, until: dt.date | None, actor: Member | None
) -> None:
    """On leave up to and including `until` (None: back): no nudges, not counted late."""
    old = member.on_leave_until
    member.on_leave_until = until
    record(
        session,
        member.school_id,
        actor,
        "leave",
        member=member,
        old=old.isoformat() if old else None,
        new=until.isoformat() if until else None,
    )
