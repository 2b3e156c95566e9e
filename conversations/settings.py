"""/settings: a member's own leave; for the principal and vice-principals, the school's schedule
and its document settings.

Shown: send time, quiet hours, the weekly digest, holidays, the linked group, what the signed
documents carry (the authority above the school's name, the place of the date line, the
document symbol, the principal's full name as signed), and the clock when it was set with
`caitien run --now`. Each change is a button, then a short text answer;
an answer that cannot be read gets an example and the same question again.
"""

from __future__ import annotations

import datetime as dt
import logging

from bot.core.clock import is_simulated
from bot.core.i18n import N_
from bot.domain import document_settings, school_settings
from bot.domain.document_settings import date_line, symbol_line
from bot.domain.permissions import can_manage_team
from bot.domain.school_settings import (
    parse_date,
    parse_day_months,
    parse_holiday,
    parse_time,
    parse_weekday_time,
)
from bot.services import members, schools
from bot.services.chatstate import enter, leave
from bot.services.schools import SchoolError
from bot.ui.views import Button, Part, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, flow_button, parse_number, stale_button
from db.models import Member, Role

log = logging.getLogger(__name__)

FLOW = "settings"
PREFIX = "c:"
MENU, SEND_TIME, QUIET, DIGEST_TIME, HOLIDAY, LEAVE, PROMPTS = (
    "menu",
    "send_time",
    "quiet",
    "digest_time",
    "holiday",
    "leave",
    "prompts",
)
AUTHORITY, PLACE, SYMBOL, PRINCIPAL_NAME = "authority", "place", "symbol", "principal_name"
DOCUMENT_STEPS = (AUTHORITY, PLACE, SYMBOL, PRINCIPAL_NAME)
SCHOOL_STEPS = {SEND_TIME, QUIET, DIGEST_TIME, HOLIDAY, PROMPTS, *DOCUMENT_STEPS}
DOCUMENT_LABELS = {
    AUTHORITY: N_("Authority"),
    PLACE: N_("Place of the date line"),
    SYMBOL: N_("Document symbol"),
    PRINCIPAL_NAME: N_("Principal's full name"),
}
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def _cb(turn: Turn, *parts: str) -> str:
    return PREFIX + ":".join([*parts, str(turn.state.version)])


def _hm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _dm(month_day: tuple[int, int]) -> str:
    return f"{month_day[1]:02d}/{month_day[0]:02d}"


def on_settings(turn: Turn) -> list[View]:
    enter(turn.state, FLOW, MENU)
    return prompt(turn)


def _menu(turn: Turn) -> View:
    t = turn.t
    assert turn.member is not None
    member = turn.member
    parts = [bold("⚙️ " + t._("Settings"))]
    buttons: list[list[Button]] = []
    if can_manage_team(member):
        school = turn.school
        current = school_settings.load(school)
        weekday = t._(WEEKDAYS[current.digest_weekday])
        parts += [
            plain("\n" + t._("Reminders are sent at {time}.").format(time=_hm(current.send_time))),
            plain(
                "\n"
                + t._("Quiet hours: {start}–{end} (what falls there waits).").format(
                    start=_hm(current.quiet_from), end=_hm(current.quiet_until)
                )
            ),
            plain(
                "\n"
                + t._("Weekly digest: {day} at {time}.").format(
                    day=weekday, time=_hm(current.digest_time)
                )
            ),
            plain(
                "\n"
                + t._("Mid-year review: {mid}; end-of-year review: {end}.").format(
                    mid=_dm(current.mid_year), end=", ".join(_dm(d) for d in current.end_year)
                )
            ),
            bold("\n" + t._("Holidays (nothing is sent):")),
        ]
        if current.holidays:
            for h in current.holidays:
                span = t.date(h.start) if h.start == h.end else f"{t.date(h.start)}–{t.date(h.end)}"
                parts.append(plain(f"\n• {span} {h.label}".rstrip()))
        else:
            parts.append(italic(" " + t._("none yet")))
        group = school.group_chat_id
        parts.append(
            plain(
                "\n"
                + (
                    t._("The digest is also posted to a linked group.")
                    if group
                    else t._("No group linked (add me to a group and send /linkgroup there).")
                )
            )
        )
        buttons += [
            [
                Button(t._("Send time"), _cb(turn, SEND_TIME)),
                Button(t._("Quiet hours"), _cb(turn, QUIET)),
            ],
            [
                Button(t._("Digest day and time"), _cb(turn, DIGEST_TIME)),
                Button(t._("Review dates"), _cb(turn, PROMPTS)),
            ],
            [Button(t._("Add a holiday"), _cb(turn, HOLIDAY))],
        ]
        for i, h in enumerate(current.holidays[:10]):
            label = t._("Remove {date} {label}").format(date=t.date(h.start), label=h.label)
            buttons.append([Button("🗑 " + label.strip()[:60], _cb(turn, "rh", str(i)))])
        if group:
            buttons.append([Button(t._("Unlink the group"), _cb(turn, "ug"))])
        parts += _documents(turn)
        buttons += [
            [
                Button(t._(DOCUMENT_LABELS[AUTHORITY]), _cb(turn, AUTHORITY)),
                Button(t._(DOCUMENT_LABELS[PLACE]), _cb(turn, PLACE)),
            ],
            [
                Button(t._(DOCUMENT_LABELS[SYMBOL]), _cb(turn, SYMBOL)),
                Button(t._(DOCUMENT_LABELS[PRINCIPAL_NAME]), _cb(turn, PRINCIPAL_NAME)),
            ],
        ]
    leave_until = member.on_leave_until
    if leave_until and leave_until >= turn.now.date():
        parts.append(
            bold("\n" + t._("You are on leave until {date}.").format(date=t.date(leave_until)))
        )
        buttons.append([Button(t._("I am back"), _cb(turn, "back"))])
    else:
        parts.append(plain("\n" + t._("On leave? You get no reminders until you are back.")))
        buttons.append([Button(t._("I am on leave until…"), _cb(turn, LEAVE))])
    if is_simulated(turn.clock):
        parts.append(
            italic(
                "\n"
                + t._("The bot's clock is set to {moment} (a trial run).").format(
                    moment=turn.now.strftime("%d/%m/%Y %H:%M")
                )
            )
        )
    return View(parts, buttons)


def _documents(turn: Turn) -> list[Part]:
    """What the plan and the report carry above and below the text, blanks where not set."""
    t = turn.t
    current = document_settings.load(turn.school)
    unset = t._("not set (a dotted blank to fill by hand)")
    values = {
        AUTHORITY: current.authority,
        PLACE: current.place,
        SYMBOL: symbol_line(current) if current.symbol else None,
        PRINCIPAL_NAME: current.principal_name,
    }
    parts: list[Part] = [bold("\n\n" + t._("Signed documents (plan, end-of-year report):"))]
    for step in DOCUMENT_STEPS:
        parts.append(plain(f"\n• {t._(DOCUMENT_LABELS[step])}: "))
        value = values[step]
        parts.append(plain(value) if value else italic(unset))
    if current.place:
        parts.append(italic("\n" + date_line(current, turn.now.date())))
    return parts


QUESTIONS = {
    SEND_TIME: (N_("At what time should reminders go out? For example 7:30."), "7:30"),
    QUIET: (N_("Quiet hours, from and until? For example 20:00-07:00."), "20:00-07:00"),
    DIGEST_TIME: (
        N_("Which day and time should the weekly digest come? For example: Thứ Hai 7:30."),
        "Thứ Hai 7:30",
    ),
    PROMPTS: (
        N_(
            "The mid-year review day, then the end-of-year review and its reminder. "
            "For example: 10/01, 15/05, 25/05"
        ),
        "10/01, 15/05, 25/05",
    ),
    HOLIDAY: (
        N_(
            "Which days? For example: Tết Nguyên đán từ 04/02/2027 đến 14/02/2027, "
            "or: nghỉ Tết 4/2 - 14/2"
        ),
        "nghỉ Tết 4/2 - 14/2",
    ),
    LEAVE: (N_("On leave until which day? For example 15/03/2027."), "15/03/2027"),
    AUTHORITY: (
        N_(
            "The authority written above the school's name, as in your documents. "
            "For example: UBND PHƯỜNG THỦ ĐỨC, or SỞ GD&ĐT TP. HỒ CHÍ MINH"
        ),
        "UBND PHƯỜNG THỦ ĐỨC",
    ),
    PLACE: (
        N_("The place name of the date line. For example: Thủ Đức (for “Thủ Đức, ngày …”)"),
        "Thủ Đức",
    ),
    SYMBOL: (
        N_(
            "The plan's document symbol, with or without its number. "
            "For example: KH-THCSLQĐ or 25/KH-THCSLQĐ"
        ),
        "KH-THCSLQĐ",
    ),
    PRINCIPAL_NAME: (
        N_("The principal's full name, as signed on the school's documents."),
        "Nguyễn Thị Thu Hà",
    ),
}


def prompt(turn: Turn) -> list[View]:
    t = turn.t
    step = turn.state.step or MENU
    if step == MENU:
        return [_menu(turn)]
    question, _ = QUESTIONS[step]
    return [View([bold(t._(question)), italic("\n" + t._("/cancel: stop"))])]


@registry.ask_principal_name.provide
def ask_principal_name(turn: Turn) -> list[Part]:
    """Asked once, when the principal joins: the full name the documents are signed with."""
    enter(turn.state, FLOW, PRINCIPAL_NAME, onboarding=True, member_id=None)
    t = turn.t
    return [
        bold(t._("What is your full name, as you sign the school's documents?")),
        italic(
            "\n"
            + t._(
                "It is printed under HIỆU TRƯỞNG on the plan and the report. "
                "/skip: later, in /settings."
            )
        ),
    ]


def on_callback(turn: Turn) -> list[View]:
    t = turn.t
    pressed = flow_button(turn, PREFIX, FLOW)
    if pressed is None:
        return stale_button(turn, FLOW, prompt)
    action, args = pressed
    manager = can_manage_team(turn.member)
    if action in SCHOOL_STEPS | {"rh", "ug"} and not manager:
        log.info("refused settings %r for member %s", action, turn.member and turn.member.id)
        return [View([bold(t._("Only the principal and vice-principals change this."))])]
    if action in QUESTIONS:
        enter(turn.state, FLOW, action, member_id=None, onboarding=False)
        return prompt(turn)
    index = parse_number(args[0]) if args else None
    if action == "rh" and index is not None:
        current = school_settings.load(turn.school)
        if index < len(current.holidays):
            kept = tuple(h for i, h in enumerate(current.holidays) if i != index)
            school_settings.update(turn.school, holidays=kept)
    elif action == "ug":
        turn.school.group_chat_id = None
    elif action == "back":
        assert turn.member is not None
        members.set_leave(turn.session, turn.member, None, turn.member)
    enter(turn.state, FLOW, MENU)
    return [View([bold("✅ " + t._("Saved."))], toast=t._("Saved.")), *prompt(turn)]


def on_text(turn: Turn) -> list[View]:
    t = turn.t
    step = turn.state.step or MENU
    text = turn.incoming.text or ""
    if step == MENU:
        return [View([bold(t._("Please choose with the buttons."))]), *prompt(turn)]
    if step in SCHOOL_STEPS and not can_manage_team(turn.member):
        leave(turn.state)
        return [View([bold(t._("Only the principal and vice-principals change this."))])]
    saved = _apply(turn, step, text)
    if saved and step == LEAVE and (turn.state.data or {}).get("member_id") is not None:
        leave(turn.state)
        return [View([bold("✅ " + t._("Saved."))])]
    if saved and (turn.state.data or {}).get("onboarding"):
        leave(turn.state)
        name = document_settings.load(turn.school).principal_name or ""
        done = t._("Saved. The documents are signed: {name}.").format(name=name)
        return [View([bold("✅ " + done), italic("\n" + t._("/settings: change it later."))])]
    if not saved:
        example = QUESTIONS[step][1]
        return [
            View(
                [bold(t._("I could not read that. For example: {example}").format(example=example))]
            ),
            *prompt(turn),
        ]
    enter(turn.state, FLOW, MENU)
    return [View([bold("✅ " + t._("Saved."))]), *prompt(turn)]


def _apply(turn: Turn, step: str, text: str) -> bool:
    school = turn.school
    if step in DOCUMENT_STEPS:
        try:
            changed = schools.set_document_settings(school, **{step: text})
        except SchoolError:
            return False
        value = getattr(changed, step)
        if value is None:
            return False
        member = turn.member
        if step == PRINCIPAL_NAME and member is not None and member.role == Role.PRINCIPAL:
            member.display_name = value  # the principal's own name, as the school writes it
        return True
    if step == SEND_TIME:
        value = parse_time(text)
        if value is None:
            return False
        school_settings.update(school, send_time=value)
        return True
    if step == DIGEST_TIME:
        found = parse_weekday_time(text)
        if found is None:
            return False
        weekday, time = found
        changes: dict[str, object] = {"digest_time": time}
        if weekday is not None:
            changes["digest_weekday"] = weekday
        school_settings.update(school, **changes)
        return True
    if step == PROMPTS:
        days = parse_day_months(text)
        order = [((month - 8) % 12, day) for month, day in days or ()]  # from August
        if days is None or len(days) < 2 or order != sorted(set(order)):
            return False
        school_settings.update(school, mid_year=days[0], end_year=days[1:])
        return True
    if step == QUIET:
        pieces = [p for p in text.replace("–", "-").split("-") if p.strip()]
        times = [parse_time(p) for p in pieces]
        if len(times) != 2 or None in times:
            return False
        start, end = times
        assert start is not None and end is not None
        if start <= end:  # quiet hours run overnight, e.g. 20:00-07:00
            return False
        school_settings.update(school, quiet_from=start, quiet_until=end)
        return True
    if step == HOLIDAY:
        holiday = parse_holiday(text, turn.school_year())
        if holiday is None:
            return False
        current = school_settings.load(school)
        school_settings.update(
            school, holidays=tuple(sorted((*current.holidays, holiday), key=lambda h: h.start))
        )
        return True
    if step == LEAVE:
        day = parse_date(text)
        whose = _leave_member(turn)
        if day is None or day < turn.now.date() or whose is None:
            return False
        members.set_leave(turn.session, whose, day, turn.member)
        return True
    return False


def _leave_member(turn: Turn) -> Member | None:
    """Whose leave is being set: one's own, or (for a manager, from /team) a member's."""
    member_id = (turn.state.data or {}).get("member_id")
    if member_id is None:
        return turn.member
    if not can_manage_team(turn.member):
        return None
    return members.member_of(turn.session, turn.school.id, int(member_id))


@registry.ask_leave.provide
def ask_leave(turn: Turn, member: Member) -> list[View]:
    """From a member's card in /team: ask until when they are on leave."""
    enter(turn.state, FLOW, LEAVE, member_id=member.id)
    t = turn.t
    return [
        View(
            [
                bold(member.display_name),
                plain("\n" + t._(QUESTIONS[LEAVE][0])),
                italic("\n" + t._("/cancel: stop")),
            ]
        )
    ]


def skip(turn: Turn) -> list[View]:
    if (turn.state.data or {}).get("onboarding"):
        leave(turn.state)
        return [View([bold(turn.t._("Later, then: /settings sets it."))])]
    return [View([bold(turn.t._("Please choose with the buttons."))]), *prompt(turn)]


def go_back(turn: Turn) -> list[View]:
    enter(turn.state, FLOW, MENU)
    return prompt(turn)


def cancel(turn: Turn) -> list[View]:
    leave(turn.state)
    return [View([bold(turn.t._("Stopped. Nothing else was changed."))])]


def on_other_command(turn: Turn) -> list[View]:
    """Another command while a settings question is open: the question is dropped (what was
    saved stays saved), so the command is a command and a later text is not taken as the
    answer. Nothing is said: the command's own answer follows."""
    leave(turn.state)
    return []


registry.add_flow(
    registry.Flow(FLOW, prompt, on_text, skip, go_back, cancel, on_command=on_other_command)
)
