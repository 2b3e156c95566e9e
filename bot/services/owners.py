"""Who answers for a row: its owners and lead, suggestions from the lead text, a member's rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.domain.positions import positions_in
from bot.services.members import members
from db.models import (
    Member,
    Plan,
    PlanRow,
    Role,
    RowHistory,
    RowOwner,
    RowStatus,
)


def _owner_names(owners: list[RowOwner]) -> str:
    return ", ".join(("★" if o.is_lead else "") + o.member.display_name for o in owners)


def owners_of(session: Session, row_id: int) -> list[RowOwner]:
    """The row's owners with their members, in one statement (not one per owner)."""
    return list(
        session.scalars(
            select(RowOwner)
            .where(RowOwner.row_id == row_id)
            .options(joinedload(RowOwner.member))
            .order_by(RowOwner.id)
        )
    )


def set_owners(
    session: Session,
    row: PlanRow,
    member_ids: list[int],
    lead_id: int | None,
    actor: Member | None,
) -> list[int]:
    """Replace the row's owners (active members of the row's school only) and its lead;
    returns the members who were not owners before (to be told: `outbox.tell_assigned`).

    A fixed number of statements whatever the size of the school or of the row's team (the
    command line assigns a province's owners one call at a time): only the members asked for
    are read, the owners come with their members in one statement, and only what changes is
    written."""
    school_id = session.scalar(select(Plan.school_id).where(Plan.id == row.plan_id))
    asked = list(dict.fromkeys(member_ids))
    valid = (
        set(
            session.scalars(
                select(Member.id).where(
                    Member.school_id == (school_id or 0),
                    Member.active.is_(True),
                    Member.id.in_(asked),
                )
            )
        )
        if asked
        else set()
    )
    wanted = [m for m in asked if m in valid]
    if lead_id not in wanted:
        lead_id = wanted[0] if wanted else None
    owners = owners_of(session, row.id)
    before = _owner_names(owners)
    current = {o.member_id: o for o in owners}
    keep = set(wanted)
    for member_id, owner in current.items():
        if member_id not in keep:
            session.delete(owner)
    for member_id in wanted:
        kept = current.get(member_id)
        if kept is None:
            kept = RowOwner(row_id=row.id, member_id=member_id, is_lead=member_id == lead_id)
            session.add(kept)
        elif kept.is_lead != (member_id == lead_id):
            kept.is_lead = member_id == lead_id
    session.flush()
    if "owners" in row.__dict__:  # loaded in this session: not stale after the change
        session.expire(row, ["owners"])
    after = _owner_names(owners_of(session, row.id))
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
    return [m for m in wanted if m not in current]


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
            held.add(ROLE_POSITIONS[Role(member.role)])
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
