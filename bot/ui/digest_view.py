"""The digest as the principal reads it: text parts and a chart (rows by status per standard).

matplotlib's object API with the Agg canvas: no pyplot global state, safe in worker threads.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator

from bot.core.i18n import N_, Translator, translator
from bot.services import progress
from bot.services.digest import KEYS, NO_REPORT, Digest, DigestRow
from bot.ui.views import Part, bold, italic, plain
from db.models import ProgressStatus

NO_REPORT_LABEL = N_("no report yet")


COLOURS = {
    ProgressStatus.DONE: "#2e7d32",
    ProgressStatus.IN_PROGRESS: "#1565c0",
    ProgressStatus.DIFFICULTY: "#e65100",
    ProgressStatus.NOT_STARTED: "#9e9e9e",
    NO_REPORT: "#e0e0e0",
}


def status_label(t: Translator, key: str) -> str:
    if key == NO_REPORT:
        return t._(NO_REPORT_LABEL)
    return t._(progress.STATUS_LABELS[ProgressStatus(key)])


def _line(t: Translator, row: DigestRow, due: bool = True) -> str:
    owners = ", ".join(row.owners) or t._("no owner")
    when = f" · {t._('due {date}').format(date=t.date(row.due))}" if due and row.due else ""
    return f"\n• {row.label} — {owners}{when}"


def render(t: Translator, digest: Digest) -> list[Part]:
    """The digest as text parts (split cleanly when sent)."""
    at = t.date(digest.at.date())
    parts: list[Part] = [
        bold("📊 " + t._("Digest of {school}, {date}").format(school=digest.school_name, date=at)),
        plain(
            "\n"
            + t.ngettext(
                "School year {year}: {n} row in the plan.",
                "School year {year}: {n} rows in the plan.",
                digest.total,
            ).format(year=digest.school_year, n=digest.total)
        ),
    ]
    for key in KEYS:
        parts.append(plain(f"\n• {status_label(t, key).capitalize()}: {digest.counts[key]}"))
    if digest.indicator_14 is not None:  # a TT57-2026 plan
        done, total = digest.indicator_14
        parts.append(
            plain(
                "\n🎯 "
                + t.ngettext(
                    "Criterion 1.4: {done}/{total} improvement task completed",
                    "Criterion 1.4: {done}/{total} improvement tasks completed",
                    total,
                ).format(done=done, total=total)
            )
        )
    if digest.overdue:
        parts.append(bold("\n\n⏰ " + t._("Overdue ({n}):").format(n=len(digest.overdue))))
        parts += [plain(_line(t, r)) for r in digest.overdue]
    else:
        parts.append(plain("\n\n✅ " + t._("Nothing is overdue.")))
    if digest.difficulties:
        parts.append(bold("\n\n⚠️ " + t._("Difficulties ({n}):").format(n=len(digest.difficulties))))
        for row in digest.difficulties:
            parts.append(plain(_line(t, row, due=False)))
            if row.text:
                parts.append(italic(f"\n   “{row.text}”"))
    if digest.silent:
        parts.append(
            bold(
                "\n\n🔇 "
                + t._("No report since {date} ({n}):").format(
                    date=t.date(digest.silent_since), n=len(digest.silent)
                )
            )
        )
        parts += [plain(_line(t, r, due=False)) for r in digest.silent]
    parts.append(
        plain(
            "\n\n💰 " + t._("Budget planned: {amount}.").format(amount=t.money(digest.budget_vnd))
        )
    )
    if digest.budget_unread:
        parts.append(
            italic(
                " "
                + t.ngettext(
                    "({n} row's budget could not be read as an amount.)",
                    "({n} rows' budgets could not be read as amounts.)",
                    digest.budget_unread,
                ).format(n=digest.budget_unread)
            )
        )
    if digest.not_joined:
        parts.append(
            plain(
                "\n👤 "
                + t._("Not on Telegram yet (they get no reminders): {names}.").format(
                    names=", ".join(digest.not_joined)
                )
            )
        )
    if digest.on_leave:
        parts.append(
            plain("\n🏖 " + t._("On leave: {names}.").format(names=", ".join(digest.on_leave)))
        )
    return parts


def chart_in(language: str, digest: Digest) -> bytes:
    """The chart in one language (what a worker process is given: no translator object)."""
    return chart_png(translator(language), digest)


def chart_png(t: Translator, digest: Digest) -> bytes:
    """Rows by status per standard: horizontal stacked bars, as a PNG of about 800×450."""
    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    standards = list(digest.by_standard) or [0]
    names = [t._("Standard {n}").format(n=s) if s else t._("Level 4, other") for s in standards]
    left = [0] * len(standards)
    for key in KEYS:
        values = [digest.by_standard.get(s, {}).get(key, 0) for s in standards]
        axes.barh(names, values, left=left, color=COLOURS[key], label=status_label(t, key))
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel(t._("rows"))
    axes.set_title(
        t._("{school}: rows by status, {date}").format(
            school=digest.school_name, date=t.date(digest.at.date())
        )
    )
    whole_rows = AutoLocator()  # the default x locator, made explicit to set it to integers
    whole_rows.set_params(integer=True)
    axes.xaxis.set_major_locator(whole_rows)
    axes.legend(loc="lower right", fontsize="small")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()
