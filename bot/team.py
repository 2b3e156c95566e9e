"""A school's team: invitations, roles, removals, row owners, and the audit of each change.

Every function is scoped by school and records who changed what (`MembershipHistory` for
memberships and invites, `RowHistory` field "owners" for owner lists).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import N_
from bot.people import create_invite
from bot.positions import positions_in
from db.models import (
    Invite,
    Member,
    MembershipHistory,
    Plan,
    PlanRow,
    Role,
    RowHistory,
    RowOwner,
    RowStatus,
    School,
)

ROLE_LABELS = {
    Role.PRINCIPAL: N_("principal"),
    Role.VICE_PRINCIPAL: N_("vice-principal"),
    Role.COUNCIL: N_("council member / group leader"),
    Role.STAFF: N_("staff member"),
    Role.MONITOR: N_("monitoring group member"),
}
INVITE_DAYS = 7
WHOLE_STAFF_USES = 200
ASSIGNABLE_ROLES = (Role.VICE_PRINCIPAL, Role.COUNCIL, Role.STAFF, Role.MONITOR)


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


def member_of(session: Session, school_id: int, member_id: int) -> Member | None:
    return session.scalar(
        select(Member).where(
            Member.id == member_id, Member.school_id == school_id, Member.active.is_(True)
        )
    )


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


class Refusal(enum.StrEnum):
    NOT_FOUND = "not_found"
    PRINCIPAL_PROTECTED = "principal_protected"
    BAD_ROLE = "bad_role"


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


def _changeable(session: Session, school_id: int, member_id: int) -> Member | Refusal:
    """The member, unless they are not in this school or are the principal."""
    target = member_of(session, school_id, member_id)
    if target is None:
        return Refusal.NOT_FOUND
    if target.role == Role.PRINCIPAL:
        return Refusal.PRINCIPAL_PROTECTED
    return target


def change_role(
    session: Session, school_id: int, member_id: int, role: str, actor: Member
) -> Refusal | None:
    """Change a member's role; the principal's own role is never changed this way."""
    target = _changeable(session, school_id, member_id)
    if isinstance(target, Refusal):
        return target
    if role not in ASSIGNABLE_ROLES:
        return Refusal.BAD_ROLE
    if target.role != role:
        record(session, school_id, actor, "role", member=target, old=target.role, new=role)
        target.role = role
    return None


def remove_member(
    session: Session, school_id: int, member_id: int, actor: Member
) -> Refusal | None:
    """Remove a member (kept for history, no longer active); never the principal."""
    target = _changeable(session, school_id, member_id)
    if isinstance(target, Refusal):
        return target
    target.active = False
    record(session, school_id, actor, "removed", member=target, old=target.role)
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


def _owner_names(row: PlanRow) -> str:
    return ", ".join(("★" if o.is_lead else "") + o.member.display_name for o in row.owners)


def set_owners(
    session: Session,
    row: PlanRow,
    member_ids: list[int],
    lead_id: int | None,
    actor: Member | None,
) -> None:
    """Replace the row's owners (members of the row's school only) and its lead."""
    school_id = session.scalar(select(Plan.school_id).where(Plan.id == row.plan_id))
    valid = {m.id for m in members(session, school_id or 0)}
    wanted = [m for m in dict.fromkeys(member_ids) if m in valid]
    if lead_id not in wanted:
        lead_id = wanted[0] if wanted else None
    before = _owner_names(row)
    current = {o.member_id: o for o in row.owners}
    for member_id, owner in current.items():
        if member_id not in wanted:
            row.owners.remove(owner)
    for member_id in wanted:
        owner = current.get(member_id)
        if owner is None:
            owner = RowOwner(member_id=member_id)
            row.owners.append(owner)
        owner.is_lead = member_id == lead_id
    session.flush()
    session.refresh(row)
    after = _owner_names(row)
    if before != after and row.status != RowStatus.DRAFT:
        session.add(
            RowHistory(
                row_id=row.id,
                member_id=actor.id if actor else None,
                action="updated",
                field="owners",
                old_value=before or None,
                new_value=after or None,
            )
        )


ROLE_POSITIONS = {Role.PRINCIPAL: "hieu truong", Role.VICE_PRINCIPAL: "pho hieu truong"}


def suggest_owners(session: Session, school_id: int, lead_text: str | None) -> list[Member]:
    """Members holding a position named in the lead text, when nobody else holds it."""
    named = positions_in(lead_text)
    if not named:
        return []
    holders: dict[str, list[Member]] = {}
    for member in members(session, school_id):
        held = positions_in(member.title)
        if member.role in ROLE_POSITIONS:
            held.add(ROLE_POSITIONS[member.role])
        for position in held:
            holders.setdefault(position, []).append(member)
    suggested = [holders[p][0] for p in sorted(named) if len(holders.get(p, [])) == 1]
    return list(dict.fromkeys(suggested))


def rows_owned(session: Session, member: Member) -> list[PlanRow]:
    """The active rows this member owns, newest plan first, in table order."""
    return list(
        session.scalars(
            select(PlanRow)
            .join(RowOwner, RowOwner.row_id == PlanRow.id)
            .join(Plan, Plan.id == PlanRow.plan_id)
            .where(
                RowOwner.member_id == member.id,
                PlanRow.status == RowStatus.ACTIVE,
                Plan.school_id == member.school_id,
            )
            .order_by(Plan.school_year.desc(), PlanRow.position)
        )
    )


def schools(session: Session) -> list[School]:
    return list(session.scalars(select(School).order_by(School.id)))
