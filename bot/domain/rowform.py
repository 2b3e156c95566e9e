"""The questions of a plan row, in the order the official table has them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import N_


@dataclass(frozen=True)
class FieldSpec:
    name: str  # PlanRow attribute
    label: str  # column name, translated where shown
    question: str
    hint: str
    required: bool


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "expected_result",
        N_("Expected result"),
        N_("What result is expected (compared with the current state)?"),
        N_("For example: Keep level 2; reach level 3 by May."),
        True,
    ),
    FieldSpec(
        "tasks",
        N_("Tasks / measures"),
        N_("Which tasks or measures will be carried out?"),
        N_("Write them as in your plan; several paragraphs are fine."),
        True,
    ),
    FieldSpec(
        "lead_text",
        N_("Lead and coordinators"),
        N_("Who leads and who coordinates?"),
        N_("For example: Principal leads; vice-principal and group leaders coordinate."),
        True,
    ),
    FieldSpec(
        "timeline_text",
        N_("Timeline"),
        N_("When is it carried out and completed?"),
        N_("For example: September 2026 – May 2027, or: before 30/5 every year."),
        True,
    ),
    FieldSpec(
        "budget_text",
        N_("Estimated budget"),
        N_("What is the estimated budget?"),
        N_("For example: 10 million, or: from the school's regular budget."),
        False,
    ),
    FieldSpec(
        "support",
        N_("Other support"),
        N_("What other support is needed?"),
        N_("For example: support from the parents' committee."),
        False,
    ),
    FieldSpec(
        "notes", N_("Notes"), N_("Any notes?"), N_("Anything else worth writing down."), False
    ),
)

BY_NAME = {f.name: f for f in FIELDS}
CRITERION = "criterion"
FIELD_NAMES = (CRITERION, *BY_NAME)

# Short keys for callback data (Telegram allows 64 bytes).
SHORT = {
    CRITERION: "c",
    "expected_result": "e",
    "tasks": "t",
    "lead_text": "l",
    "timeline_text": "d",
    "budget_text": "b",
    "support": "s",
    "notes": "n",
}
FROM_SHORT = {v: k for k, v in SHORT.items()}


def next_field(name: str) -> str | None:
    """The field asked after `name` while writing a new row (None: show the summary card)."""
    names = [f.name for f in FIELDS]
    if name == CRITERION:
        return names[0]
    i = names.index(name)
    return names[i + 1] if i + 1 < len(names) else None


def previous_field(name: str) -> str | None:
    names = [f.name for f in FIELDS]
    if name == CRITERION:
        return None
    i = names.index(name)
    return names[i - 1] if i > 0 else CRITERION
