"""Who may do what. Checked on the server for every command and button (callback data is
never trusted: it only names what the user asks for)."""

from __future__ import annotations

import enum

from db.models import Member, PlanRow, Role

WRITERS = {Role.PRINCIPAL, Role.VICE_PRINCIPAL, Role.COUNCIL}
MANAGERS = {Role.PRINCIPAL, Role.VICE_PRINCIPAL}


def can_write_rows(member: Member | None) -> bool:
    return member is not None and member.active and member.role in WRITERS


def can_edit_row(member: Member | None, row: PlanRow) -> bool:
    """Principal and vice-principals edit any row; council members the rows they created
    or own."""
    if member is None or not member.active:
        return False
    if member.role in MANAGERS:
        return True
    if member.role == Role.COUNCIL:
        return row.created_by_member_id == member.id or any(
            o.member_id == member.id for o in row.owners
        )
    return False


def can_manage_team(member: Member | None) -> bool:
    """Invite, change roles, remove members, revoke links: principal and vice-principals."""
    return member is not None and member.active and member.role in MANAGERS


def can_link_units(member: Member | None) -> bool:
    """Only the principal links the school to a supervising unit or unlinks it (the school's
    decision to let a unit's specialists see its plan); vice-principals see the links."""
    return member is not None and member.active and member.role == Role.PRINCIPAL


def can_export(member: Member | None) -> bool:
    """Export the plan: principal, vice-principals and the monitoring group."""
    return member is not None and member.active and member.role in {*MANAGERS, Role.MONITOR}


def can_delete_row(member: Member | None, row: PlanRow) -> bool:
    return can_edit_row(member, row)


class Refusal(enum.StrEnum):
    """Why a change to the team was refused."""

    NOT_FOUND = "not_found"
    PRINCIPAL_PROTECTED = "principal_protected"
    BAD_ROLE = "bad_role"
