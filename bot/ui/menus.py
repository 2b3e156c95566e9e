"""The command menu and /help of one person, in their language (`bot.domain.commands` says
which commands; this module says what each one does)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import N_, Translator
from bot.domain.commands import commands_for, manages
from db.models import SUPERVISOR

# What each command does, as the menu shows it (Telegram allows 256 characters).
_MENU = {
    "start": N_("join your school with an invitation code"),
    "plan": N_("the plan of this school year"),
    "add": N_("write a new row"),
    "mine": N_("the rows you answer for"),
    "report": N_("report progress on your rows, with evidence"),
    "team": N_("the school's team"),
    "invite": N_("invite a new member"),
    "export": N_("the plan as a file"),
    "import": N_("import the plan from a Word or Excel file"),
    "report_year": N_("the end-of-year report"),
    "digest": N_("the plan at a glance: done, late, stuck"),
    "priorities": N_("the priority issues of a Thông tư 57 plan (section IV)"),
    "review": N_("the review at the end of a semester or year (section VI, Thông tư 57)"),
    "newyear": N_("start next year's plan from this year's unfinished rows"),
    "settings": N_("reminder times, holidays, your leave"),
    "school": N_("choose the school to work in"),
    "supervisor": N_("the supervising units that follow this school's plan"),
    "schools": N_("the plans of the schools linked to your unit"),
    "language": N_("Vietnamese or English"),
    "help": N_("what I can do"),
    "cancel": N_("stop (drafts are kept)"),
}
# Where /help says more than the menu.
_HELP = {
    "plan": N_("the plan of this school year, row by row"),
    "add": N_("write a new row of the plan"),
    "cancel": N_("stop what you are doing (drafts are kept)"),
    "help": N_("this help"),
}
_NOT_MANAGER = {"settings": N_("your leave (no reminders while you are away)")}
_MANAGER_HELP = {"team": N_("the school's team; invite with /invite")}
# A unit's specialist exports the roll-up of the linked schools, not a school's plan.
_SUPERVISOR = {"export": N_("the roll-up of the linked schools (XLSX) and their year-end reports")}


@dataclass(frozen=True)
class Entry:
    command: str
    description: str


def menu(t: Translator, role: str | None, several_schools: bool = False) -> list[Entry]:
    """The command menu of a member with this role (None: a stranger), in `t`'s language."""
    texts = _MENU if manages(role) else {**_MENU, **_NOT_MANAGER}
    if role == SUPERVISOR:
        texts = {**_MENU, **_SUPERVISOR}
    return [Entry(c, t._(texts[c])) for c in commands_for(role, several_schools)]


def help_entries(t: Translator, role: str | None, several_schools: bool = False) -> list[Entry]:
    """The lines of /help: the same commands, said at more length; /invite is told with /team
    and /import with /export."""
    texts = {**_MENU, **_HELP}
    if manages(role):
        texts.update(_MANAGER_HELP)
        texts["export"] = N_("the plan from or to Word and Excel files")
    else:
        texts.update(_NOT_MANAGER)
    if role == SUPERVISOR:
        texts.update(_SUPERVISOR)
    entries = []
    for command in commands_for(role, several_schools):
        if command == "invite":
            continue
        if command == "import":
            continue
        label = "/import, /export" if command == "export" and manages(role) else f"/{command}"
        entries.append(Entry(label, t._(texts[command])))
    return entries
