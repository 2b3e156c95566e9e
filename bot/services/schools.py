"""Schools: creating one (with the code that makes its principal) and listing them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import document_settings
from bot.domain.catalog import DEFAULT_REGULATION, LEVELS, TT57, load_catalog
from bot.domain.document_settings import BadSetting, DocumentSettings
from bot.services.invites import new_code
from db.models import (
    Invite,
    Role,
    School,
)


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
    code = check_regulation(level, regulation or DEFAULT_REGULATION[level])
    school = School(name=name, level=level, regulation=code, timezone=timezone)
    session.add(school)
    session.flush()
    invite = Invite(code=new_code(), school_id=school.id, role=Role.PRINCIPAL, max_uses=1)
    session.add(invite)
    session.flush()
    return school, invite


def check_regulation(level: str, regulation: str) -> str:
    """A regulation this school may follow: its level's 2018 circular or TT57-2026."""
    catalog = load_catalog()
    if regulation not in catalog.codes():
        raise SchoolError(
            f"unknown regulation {regulation!r}; use one of {', '.join(catalog.codes())}"
        )
    if regulation != TT57 and regulation != DEFAULT_REGULATION[level]:
        raise SchoolError(f"regulation {regulation} is not for a school of level {level}")
    return regulation


def set_regulation(school: School, regulation: str) -> None:
    """The regulation the school's next plans follow (a plan made from now on takes its
    template from it); the plans it has keep theirs (`Plan.template` never changes)."""
    school.regulation = check_regulation(school.level, regulation)


def all_schools(session: Session) -> list[School]:
    return list(session.scalars(select(School).order_by(School.id)))


def set_document_settings(school: School, **changes: str | None) -> DocumentSettings:
    """Change the school's document settings (None: keep, "": clear); bad text → SchoolError."""
    given = {k: v for k, v in changes.items() if v is not None}
    for field, value in given.items():
        try:
            document_settings.clean(value)
        except BadSetting as exc:
            raise SchoolError(f"{field.replace('_', ' ')}: {exc}") from exc
    return document_settings.update(school, **given)


def settings_json(school: School) -> dict[str, object]:
    """The school's settings as `caitien school set` prints them."""
    documents = document_settings.load(school)
    return {
        "school_id": school.id,
        "name": school.name,
        "regulation": school.regulation,
        "documents": {k: getattr(documents, k) for k in document_settings.FIELDS},
    }
