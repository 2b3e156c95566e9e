"""How conversations hand over to each other without importing each other.

A conversation module never imports another one. What one offers the others is registered
here by the module that owns it:

- a **flow** that asks questions (`Flow`): the catch-all handlers (`conversations.fallback`)
  send a text, a file, /skip, /back or /cancel to the flow the chat is in;
- a **hand-over**, a typed slot (`Slot`) such as "show the row's card" or "the help text",
  filled with `@registry.card_view.provide` and called as `registry.card_view(turn, row)`.

The composition root (`bot.runtime.app`) imports every conversation module before the first
update, so every slot is filled by then; an empty slot raises at once, naming itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, ParamSpec, TypeVar

from bot.ui.views import Button, Part, View
from conversations.base import Turn, TurnFn
from db.models import Member, PlanRow, UnitMember

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Flow:
    """A conversation that asks questions, as the catch-all handlers see it."""

    name: str
    prompt: TurnFn
    on_text: TurnFn
    skip: TurnFn
    go_back: TurnFn
    cancel: TurnFn
    on_file: TurnFn | None = None  # a file is an answer here (else: "answer with a text")
    # Another (known) command while a question is open: what becomes of the flow first (its
    # views go before the command's answer). None: the question stays open (a draft waits).
    on_command: TurnFn | None = None


_FLOWS: dict[str, Flow] = {}


def add_flow(flow: Flow) -> Flow:
    if flow.name in _FLOWS:
        raise ValueError(f"flow {flow.name!r} registered twice")
    _FLOWS[flow.name] = flow
    return flow


def flow(name: str | None) -> Flow | None:
    """The flow the chat is in (None: no conversation open, or one without questions)."""
    return _FLOWS.get(name or "")


def before_command(turn: Turn) -> list[View]:
    """A known command arrived: let the open flow end itself if it ends on a command."""
    open_flow = flow(turn.state.flow)
    if open_flow is None or open_flow.on_command is None:
        return []
    return open_flow.on_command(turn)


class Slot(Generic[P, R]):
    """One hand-over: filled by the module that owns it, called by the others."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._fn: Callable[P, R] | None = None

    def provide(self, fn: Callable[P, R]) -> Callable[P, R]:
        if self._fn is not None:
            raise ValueError(f"hand-over {self.name!r} provided twice")
        self._fn = fn
        return fn

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._fn is None:
            raise LookupError(f"no conversation provides {self.name!r}")
        return self._fn(*args, **kwargs)


# The hand-overs, with the module that provides each.
help_view: Slot[[Turn], View] = Slot("help_view")  # start
start_profile: Slot[[Turn], list[View]] = Slot("start_profile")  # team: name and position
ask_leave: Slot[[Turn, Member], list[View]] = Slot("ask_leave")  # settings: a member's leave
# settings: a principal who just joined is asked the full name the documents are signed with
ask_principal_name: Slot[[Turn], list[Part]] = Slot("ask_principal_name")
card_view: Slot[[Turn, PlanRow], View] = Slot("card_view")  # rows: the row's card
# add_row: the buttons that edit each field of a row, and editing one from the card
edit_buttons: Slot[[Turn, PlanRow, Callable[[str], str]], list[list[Button]]] = Slot("edit_buttons")
edit_from_card: Slot[[Turn, PlanRow, str], list[View]] = Slot("edit_from_card")
back_to_review: Slot[[Turn, PlanRow], list[View]] = Slot("back_to_review")  # add_row
report_on_row: Slot[[Turn, int, str], list[View]] = Slot("report_on_row")  # report
# unit_export: a specialist's /export (the roll-up XLSX and the schools' year-end reports ZIP)
unit_export: Slot[[Turn, UnitMember], list[View]] = Slot("unit_export")
