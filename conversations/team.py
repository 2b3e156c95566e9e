"""/invite, joining from an invitation (name and position), /team: roles, removals, links."""

from __future__ import annotations

import logging

from bot.core.i18n import N_
from bot.domain import permissions
from bot.domain.invite_links import deep_link
from bot.domain.permissions import can_manage_team
from bot.services import invites, members, outbox
from bot.services.chatstate import enter, leave
from bot.ui.render import role_name
from bot.ui.views import Button, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, parse_number
from db.models import Role

log = logging.getLogger(__name__)

PREFIX = "t:"
JOIN_FLOW = "join"
STEP_NAME = "name"
STEP_TITLE = "title"
INVITE_ROLES = (Role.VICE_PRINCIPAL, Role.COUNCIL, Role.STAFF, Role.MONITOR)


def _refuse(turn: Turn, what: str) -> list[View]:
    log.info("refused %s for member %s", what, turn.member.id if turn.member else None)
    t = turn.t
    return [
        View(
            [bold(t._("Only the principal and vice-principals manage the team."))],
            toast=t._("Not allowed"),
        )
    ]


# ---------------------------------------------------------------- invitations


def on_invite(turn: Turn) -> list[View]:
    """Offer the roles a new member can be invited with."""
    t = turn.t
    if not can_manage_team(turn.member):
        return _refuse(turn, "/invite")
    buttons = [
        [Button(role_name(turn.t, role).capitalize(), f"t:i:{role}")] for role in INVITE_ROLES
    ]
    buttons.append([Button(t._("Whole staff (one link, many people)"), "t:i:staff:many")])
    return [View([bold(t._("Invite a new member: choose the role."))], buttons)]


def _invite_link(turn: Turn, code: str) -> str:
    username = turn.bot_username or "caitien_bot"
    return deep_link(username, code)


def _create_invite(turn: Turn, role: str, many: bool) -> list[View]:
    t = turn.t
    if role not in INVITE_ROLES:
        return [View([bold(t._("This button is no longer valid."))])]
    invite = invites.invite_role(
        turn.session,
        turn.school,
        role,
        turn.member,
        turn.now,
        max_uses=invites.WHOLE_STAFF_USES if many else 1,
    )
    expires = t.date(
        invite.expires_at.astimezone(turn.now.tzinfo).date() if invite.expires_at else None
    )
    uses = t._("many people") if many else t._("one person")
    parts = [
        bold(t._("Invitation link for a {role}").format(role=role_name(turn.t, role))),
        plain("\n" + _invite_link(turn, invite.code)),
        italic(
            "\n"
            + t._("Valid until {date}, for {uses}. Send it to the person you invite.").format(
                date=expires, uses=uses
            )
        ),
    ]
    return [View(parts, [[Button("🚫 " + t._("Revoke this link"), f"t:r:{invite.id}")]])]


# ---------------------------------------------------------------- joining


@registry.start_profile.provide
def start_profile(turn: Turn) -> list[View]:
    """After joining from a role link: ask the new member's name."""
    enter(turn.state, JOIN_FLOW, STEP_NAME)
    return prompt(turn)


def prompt(turn: Turn) -> list[View]:
    t = turn.t
    if turn.state.step == STEP_TITLE:
        return [
            View(
                [
                    bold(
                        t._(
                            "What is your position? (for example: Accountant, Young Pioneers "
                            "coordinator, head of the grade 4-5 group)"
                        )
                    ),
                    italic("\n" + t._("Optional: /skip to leave it empty.")),
                ]
            )
        ]
    return [
        View(
            [
                bold(t._("Please tell me your full name, as the school writes it.")),
                italic("\n" + t._("/skip keeps your Telegram name.")),
            ]
        )
    ]


def on_text(turn: Turn) -> list[View]:
    """Store the name, then the position."""
    text = " ".join((turn.incoming.text or "").split())[:200]
    if not text or turn.member is None:
        return prompt(turn)
    if turn.state.step == STEP_NAME:
        turn.member.display_name = text
        enter(turn.state, JOIN_FLOW, STEP_TITLE)
        return prompt(turn)
    turn.member.title = text
    return _joined(turn)


def skip(turn: Turn) -> list[View]:
    if turn.state.step == STEP_NAME:
        enter(turn.state, JOIN_FLOW, STEP_TITLE)
        return prompt(turn)
    return _joined(turn)


def go_back(turn: Turn) -> list[View]:
    enter(turn.state, JOIN_FLOW, STEP_NAME)
    return prompt(turn)


def cancel(turn: Turn) -> list[View]:
    return _joined(turn)


def _joined(turn: Turn) -> list[View]:
    t = turn.t
    leave(turn.state)
    assert turn.member is not None
    outbox.tell_joined(turn.session, turn.member, turn.now, at_once=True)  # name, position given
    turn.wake_sender = True
    who = turn.member.display_name + (f" ({turn.member.title})" if turn.member.title else "")
    done = t._("{name}, you have joined {school} as {role}.").format(
        name=who, school=turn.school.name, role=role_name(turn.t, turn.member.role)
    )
    return [View([bold(done), plain("\n\n"), *registry.help_view(turn).parts])]


# ---------------------------------------------------------------- the team


def team_view(turn: Turn) -> View:
    t = turn.t
    people = members.members(turn.session, turn.school.id)
    head = t.ngettext("{school}: {n} member", "{school}: {n} members", len(people)).format(
        school=turn.school.name, n=len(people)
    )
    parts = [bold(head)]
    for member in people:
        title = f", {member.title}" if member.title else ""
        parts.append(plain(f"\n• {member.display_name} — {role_name(turn.t, member.role)}{title}"))
    buttons: list[list[Button]] = []
    if can_manage_team(turn.member):
        buttons += [
            [Button("✏️ " + m.display_name[:40], f"t:m:{m.id}")]
            for m in people
            if m.role != Role.PRINCIPAL
        ]
        pending = invites.open_invites(turn.session, turn.school.id, turn.now)
        if pending:
            parts.append(bold("\n\n" + t._("Open invitation links:")))
        for invite in pending:
            expires = t.date(
                invite.expires_at.astimezone(turn.now.tzinfo).date() if invite.expires_at else None
            )
            parts.append(
                plain(
                    "\n• "
                    + t._("{role}, used {used}/{uses}, until {date}").format(
                        role=role_name(turn.t, invite.role),
                        used=invite.used_count,
                        uses=invite.max_uses,
                        date=expires,
                    )
                )
            )
            buttons.append(
                [
                    Button(
                        "🚫 "
                        + t._("Revoke: {role} until {date}").format(
                            role=role_name(turn.t, invite.role), date=expires
                        ),
                        f"t:r:{invite.id}",
                    )
                ]
            )
    return View(parts, buttons)


def on_team(turn: Turn) -> list[View]:
    """List the members; managers get buttons to change roles, remove, revoke links."""
    return [team_view(turn)]


def _member_card(turn: Turn, member_id: int) -> list[View]:
    t = turn.t
    member = members.member_of(turn.session, turn.school.id, member_id)
    if member is None:
        return [View([bold(t._("This member was not found."))], toast=t._("Not found"))]
    title = f" ({member.title})" if member.title else ""
    parts = [
        bold(member.display_name + title),
        plain("\n" + t._("Role: {role}").format(role=role_name(turn.t, member.role))),
    ]
    if member.person_id is None:
        parts.append(italic("\n" + t._("Has not joined on Telegram yet: gets no reminders.")))
    if member.unreachable_at is not None:
        parts.append(italic("\n" + t._("Has blocked the bot: gets no reminders.")))
    away = member.on_leave_until is not None and member.on_leave_until >= turn.now.date()
    if away:
        parts.append(
            plain("\n🏖 " + t._("On leave until {date}.").format(date=t.date(member.on_leave_until)))
        )
    buttons = [
        [Button(t._("Make {role}").format(role=role_name(turn.t, role)), f"t:c:{member.id}:{role}")]
        for role in members.ASSIGNABLE_ROLES
        if role != member.role
    ]
    buttons.append(
        [Button("🏖 " + t._("Back from leave"), f"t:lb:{member.id}")]
        if away
        else [Button("🏖 " + t._("On leave until…"), f"t:lv:{member.id}")]
    )
    buttons.append([Button("🗑 " + t._("Remove from the school"), f"t:x:{member.id}")])
    buttons.append([Button("◀ " + t._("Team"), "t:l")])
    return [View(parts, buttons, edit=True)]


REFUSALS = {
    permissions.Refusal.NOT_FOUND: N_("This member was not found."),
    permissions.Refusal.PRINCIPAL_PROTECTED: N_(
        "The principal's membership and role cannot be changed."
    ),
    permissions.Refusal.BAD_ROLE: N_("This button is no longer valid."),
}


def on_callback(turn: Turn) -> list[View]:
    """Buttons of /invite and /team; every one checks the member's rights again."""
    t = turn.t
    parts = (turn.incoming.callback_data or "")[len(PREFIX) :].split(":")
    action, args = parts[0], parts[1:]
    if action == "l":
        return [team_view(turn)]
    if not can_manage_team(turn.member):
        return _refuse(turn, f"team action {action!r}")  # repr: the data may hold a newline
    assert turn.member is not None
    number = (parse_number(args[0]) if args else None) or 0
    if action == "i" and args:
        return _create_invite(turn, args[0], len(args) > 1 and args[1] == "many")
    if action == "m":
        return _member_card(turn, number)
    if action in ("lv", "lb"):
        member = members.member_of(turn.session, turn.school.id, number)
        if member is not None and action == "lv":
            return registry.ask_leave(turn, member)
        if member is not None:
            members.set_leave(turn.session, member, None, turn.member)
            return _member_card(turn, number)
    refusal: permissions.Refusal | None
    if action == "c" and len(args) > 1:
        refusal = members.change_role(
            turn.session, turn.school.id, number, args[1], turn.member, turn.now
        )
        if refusal is None:
            return _member_card(turn, number)
    elif action == "x":
        member = members.member_of(turn.session, turn.school.id, number)
        if member is None:
            refusal = permissions.Refusal.NOT_FOUND
        else:
            question = t._("Remove {name} from {school}?").format(
                name=member.display_name, school=turn.school.name
            )
            return [
                View(
                    [bold(question)],
                    [
                        [
                            Button("🗑 " + t._("Yes, remove"), f"t:X:{member.id}"),
                            Button(t._("No"), f"t:m:{member.id}"),
                        ]
                    ],
                )
            ]
    elif action == "X":
        refusal = members.remove_member(turn.session, turn.school.id, number, turn.member, turn.now)
        if refusal is None:
            return [View([bold(t._("Removed from the team."))], edit=True), team_view(turn)]
    elif action == "r":
        if invites.revoke_invite(turn.session, turn.school.id, number, turn.member, turn.now):
            refusal = permissions.Refusal.NOT_FOUND
        else:
            return [View([bold("🚫 " + t._("The link was revoked."))], edit=True)]
    else:
        refusal = permissions.Refusal.BAD_ROLE
    log.info("team action %r refused (%s) for member %s", action, refusal, turn.member.id)
    return [View([bold(t._(REFUSALS[refusal]))], toast=t._("Not allowed"))]


registry.add_flow(registry.Flow(JOIN_FLOW, prompt, on_text, skip, go_back, cancel))
