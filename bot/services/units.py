"""Supervising units: a commune's or ward's office, or the Sở, and the schools linked to it.

A unit has specialists (`UnitMember`, role `supervisor`) who see the linked schools' plans,
read-only. A principal links the school with the unit's link code (`/supervisor CODE`) and may
unlink it; the command line does the same. Access is decided here, on the server, for every
view: `school_for` answers only for a school linked to the specialist's unit, while both the
link and the specialist are active; every view is recorded (`record_view`) and the principal
sees who looked (`views_of_school`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.services.audit import record
from bot.services.invites import new_code
from db.models import (
    Member,
    Person,
    School,
    SupervisingUnit,
    UnitKind,
    UnitMember,
    UnitSchool,
    UnitView,
)

# Link codes are typed by a principal on a phone: no 0/O, 1/I/L, in groups of four.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LINK_CODE_LENGTH = 12  # about 59 bits; a link also needs the principal's confirmation


class UnitError(ValueError):
    """Bad input about a unit (the command line prints it as its one-line reason)."""


def new_link_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(LINK_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LINK_CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """A link code as typed ("k7m2 qx9p-abcd", lower case, spaces) in its stored form."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def create_unit(session: Session, name: str, kind: str, now: dt.datetime) -> SupervisingUnit:
    name = " ".join(name.split())
    if not name:
        raise UnitError("a unit needs a name")
    if kind not in set(UnitKind):
        raise UnitError(f"unknown kind {kind!r}: commune or province")
    unit = SupervisingUnit(
        name=name[:300], kind=kind, link_code=new_link_code(), settings={}, created_at=now
    )
    session.add(unit)
    session.flush()
    return unit


def get_unit(session: Session, unit_id: int) -> SupervisingUnit:
    unit = session.get(SupervisingUnit, unit_id)
    if unit is None:
        raise UnitError(f"no unit {unit_id}")
    return unit


def by_link_code(session: Session, text: str) -> SupervisingUnit | None:
    code = normalise_code(text)
    if not code:
        return None
    return session.scalar(select(SupervisingUnit).where(SupervisingUnit.link_code == code))


def add_specialist(
    session: Session, unit: SupervisingUnit, name: str, now: dt.datetime, title: str | None = None
) -> UnitMember:
    """A specialist of the unit, with the one-use code they send as `/start CODE`."""
    name = " ".join(name.split())
    if not name:
        raise UnitError("a specialist needs a name")
    member = UnitMember(
        unit_id=unit.id,
        display_name=name[:200],
        title=title,
        invite_code=new_code(),
        created_at=now,
    )
    session.add(member)
    session.flush()
    return member


def remove_specialist(session: Session, member: UnitMember) -> None:
    """From now on they see nothing (every view checks `active`)."""
    member.active = False
    member.invite_code = None


@dataclass(frozen=True)
class Joined:
    member: UnitMember
    unit: SupervisingUnit
    already: bool  # they had joined with this code before


def join_with_code(session: Session, person: Person, code: str, now: dt.datetime) -> Joined | None:
    """Use a specialist's personal code: binds the person (once); None for an unknown,
    used-by-someone-else or removed specialist's code."""
    member = session.scalar(
        select(UnitMember).where(UnitMember.invite_code == code).with_for_update()
    )
    if member is None or not member.active:
        return None
    if member.person_id is not None:
        if member.person_id != person.id:
            return None
        return Joined(member, member.unit, already=True)
    member.person_id = person.id
    member.joined_at = now
    return Joined(member, member.unit, already=False)


def specialist_of(session: Session, person: Person) -> UnitMember | None:
    """The person's active specialist membership (the first one, when several)."""
    return session.scalar(
        select(UnitMember)
        .where(UnitMember.person_id == person.id, UnitMember.active.is_(True))
        .order_by(UnitMember.id)
        .limit(1)
    )


def specialist_writing(session: Session, person: Person) -> UnitMember | None:
    """`specialist_of` for a person who is writing to the bot: a specialist marked unreachable
    (they had blocked the bot) is reachable again, and their digests resume."""
    member = specialist_of(session, person)
    if member is not None and member.unreachable_at is not None:
        member.unreachable_at = None
    return member


def link(
    session: Session,
    unit: SupervisingUnit,
    school: School,
    now: dt.datetime,
    by: Member | None = None,
) -> bool:
    """Link the school to the unit; False when it was linked already. A school has at most
    one unit of each kind: linking to a second one of the same kind is refused."""
    found = session.scalar(
        select(UnitSchool).where(UnitSchool.school_id == school.id, UnitSchool.kind == unit.kind)
    )
    if found is not None:
        if found.unit_id == unit.id:
            return False
        other = session.get(SupervisingUnit, found.unit_id)
        raise UnitError(
            f"school {school.id} is already linked to unit {found.unit_id}"
            f" ({other.name if other else '?'}) of kind {unit.kind}: unlink it first"
        )
    session.add(
        UnitSchool(
            unit_id=unit.id,
            school_id=school.id,
            kind=unit.kind,
            linked_by_member_id=by.id if by else None,
            linked_at=now,
        )
    )
    record(session, school.id, by, "unit_linked", new=f"{unit.id}:{unit.name}"[:200])
    session.flush()
    return True


def unlink(
    session: Session, unit: SupervisingUnit, school: School, by: Member | None = None
) -> bool:
    """Unlink; False when it was not linked. The unit's specialists lose the school at once."""
    gone = session.execute(
        delete(UnitSchool).where(UnitSchool.unit_id == unit.id, UnitSchool.school_id == school.id)
    ).rowcount  # type: ignore[attr-defined]  # Result of a DELETE has rowcount
    if gone:
        record(session, school.id, by, "unit_unlinked", old=f"{unit.id}:{unit.name}"[:200])
    return bool(gone)


def units_of_school(session: Session, school_id: int) -> list[SupervisingUnit]:
    return list(
        session.scalars(
            select(SupervisingUnit)
            .join(UnitSchool, UnitSchool.unit_id == SupervisingUnit.id)
            .where(UnitSchool.school_id == school_id)
            .order_by(SupervisingUnit.kind, SupervisingUnit.id)
        )
    )


def linked_school_ids(session: Session, unit_id: int) -> list[int]:
    return list(
        session.scalars(
            select(UnitSchool.school_id)
            .where(UnitSchool.unit_id == unit_id)
            .order_by(UnitSchool.school_id)
        )
    )


def school_for(session: Session, specialist: UnitMember | None, school_id: int) -> School | None:
    """The school, when this specialist may see it now: active, and the school linked to
    their unit. None otherwise: a forged or stale button, a school that unlinked."""
    if specialist is None or not specialist.active:
        return None
    linked = session.scalar(
        select(UnitSchool.id).where(
            UnitSchool.unit_id == specialist.unit_id, UnitSchool.school_id == school_id
        )
    )
    return session.get(School, school_id) if linked is not None else None


def record_view(
    session: Session,
    specialist: UnitMember,
    school_ids: list[int],
    what: str,
    now: dt.datetime,
    row_id: int | None = None,
) -> None:
    """Who opened what of which schools, and when (one line per school)."""
    session.add_all(
        UnitView(
            unit_id=specialist.unit_id,
            unit_member_id=specialist.id,
            school_id=school_id,
            what=what,
            row_id=row_id,
            at=now,
        )
        for school_id in school_ids
    )


@dataclass(frozen=True)
class ViewLine:
    unit_name: str
    specialist: str
    what: str
    at: dt.datetime
    count: int  # how many times, for the latest `at`


def views_of_school(session: Session, school_id: int, limit: int = 10) -> list[ViewLine]:
    """Which units' specialists looked at the school, and what: newest first, one line per
    (specialist, what) with how many times."""
    found = session.execute(
        select(
            SupervisingUnit.name,
            UnitMember.display_name,
            UnitView.what,
            func.max(UnitView.at),
            func.count(UnitView.id),
        )
        .join(SupervisingUnit, SupervisingUnit.id == UnitView.unit_id)
        .outerjoin(UnitMember, UnitMember.id == UnitView.unit_member_id)
        .where(UnitView.school_id == school_id)
        .group_by(SupervisingUnit.name, UnitMember.display_name, UnitView.what)
        .order_by(func.max(UnitView.at).desc())
        .limit(limit)
    ).all()
    return [
        ViewLine(unit, specialist or "?", what, at, count)
        for unit, specialist, what, at, count in found
    ]


def listing(session: Session) -> list[dict[str, object]]:
    """Every unit with its schools and specialists (the command line's `unit list`)."""
    units = list(session.scalars(select(SupervisingUnit).order_by(SupervisingUnit.id)))
    schools: dict[int, list[int]] = {}
    for unit_id, school_id in session.execute(
        select(UnitSchool.unit_id, UnitSchool.school_id).order_by(UnitSchool.school_id)
    ):
        schools.setdefault(unit_id, []).append(school_id)
    members: dict[int, list[dict[str, object]]] = {}
    for m in session.scalars(select(UnitMember).order_by(UnitMember.id)):
        members.setdefault(m.unit_id, []).append(
            {
                "member_id": m.id,
                "name": m.display_name,
                "role": m.role,
                "active": m.active,
                "joined": m.person_id is not None,
            }
        )
    return [
        {
            "unit_id": u.id,
            "name": u.name,
            "kind": u.kind,
            "schools": schools.get(u.id, []),
            "members": members.get(u.id, []),
        }
        for u in units
    ]
