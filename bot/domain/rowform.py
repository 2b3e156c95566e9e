"""The questions of a plan row, in the order the official table has them.

Two templates (`bot/domain/templates.py`): the 2018 nine columns (`FIELDS`) and Biểu 2 of
Thông tư 57/2026 (`FIELDS_TT57`). A field names the PlanRow attribute its answer is stored in;
both templates store who leads, when and how much in the same attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.i18n import N_
from bot.domain.templates import TT57


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

# Biểu 2, columns (2)-(9) in their order; (10) comes from the owners' reports.
FIELDS_TT57: tuple[FieldSpec, ...] = (
    FieldSpec(
        "content",
        N_("Improvement content"),
        N_("What is to be improved (Nội dung cải tiến)?"),
        N_("For example: Standardise the digital records and the sector database."),
        True,
    ),
    FieldSpec(
        "expected_result",
        N_("Objective"),
        N_("What is the objective (Mục tiêu)?"),
        N_("For example: Every record complete, accurate and matching the paper files."),
        True,
    ),
    FieldSpec(
        "tasks",
        N_("Activities, measures"),
        N_("Which activities and measures (Hoạt động, giải pháp)?"),
        N_("Write them as in your plan; several paragraphs are fine."),
        True,
    ),
    FieldSpec(
        "indicators",
        N_("Result indicators"),
        N_("Which indicators show the result (Chỉ số đánh giá kết quả)?"),
        N_("For example: every pupil's record updated before 31/10/2026."),
        True,
    ),
    FieldSpec(
        "timeline_text",
        N_("Time"),
        N_("When (Thời gian)?"),
        N_("For example: September 2026 – May 2027, or: before 15/5/2027."),
        True,
    ),
    FieldSpec(
        "lead_text",
        N_("Responsible"),
        N_("Who is responsible (Phụ trách)?"),
        N_("For example: Vice-principal leads; the office clerk and form teachers coordinate."),
        True,
    ),
    FieldSpec(
        "budget_text",
        N_("Resources"),
        N_("Which resources (Nguồn lực)?"),
        N_("For example: State budget, about 12 million; or: no extra cost."),
        False,
    ),
    FieldSpec(
        "expected_evidence",
        N_("Expected evidence"),
        N_("Which evidence is expected (Minh chứng dự kiến)?"),
        N_("For example: the records rules; minutes of the checks; photos."),
        False,
    ),
)

BY_NAME = {f.name: f for f in FIELDS}
BY_NAME_TT57 = {f.name: f for f in FIELDS_TT57}
CRITERION = "criterion"
ISSUE = "issue"  # a TT57 row's link to the priority issue it answers (edited like a field)
FIELD_NAMES = (CRITERION, *BY_NAME)
# Every attribute a row's answers are stored in, in either template (column (10) as written
# comes from an import and is stored too).
TEXT_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys([*BY_NAME, *BY_NAME_TT57, "implementation_text"])
)


def fields_for(template: str | None) -> tuple[FieldSpec, ...]:
    """The questions of a row of a plan in that template (`Plan.template`)."""
    return FIELDS_TT57 if template == TT57 else FIELDS


def by_name(template: str | None) -> dict[str, FieldSpec]:
    return BY_NAME_TT57 if template == TT57 else BY_NAME


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
    "content": "w",
    "indicators": "i",
    "expected_evidence": "v",
    ISSUE: "q",
}
FROM_SHORT = {v: k for k, v in SHORT.items()}


def next_field(name: str, template: str | None = None) -> str | None:
    """The field asked after `name` while writing a new row (None: show the summary card)."""
    names = [f.name for f in fields_for(template)]
    if name == CRITERION:
        return names[0]
    i = names.index(name)
    return names[i + 1] if i + 1 < len(names) else None


def previous_field(name: str, template: str | None = None) -> str | None:
    names = [f.name for f in fields_for(template)]
    if name == CRITERION:
        return None
    i = names.index(name)
    return names[i - 1] if i > 0 else CRITERION
