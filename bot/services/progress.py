"""Progress reports on rows and their evidence: what owners said, and the latest status.

The end-of-year report and the evidence archive (`bot.documents.report`) are written from
`RowProgress`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from bot.core.i18n import N_
from bot.services.files import FileStore
from bot.services.plans import owners_text
from db.models import Evidence, Member, PlanRow, ProgressReport, ProgressStatus

STATUS_LABELS = {
    ProgressStatus.NOT_STARTED: N_("not started"),
    ProgressStatus.IN_PROGRESS: N_("in progress"),
    ProgressStatus.DONE: N_("done"),
    ProgressStatus.DIFFICULTY: N_("having difficulties"),
}


STATUS_VI = {
    ProgressStatus.NOT_STARTED: "Chưa thực hiện",
    ProgressStatus.IN_PROGRESS: "Đang thực hiện",
    ProgressStatus.DONE: "Hoàn thành",
    ProgressStatus.DIFFICULTY: "Gặp khó khăn",
    None: "Chưa có báo cáo",
}


def status_vi(status: str | None) -> str:
    """A stored status as the documents write it ("Hoàn thành"); one not known here, as stored.

    `ProgressReport.status` is a plain string column: it is turned into a `ProgressStatus`
    before looking it up (a str is not a key of a StrEnum-keyed table, to the type checker).
    """
    if status is None:
        return STATUS_VI[None]
    return STATUS_VI[ProgressStatus(status)] if status in STATUS_VI else status


@dataclass(frozen=True)
class RowProgress:
    row: PlanRow
    owners: str
    reports: list[ProgressReport]  # oldest first

    @property
    def status(self) -> str | None:
        return self.reports[-1].status if self.reports else None


def add_report(
    session: Session,
    row: PlanRow,
    member: Member | None,
    status: str,
    text: str | None,
    period: str = "any",
) -> ProgressReport:
    """Store a report (its files come one by one with `add_evidence`)."""
    report = ProgressReport(
        row_id=row.id,
        member_id=member.id if member else None,
        period=period,
        status=ProgressStatus(status),
        text=text,
    )
    session.add(report)
    session.flush()
    return report


def add_evidence(
    session: Session,
    store: FileStore,
    report: ProgressReport,
    school_id: int,
    name: str,
    mime: str | None,
    content: bytes,
    telegram_file_id: str | None = None,
    caption: str | None = None,
) -> Evidence:
    """Keep a file on disk and record it on the report, with the words sent with it (the
    caption, verbatim); what Telegram says about the file is cut to the columns' lengths:
    PostgreSQL refuses longer values."""
    path, digest = store.save(school_id, report.row_id, name, content)
    evidence = Evidence(
        report_id=report.id,
        file_name=name[:255],
        caption=caption[:4096] if caption and caption.strip() else None,
        mime_type=mime[:100] if mime else None,
        size=len(content),
        sha256=digest,
        path=path,
        telegram_file_id=telegram_file_id[:200] if telegram_file_id else None,
    )
    session.add(evidence)
    session.flush()
    return evidence


def reports_of(session: Session, row_id: int) -> list[ProgressReport]:
    return list(
        session.scalars(
            select(ProgressReport)
            .where(ProgressReport.row_id == row_id)
            .order_by(ProgressReport.created_at, ProgressReport.id)
            # loaded now: the report is written after the transaction, in another process
            .options(selectinload(ProgressReport.member), selectinload(ProgressReport.evidence))
        )
    )


def latest_statuses(session: Session, row_ids: list[int]) -> dict[int, str]:
    """Each row's latest reported status (rows with no report are left out), in one query."""
    found: dict[int, str] = {}
    for start in range(0, len(row_ids), 20_000):
        ids = row_ids[start : start + 20_000]
        newest = (
            select(func.max(ProgressReport.id))
            .where(ProgressReport.row_id.in_(ids))
            .group_by(ProgressReport.row_id)
        )
        for row_id, status in session.execute(
            select(ProgressReport.row_id, ProgressReport.status).where(
                ProgressReport.id.in_(newest)
            )
        ):
            found[row_id] = status
    return found


def latest_statuses_in(session: Session, rows: ColumnElement[bool]) -> dict[int, str]:
    """Like `latest_statuses`, for the rows matching a condition on PlanRow (no id list)."""
    newest = (
        select(func.max(ProgressReport.id))
        .join(PlanRow, PlanRow.id == ProgressReport.row_id)
        .where(rows)
        .group_by(ProgressReport.row_id)
    )
    return {
        row_id: status
        for row_id, status in session.execute(
            select(ProgressReport.row_id, ProgressReport.status).where(
                ProgressReport.id.in_(newest)
            )
        )
    }


def last_report_times(session: Session, rows: ColumnElement[bool]) -> dict[int, dt.datetime]:
    """When each of the rows matching a condition on PlanRow was last reported on."""
    return {
        row_id: at
        for row_id, at in session.execute(
            select(ProgressReport.row_id, func.max(ProgressReport.created_at))
            .join(PlanRow, PlanRow.id == ProgressReport.row_id)
            .where(rows)
            .group_by(ProgressReport.row_id)
        )
    }


def latest_status(reports: list[ProgressReport]) -> str | None:
    return reports[-1].status if reports else None


def last_text_per_owner(reports: list[ProgressReport]) -> list[ProgressReport]:
    """Each member's last report (in the order they last reported)."""
    last: dict[int | None, ProgressReport] = {}
    for report in reports:
        last.pop(report.member_id, None)
        last[report.member_id] = report
    return list(last.values())


def row_progress(session: Session, plan_id: int, rows: list[PlanRow]) -> list[RowProgress]:
    """Each row of the plan with its owners and its reports, for the end-of-year report."""
    return [
        RowProgress(
            row=row,
            owners=owners_text(row),
            reports=reports_of(session, row.id),
        )
        for row in rows
    ]


def status_labels(session: Session, rows: list[PlanRow]) -> dict[int, str]:
    """Each row's latest status as the documents write it ("Hoàn thành", "Chưa có báo cáo")."""
    return {row.id: status_vi(latest_status(reports_of(session, row.id))) for row in rows}
