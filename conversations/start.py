"""/start, /help and /language: onboarding, joining a school with a code, choosing a language."""

from __future__ import annotations

import logging

from bot.domain import document_settings
from bot.services import menus, outbox, units
from bot.services.invites import JoinOutcome, join_with_code
from bot.services.members import memberships
from bot.ui.menus import help_entries
from bot.ui.render import role_name
from bot.ui.views import Button, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, parse_number
from db.models import SUPERVISOR, Role, UnitMember

log = logging.getLogger(__name__)


def onboarding(turn: Turn) -> list[View]:
    """What an unknown user gets, whatever they send: what the bot is and how to join. A
    unit's specialist (no school of their own) gets their commands instead, and a button of
    a school's message the refusal every forged button gets (looked up here, not in the
    frame: only a person without a school comes this way)."""
    t = turn.t
    specialist = units.specialist_writing(turn.session, turn.person)
    if specialist is not None:
        views = [specialist_help(turn, specialist)]
        if turn.incoming.callback_data is not None:
            log.info(
                "refused button %r of specialist %s", turn.incoming.callback_data, specialist.id
            )
            no = t._("This button is no longer valid.")
            views.insert(0, View([bold(no)], toast=no))
        return views
    return [
        View(
            [
                bold(t._("Hello! I am caitien.")),
                plain("\n\n"),
                plain(
                    t._(
                        "I help a school keep its quality-improvement plan alive all year: "
                        "writing its rows, reminding the people in charge, collecting progress "
                        "and evidence, and producing the documents."
                    )
                ),
                plain("\n\n"),
                plain(
                    t._(
                        "To join your school, open the invitation link your principal sent you. "
                        "A principal starts with the code printed when the school was created: "
                        "/start CODE"
                    )
                ),
                plain("\n\n"),
                italic(t._("Language: /language")),
            ]
        )
    ]


def specialist_help(turn: Turn, specialist: UnitMember, head: str | None = None) -> View:
    """What a unit's specialist can do: the linked schools, read-only, and the roll-up."""
    t = turn.t
    head = head or t._("Hello {name}! You are a specialist of {unit}.").format(
        name=specialist.display_name, unit=specialist.unit.name
    )
    lines = [bold(head), plain("\n\n"), bold(t._("What I can do"))]
    lines += [plain(f"\n{e.command} — {e.description}") for e in help_entries(t, SUPERVISOR)]
    return View(lines)


@registry.help_view.provide
def help_view(turn: Turn) -> View:
    """The commands of this person's role (those the bot will do for them), one per line."""
    t = turn.t
    role = turn.member.role if turn.member else None
    several = turn.member is not None and len(memberships(turn.session, turn.person)) > 1
    lines = [bold(t._("What I can do"))]
    lines += [plain(f"\n{e.command} — {e.description}") for e in help_entries(t, role, several)]
    return View(lines)


def _joined_unit(turn: Turn, joined: units.Joined) -> list[View]:
    """A specialist's personal code: they see the unit's schools from now on (and their own
    command menu, set by the sender)."""
    t = turn.t
    joined.member.unreachable_at = None  # they write again: their digests resume
    if not joined.already and turn.incoming.chat_id == turn.incoming.user.id:
        menus.refresh(turn.session, None, turn.incoming.user.id, turn.now)
        turn.wake_sender = True
    head = (
        t._("You are already a specialist of {unit}.")
        if joined.already
        else t._("Welcome! You have joined {unit} as a specialist.")
    ).format(unit=joined.unit.name)
    return [specialist_help(turn, joined.member, head)]


def on_start(turn: Turn) -> list[View]:
    """Join with a code, or greet a member, or onboard a stranger."""
    t = turn.t
    code = turn.incoming.args[0] if turn.incoming.args else None
    if code:
        result = join_with_code(turn.session, turn.person, code[:64], turn.now)
        if result.outcome == JoinOutcome.UNKNOWN:  # not a school's: a specialist's own code?
            joined = units.join_with_code(turn.session, turn.person, code[:64], turn.now)
            if joined is not None:
                return _joined_unit(turn, joined)
        if result.outcome in (JoinOutcome.JOINED, JoinOutcome.ALREADY_MEMBER):
            assert result.member and result.school
            turn.member = result.member
            text = (
                t._("Welcome! You have joined {school} as {role}.")
                if result.outcome == JoinOutcome.JOINED
                else t._("You are already a member of {school} ({role}).")
            )
            head = text.format(
                school=result.school.name, role=role_name(turn.t, result.member.role)
            )
            if result.outcome == JoinOutcome.JOINED and outbox.tell_joined(
                turn.session, result.member, turn.now, at_once=not result.ask_profile
            ):
                turn.wake_sender = True  # the principal hears of it (after the profile, if asked)
            if result.ask_profile:
                return [View([bold(head)]), *registry.start_profile(turn)]
            parts = [bold(head), plain("\n\n"), *help_view(turn).parts]
            if (
                result.outcome == JoinOutcome.JOINED
                and result.member.role == Role.PRINCIPAL
                and not document_settings.load(result.school).principal_name
            ):  # asked once: the name the documents are signed with, not Telegram's
                parts += [plain("\n\n"), *registry.ask_principal_name(turn)]
            return [View(parts)]
        log.info("refused join code (%s) for user %s", result.outcome, turn.incoming.user.id)
        reasons = {
            JoinOutcome.UNKNOWN: t._("This code is not valid."),
            JoinOutcome.EXPIRED: t._("This invitation has expired."),
            JoinOutcome.USED_UP: t._("This invitation has already been used."),
            JoinOutcome.REVOKED: t._("This invitation was revoked."),
        }
        refusal = reasons[result.outcome] + " " + t._("Please ask your principal for a new link.")
        views = [View([bold(refusal)])]
        return views if turn.member else views + onboarding(turn)
    if turn.member is None:
        return onboarding(turn)
    greeting = t._("Hello {name}! You are in {school}.").format(
        name=turn.member.display_name, school=turn.school.name
    )
    return [View([bold(greeting), plain("\n\n"), *help_view(turn).parts])]


def on_help(turn: Turn) -> list[View]:
    """Show the commands (a school member who is also a unit's specialist: /schools too)."""
    if turn.member is None:
        return onboarding(turn)
    view = help_view(turn)
    if units.specialist_of(turn.session, turn.person) is not None:
        schools = next(e for e in help_entries(turn.t, SUPERVISOR) if e.command == "/schools")
        view.parts.append(plain(f"\n{schools.command} — {schools.description}"))
    return [view]


LANGUAGE_PREFIX = "l:"


def on_language(turn: Turn) -> list[View]:
    """Offer the two languages."""
    t = turn.t
    return [
        View(
            [bold(t._("Choose your language:"))],
            [[Button("Tiếng Việt", "l:vi"), Button("English", "l:en")]],
        )
    ]


def on_language_chosen(turn: Turn) -> list[View]:
    """Store the language chosen with a button."""
    choice = (turn.incoming.callback_data or "")[len(LANGUAGE_PREFIX) :]
    if choice not in ("vi", "en"):
        return [View([bold(turn.t._("This button is no longer valid."))])]
    turn.set_language(choice)
    return [View([bold(turn.t._("Language set: English."))], edit=True)]


def on_school(turn: Turn) -> list[View]:
    """For someone in several schools: show them and let them pick the one to work in."""
    t = turn.t
    mine = memberships(turn.session, turn.person)
    parts = [bold(t._("You work in {school}.").format(school=turn.school.name))]
    if len(mine) < 2:
        return [View(parts)]
    buttons = [
        [
            Button(
                ("✅ " if m.id == turn.member.id else "")
                + f"{m.school.name} — "
                + role_name(turn.t, m.role),
                f"s:{m.id}",
            )
        ]
        for m in mine
        if turn.member is not None
    ]
    return [View([*parts, plain("\n" + t._("Choose the school to work in:"))], buttons)]


def on_school_chosen(turn: Turn) -> list[View]:
    """Switch to another of the person's own memberships (checked: never someone else's)."""
    t = turn.t
    data = (turn.incoming.callback_data or "")[2:]
    member_id = parse_number(data)
    chosen = next((m for m in memberships(turn.session, turn.person) if m.id == member_id), None)
    if chosen is None:
        log.info("refused school switch %r for user %s", data, turn.incoming.user.id)
        return [View([bold(t._("This button is no longer valid."))])]
    turn.person.active_member_id = chosen.id
    turn.member = chosen
    return [View([bold(t._("You work in {school}.").format(school=chosen.school.name))], edit=True)]
