"""/report: an owner reports progress on one of their rows: status → a few words → evidence.

The report is stored when the status is chosen; the text and each file are added as they
come, so nothing is lost if the person stops half-way. After "gặp khó khăn" the question is
about the difficulty; the answer (or none, on /skip or /cancel) goes to the principal and
vice-principals at once, at any hour (silently at night: see bot/runtime/sender.py), and the
teacher is told it was passed on.
"""

from __future__ import annotations

import logging

from bot.domain.permissions import MANAGERS
from bot.services import members, outbox, owners, plans, progress
from bot.services.chatstate import enter, leave
from bot.services.files import MAX_EVIDENCE_BYTES, FileStore
from bot.ui.render import echo, short_row
from bot.ui.views import Button, View, bold, italic, plain
from conversations import registry
from conversations.base import Turn, file_refusal, flow_button, parse_number, stale_button
from db.models import PlanRow, ProgressReport, ProgressStatus, RowStatus

log = logging.getLogger(__name__)

FLOW = "progress"
PREFIX = "g:"
STEP_ROW, STEP_STATUS, STEP_TEXT, STEP_FILES = "row", "status", "text", "files"
STATUSES = (
    ProgressStatus.NOT_STARTED,
    ProgressStatus.IN_PROGRESS,
    ProgressStatus.DONE,
    ProgressStatus.DIFFICULTY,
)


def _cb(turn: Turn, *parts: str) -> str:
    return PREFIX + ":".join([*parts, str(turn.state.version)])


def _may_report(turn: Turn, row: PlanRow) -> bool:
    member = turn.member
    return member is not None and (
        member.role in MANAGERS or any(o.member_id == member.id for o in row.owners)
    )


def _row(turn: Turn) -> PlanRow | None:
    row_id = (turn.state.data or {}).get("row_id")
    row = plans.get_row(turn.session, turn.school.id, int(row_id)) if row_id else None
    return row if row is not None and row.status == RowStatus.ACTIVE else None


def _report(turn: Turn) -> ProgressReport | None:
    report_id = (turn.state.data or {}).get("report_id")
    report = turn.session.get(ProgressReport, int(report_id)) if report_id else None
    row = _row(turn)
    return report if report is not None and row is not None and report.row_id == row.id else None


def on_report(turn: Turn) -> list[View]:
    """List the member's rows to report on."""
    t = turn.t
    assert turn.member is not None
    rows = owners.rows_owned(turn.session, turn.member)
    if not rows:
        return [View([bold(t._("No rows are assigned to you yet."))])]
    enter(turn.state, FLOW, STEP_ROW, row_id=None, report_id=None, period=None)
    return prompt(turn)


@registry.report_on_row.provide
def start_on_row(turn: Turn, row_id: int, period: str = "any") -> list[View]:
    """Report on one row straight away (the button on a reminder)."""
    t = turn.t
    row = plans.get_row(turn.session, turn.school.id, row_id)
    if row is None or row.status != RowStatus.ACTIVE or not _may_report(turn, row):
        log.info("refused report on row %s for member %s", row_id, turn.member and turn.member.id)
        return [View([bold(t._("You may not report on this row."))], toast=t._("Not allowed"))]
    enter(turn.state, FLOW, STEP_STATUS, row_id=row.id, report_id=None, period=period)
    return prompt(turn)


def prompt(turn: Turn) -> list[View]:
    t = turn.t
    step = turn.state.step
    if step == STEP_ROW:
        assert turn.member is not None
        rows = owners.rows_owned(turn.session, turn.member)
        buttons = [[Button(short_row(t, r), _cb(turn, "r", str(r.id)))] for r in rows[:30]]
        return [View([bold(t._("Which row do you report on?"))], buttons)]
    row = _row(turn)
    if row is None:
        leave(turn.state)
        return [View([bold(t._("This row was not found (it may have been deleted)."))])]
    head = f"{short_row(t, row, 120)}\n"
    if step == STEP_STATUS:
        buttons = [
            [Button(t._(progress.STATUS_LABELS[s]).capitalize(), _cb(turn, "s", s))]
            for s in STATUSES
        ]
        return [View([plain(head), bold(t._("Where does it stand?"))], buttons)]
    if step == STEP_TEXT:
        report = _report(turn)
        difficulty = report is not None and report.status == ProgressStatus.DIFFICULTY
        question = (
            t._("What difficulty are you facing? (or /skip)")
            if difficulty
            else t._("A few words on what was done (or /skip).")
        )
        return [
            View(
                [
                    plain(head),
                    bold(question),
                    italic("\n" + t._("/back: previous question · /cancel: stop")),
                ]
            )
        ]
    report = _report(turn)
    count = len(report.evidence) if report else 0
    words = (
        [italic(t._("Your words:") + " "), *echo(t, report.text), plain("\n\n")]
        if report and report.text
        else []
    )
    return [
        View(
            [
                plain(head),
                *words,
                bold(
                    t._(
                        "Send photos or files as evidence (PDF, DOCX, XLSX…), "
                        "several if you like; then press Done."
                    )
                ),
                italic(
                    "\n"
                    + t.ngettext("{n} file received.", "{n} files received.", count).format(n=count)
                ),
            ],
            [[Button("✅ " + t._("Done"), _cb(turn, "d"))]],
        )
    ]


def on_callback(turn: Turn) -> list[View]:
    """A row, a status, or Done; checked against the step and the row's owners."""
    t = turn.t
    pressed = flow_button(turn, PREFIX, FLOW)
    if pressed is None:
        return stale_button(turn, FLOW, prompt)
    action, args = pressed
    row_id = parse_number(args[0]) if args else None
    if action == "r" and turn.state.step == STEP_ROW and row_id is not None:
        row = plans.get_row(turn.session, turn.school.id, row_id)
        if row is None or row.status != RowStatus.ACTIVE or not _may_report(turn, row):
            log.info(
                "refused report on row %s for member %s", args[0], turn.member and turn.member.id
            )
            return [View([bold(t._("You may not report on this row."))], toast=t._("Not allowed"))]
        enter(turn.state, FLOW, STEP_STATUS, row_id=row.id)
        return prompt(turn)
    row = _row(turn)
    if row is None or not _may_report(turn, row):
        leave(turn.state)
        return [View([bold(t._("You may not report on this row."))])]
    if action == "s" and turn.state.step == STEP_STATUS and args and args[0] in set(STATUSES):
        period = (turn.state.data or {}).get("period") or "any"
        report = progress.add_report(turn.session, row, turn.member, args[0], None, period)
        enter(turn.state, FLOW, STEP_TEXT, report_id=report.id)
        return prompt(turn)
    if action == "d" and turn.state.step == STEP_FILES:
        return _finish(turn)
    return [View([bold(t._("This button is no longer valid."))]), *prompt(turn)]


def on_text(turn: Turn) -> list[View]:
    if turn.state.step != STEP_TEXT:
        return [View([bold(turn.t._("Please choose with the buttons."))]), *prompt(turn)]
    report = _report(turn)
    if report is None:
        return prompt(turn)
    report.text = turn.incoming.text or ""
    return _after_text(turn, report)


def _after_text(turn: Turn, report: ProgressReport) -> list[View]:
    enter(turn.state, FLOW, STEP_FILES)
    told = _tell_managers(turn, report) if report.status == ProgressStatus.DIFFICULTY else []
    return told + prompt(turn)


def _tell_managers(turn: Turn, report: ProgressReport) -> list[View]:
    """ "Gặp khó khăn": the principal and vice-principals hear of it at once, at any hour,
    through the outbox (the one sender: rate limits, retries, someone who blocked the bot);
    once per report. The teacher is told who it was passed on to."""
    t = turn.t
    row = _row(turn)
    assert row is not None and turn.member is not None
    told: list[str] = []
    for member in members.members(turn.session, turn.school.id):
        if member.role not in MANAGERS or member.id == turn.member.id:
            continue
        told.append(member.display_name)
        outbox.enqueue(
            turn.session,
            key=f"{outbox.DIFFICULTY}:{row.id}:{member.id}:r{report.id}",
            school_id=turn.school.id,
            kind=outbox.DIFFICULTY,
            row_id=row.id,
            member_id=member.id,
            day=turn.now.date(),
            send_at=turn.now,
            data={"report_id": report.id},
        )
    turn.wake_sender = True
    if not told:
        return []
    text = t._("Your difficulty has been passed on to {names}.").format(names=", ".join(told))
    return [View([bold("📨 " + text)])]


def on_file(turn: Turn) -> list[View]:
    """A photo or file sent as evidence: kept on disk at once, with the words sent with it.

    Sent when the few words are asked for, it is taken as evidence too, and its caption as
    those words (nothing the owner sent is dropped)."""
    t = turn.t
    incoming = turn.incoming
    report = _report(turn)
    step = turn.state.step
    if step not in (STEP_TEXT, STEP_FILES) or report is None:
        return [View([bold(t._("Please answer with a text message."))]), *prompt(turn)]
    refusal = file_refusal(turn, MAX_EVIDENCE_BYTES)
    if refusal is not None or incoming.file_bytes is None:
        return [View([bold(refusal or "")]), *prompt(turn)]
    store = FileStore(turn.settings.files_dir)
    caption = (incoming.caption or "").strip() or None
    progress.add_evidence(
        turn.session,
        store,
        report,
        turn.school.id,
        incoming.file_name or "file",
        incoming.file_mime,
        incoming.file_bytes,
        incoming.file_id,
        caption=incoming.caption,
    )
    turn.session.refresh(report)
    if step == STEP_TEXT:
        if caption and not report.text:
            report.text = caption[:4096]
        return _after_text(turn, report)
    enter(turn.state, FLOW, STEP_FILES)
    return prompt(turn)


def _finish(turn: Turn) -> list[View]:
    t = turn.t
    report = _report(turn)
    leave(turn.state)
    if report is None:
        return [View([bold(t._("Stopped. Nothing else was changed."))])]
    status = t._(progress.STATUS_LABELS[ProgressStatus(report.status)])
    done = t.ngettext(
        "Report saved: {status}, {n} file.",
        "Report saved: {status}, {n} files.",
        len(report.evidence),
    ).format(status=status, n=len(report.evidence))
    return [View([bold("✅ " + done)], edit=True)]


def skip(turn: Turn) -> list[View]:
    report = _report(turn)
    if turn.state.step == STEP_TEXT and report is not None:
        return _after_text(turn, report)
    if turn.state.step == STEP_FILES:
        return _finish(turn)
    return [View([bold(turn.t._("Please choose with the buttons."))]), *prompt(turn)]


def go_back(turn: Turn) -> list[View]:
    back = {STEP_FILES: STEP_TEXT, STEP_TEXT: STEP_STATUS, STEP_STATUS: STEP_ROW}
    enter(turn.state, FLOW, back.get(turn.state.step or "", STEP_ROW))
    return prompt(turn)


def cancel(turn: Turn) -> list[View]:
    report = _report(turn)
    told: list[View] = []
    if (
        report is not None
        and report.status == ProgressStatus.DIFFICULTY
        and turn.state.step == STEP_TEXT
    ):
        told = _tell_managers(turn, report)  # stopped before saying more: it still goes
    leave(turn.state)
    if report is not None:
        return [View([bold(turn.t._("Stopped. What you reported so far is kept."))]), *told]
    return [View([bold(turn.t._("Stopped. Nothing else was changed."))])]


registry.add_flow(registry.Flow(FLOW, prompt, on_text, skip, go_back, cancel, on_file))
