"""How the owners' situation reads in the review invitation and in /review (TT57, section VI):
tasks done (criterion 1.4's indicator), rows by column (10) level, difficulties, each row with
its column (10)."""

from __future__ import annotations

from bot.core.i18n import Translator, percent
from bot.domain.templates import template_of
from bot.services.reviews import Situation
from bot.ui.render import short_row
from bot.ui.views import Part, bold, italic, plain

REVIEW_PREFIX = "v:"  # the review turn's buttons (conversations/review.py)
ROWS_SHOWN = 30


def checkpoint_name(t: Translator, found: Situation) -> str:
    """ "Cuối học kỳ I" / "Cuối năm học": the plan's own words for the moment."""
    return template_of(found.plan.template).checkpoint_label(found.checkpoint)


def situation_parts(t: Translator, found: Situation) -> list[Part]:
    parts: list[Part] = [
        plain(
            "\n"
            + t._("Tasks completed: {done}/{total} ({percent} per cent).").format(
                done=t.number(found.done),
                total=t.number(found.total),
                percent=percent(found.done, found.total),
            )
        )
    ]
    if found.rows:
        parts.append(bold("\n" + t._("Column (10), level of implementation:")))
        for level, count in found.levels.items():
            label = level or t._("not reported yet")
            parts.append(plain(f"\n• {label}: {t.number(count)}"))
    if found.difficulties:
        parts.append(bold("\n" + t._("Difficulties reported:")))
        for row, words in found.difficulties:
            said = f": {' '.join(words.split())[:200]}" if words else ""
            parts.append(plain(f"\n⚠️ {short_row(t, row, 80)}{said}"))
    if found.rows:
        parts.append(bold("\n" + t._("Rows:")))
        for row, level in found.rows[:ROWS_SHOWN]:
            parts.append(plain(f"\n{row.position}. {short_row(t, row, 70)} — {level or '…'}"))
        if len(found.rows) > ROWS_SHOWN:
            more = len(found.rows) - ROWS_SHOWN
            parts.append(italic("\n" + t._("… and {n} more.").format(n=t.number(more))))
    return parts


def invitation_parts(t: Translator, found: Situation) -> list[Part]:
    """The review invitation the principal and vice-principals get after a review moment."""
    head = t._("Review of the improvement plan, school year {year}: {checkpoint}").format(
        year=found.plan.school_year, checkpoint=checkpoint_name(t, found)
    )
    return [
        bold("📋 " + head),
        *situation_parts(t, found),
        plain(
            "\n\n"
            + t._(
                "Please write the review (section VI of the plan): what was reviewed, the "
                "result, adjustments and who reviewed. Start with /review or the button below."
            )
        ),
    ]
