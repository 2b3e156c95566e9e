"""Which commands each person is offered: in their command menu and in /help.

A person is offered only what the bot will do for them (the checks themselves stay in
`bot.domain.permissions`, on the server, for every command and button): a teacher does not see
/invite or /digest. Strangers are offered how to join. Pure data, no I/O.
"""

from __future__ import annotations

from db.models import SUPERVISOR, Role

# In the order the menu shows them.
STRANGER = ("start", "help", "language")
_EVERYONE_FIRST = ("plan",)
_WRITE = ("add",)
_OWN = ("mine", "report", "team")
_MANAGE = (
    "invite",
    "import",
    "export",
    "report_year",
    "digest",
    "priorities",
    "review",
    "newyear",
    "supervisor",
)
_MONITOR = ("export",)
_EVERYONE_LAST = ("settings", "language", "help", "cancel")
_SEVERAL_SCHOOLS = ("school",)
# A specialist of a supervising unit (no school of their own): the linked schools, read-only.
_SUPERVISE = ("schools", "export")

_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.PRINCIPAL: (*_EVERYONE_FIRST, *_WRITE, *_OWN, *_MANAGE),
    Role.VICE_PRINCIPAL: (*_EVERYONE_FIRST, *_WRITE, *_OWN, *_MANAGE),
    Role.COUNCIL: (*_EVERYONE_FIRST, *_WRITE, *_OWN),
    Role.STAFF: (*_EVERYONE_FIRST, *_OWN),
    Role.MONITOR: (*_EVERYONE_FIRST, *_OWN, *_MONITOR),
}


def commands_for(role: str | None, several_schools: bool = False) -> tuple[str, ...]:
    """The commands offered to a member with this role (None: not a member of any school;
    `SUPERVISOR`: a unit's specialist); /school only to someone in several schools."""
    if role == SUPERVISOR:
        return (*_SUPERVISE, "language", "help")
    if role is None or role not in _BY_ROLE:
        return STRANGER
    extra = _SEVERAL_SCHOOLS if several_schools else ()
    return (*_BY_ROLE[role], *extra, *_EVERYONE_LAST)


def manages(role: str | None) -> bool:
    """The principal and vice-principals: the school's settings, the whole team."""
    return role in (Role.PRINCIPAL, Role.VICE_PRINCIPAL)
