"""The unit's weekly digest as a specialist reads it: a text (the schools in attention order,
then the unit's totals) and a chart (schools × status, stacked horizontal bars), and the review
summary at each review moment.

The chart is drawn as the school digest's (`bot.ui.digest_view`: the same colours and status
words), with matplotlib's object API on the Agg canvas (no pyplot state: safe in a worker
process). A province has a thousand schools: the chart shows the `CHART_SCHOOLS` needing
attention most and says how many others there are; the text lists `TEXT_SCHOOLS`.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator

from bot.core.i18n import Translator, translator
from bot.domain.rowname import short_title
from bot.domain.templates import TT57
from bot.services.unit_digest import SchoolLine, UnitDigest
from bot.services.unit_reviews import ReviewSummary, SchoolReview
from bot.ui.digest_view import COLOURS, status_label
from bot.ui.views import Part, bold, italic, plain
from db.models import ProgressStatus

CHART_SCHOOLS = 15
TEXT_SCHOOLS = 30
STATUSES = (
    ProgressStatus.DONE,
    ProgressStatus.IN_PROGRESS,
    ProgressStatus.DIFFICULTY,
    ProgressStatus.NOT_STARTED,  # with the rows nobody has reported on yet
)


def _count(line: SchoolLine, status: str) -> int:
    return {
        ProgressStatus.DONE: line.done,
        ProgressStatus.IN_PROGRESS: line.in_progress,
        ProgressStatus.DIFFICULTY: line.difficulty,
        ProgressStatus.NOT_STARTED: line.not_started,
    }[ProgressStatus(status)]


def template_name(t: Translator, template: str) -> str:
    return t._("Biểu 2") if template == TT57 else t._("2018 table")


def school_line(t: Translator, number: int, line: SchoolLine) -> list[Part]:
    """One school: done/total, overdue, difficulties, indicator 1.4, silent owners."""
    parts: list[Part] = [bold(f"\n{number}. {line.name}")]
    if line.plan is None:
        parts.append(italic(" — " + t._("no plan for this school year")))
        return parts
    facts = [
        t._("{done}/{total} done").format(done=line.done, total=line.plan.rows),
        t._("overdue {n}").format(n=line.overdue),
        t._("difficulties {n}").format(n=line.difficulty),
        t._("1.4: {done}/{total}").format(done=line.indicator_14[0], total=line.indicator_14[1]),
    ]
    if line.silent_owners:
        facts.append(
            t.ngettext("{n} owner silent", "{n} owners silent", len(line.silent_owners)).format(
                n=len(line.silent_owners)
            )
        )
    parts.append(plain(f" ({template_name(t, line.plan.template)})\n   " + " · ".join(facts)))
    return parts


def render(t: Translator, digest: UnitDigest) -> list[Part]:
    """The digest as text parts: the schools needing attention first, then the totals."""
    lines = digest.schools
    parts: list[Part] = [
        bold(
            "🏫 "
            + t._("Weekly digest of {unit}, {date}").format(
                unit=digest.name, date=t.date(digest.at.date())
            )
        )
    ]
    if not lines:
        parts.append(plain("\n" + t._("No school is linked to the unit yet.")))
        return parts
    for number, line in enumerate(lines[:TEXT_SCHOOLS], start=1):
        parts += school_line(t, number, line)
    if len(lines) > TEXT_SCHOOLS:
        rest = len(lines) - TEXT_SCHOOLS
        parts.append(
            italic(
                "\n"
                + t.ngettext(
                    "… and {n} other school (/schools lists them all).",
                    "… and {n} other schools (/schools lists them all).",
                    rest,
                ).format(n=rest)
            )
        )
    planned = [line for line in lines if line.plan is not None]
    rows = sum(line.plan.rows for line in planned if line.plan)
    parts.append(
        bold(
            "\n\n"
            + t.ngettext(
                "Unit total: {n} school, {with_plan} with a plan this year.",
                "Unit total: {n} schools, {with_plan} with a plan this year.",
                len(lines),
            ).format(n=len(lines), with_plan=len(planned))
        )
    )
    parts.append(
        plain(
            "\n"
            + t.ngettext("{n} row: ", "{n} rows: ", rows).format(n=t.number(rows))
            + ", ".join(
                f"{status_label(t, s)} {t.number(sum(_count(line, s) for line in planned))}"
                for s in STATUSES
            )
            + "."
        )
    )
    overdue = sum(line.overdue for line in planned)
    done, total = (sum(line.indicator_14[i] for line in planned) for i in (0, 1))
    parts.append(plain("\n⏰ " + t._("Overdue: {n}.").format(n=t.number(overdue))))
    parts.append(
        plain(
            "\n🎯 "
            + t._("Criterion 1.4: {done}/{total} improvement tasks completed.").format(
                done=t.number(done), total=t.number(total)
            )
        )
    )
    return parts


def chart_in(language: str, digest: UnitDigest) -> bytes:
    """The chart in one language (what a worker process is given: no translator object)."""
    return chart_png(translator(language), digest)


def chart_png(t: Translator, digest: UnitDigest, top: int = CHART_SCHOOLS) -> bytes:
    """Rows by status per school, the schools needing attention first (at the top), as a PNG
    of about 800 px wide; beyond `top` schools, how many others there are."""
    shown = list(digest.schools[:top])
    height = max(3.0, 1.2 + 0.4 * max(len(shown), 1))
    figure = Figure(figsize=(7, height), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    names = [
        short_title(line.name, 32) + ("" if line.plan is not None else " (" + t._("no plan") + ")")
        for line in shown
    ] or [t._("no school")]
    # Two schools may share a name (in different communes): keep each bar its own.
    names = [name + "\u200b" * names[:i].count(name) for i, name in enumerate(names)]
    left = [0] * len(names)
    for status in STATUSES:
        values = [_count(line, status) for line in shown] or [0]
        axes.barh(names, values, left=left, color=COLOURS[status], label=status_label(t, status))
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    label = t._("rows")
    rest = len(digest.schools) - len(shown)
    if rest > 0:
        label += "\n" + t.ngettext("and {n} other school", "and {n} other schools", rest).format(
            n=rest
        )
    axes.set_xlabel(label)
    axes.set_title(
        t._("{unit}: rows by status, {date}").format(
            unit=short_title(digest.name, 60), date=t.date(digest.at.date())
        )
    )
    whole_rows = AutoLocator()
    whole_rows.set_params(integer=True)
    axes.xaxis.set_major_locator(whole_rows)
    # Beside the bars (the saved image grows to hold it): never over a school's bar.
    axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small", frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def checkpoint_name(t: Translator, checkpoint: str) -> str:
    return t._("end of the school year") if checkpoint == "end_year" else t._("end of semester I")


def _review_line(t: Translator, school: SchoolReview) -> str:
    if school.template == TT57:
        who = f" — {short_title(school.evaluator, 60)}" if school.evaluator else ""
        return f"\n• {school.name}{who}"
    if school.written:
        detail = t.ngettext(
            "{n} row reported in the period", "{n} rows reported in the period", school.reported
        ).format(n=school.reported)
    else:
        detail = t.ngettext(
            "{n} row not reported in the period",
            "{n} rows not reported in the period",
            school.waiting,
        ).format(n=school.waiting)
    return f"\n• {school.name} ({t._('2018 table')}: {detail})"


def review_parts(t: Translator, summary: ReviewSummary) -> list[Part]:
    """Which schools have written their review at the checkpoint, which have not, and which
    have no plan. A 2018 plan has no review table: its owners' reports in the period count."""
    parts: list[Part] = [
        bold(
            "📝 "
            + t._("Reviews at the {checkpoint}: {unit}, {date}").format(
                checkpoint=checkpoint_name(t, summary.checkpoint),
                unit=summary.unit_name,
                date=t.date(summary.at.date()),
            )
        )
    ]
    written, missing, no_plan = summary.written, summary.not_written, summary.no_plan
    parts.append(
        bold("\n\n✅ " + t._("Reviewed ({n}):").format(n=len(written)))
        if written
        else plain("\n\n" + t._("No school has written its review yet."))
    )
    parts += [plain(_review_line(t, s)) for s in written]
    if missing:
        parts.append(bold("\n\n⏳ " + t._("Not reviewed yet ({n}):").format(n=len(missing))))
        parts += [plain(_review_line(t, s)) for s in missing]
    if no_plan:
        parts.append(
            bold("\n\n📭 " + t._("No plan this school year ({n}):").format(n=len(no_plan)))
        )
        parts += [plain(f"\n• {s.name}") for s in no_plan]
    parts.append(
        italic(
            "\n\n"
            + t._(
                "A Biểu 2 plan is reviewed when its review (section VI) is written; a 2018 plan "
                "when every row is done or reported since the owners' prompt."
            )
        )
    )
    return parts
