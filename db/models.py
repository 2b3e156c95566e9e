"""SQLAlchemy 2 models. Portable across SQLite and PostgreSQL (no dialect-specific types).

What a school wrote is stored verbatim in `*_text` columns; what the bot understood sits
beside it (dates, amounts, codes, flags) and never replaces it.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class AwareDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware datetimes only: stored as UTC, returned aware (SQLite drops offsets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use an aware datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class Role(enum.StrEnum):
    PRINCIPAL = "principal"
    VICE_PRINCIPAL = "vice_principal"
    COUNCIL = "council"
    STAFF = "staff"
    MONITOR = "monitor"


class RowStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    DELETED = "deleted"


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(20))  # mam_non, tieu_hoc, thcs, thpt, nhieu_cap
    regulation: Mapped[str] = mapped_column(String(30))  # catalog code, e.g. "TT18-2018"
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    # The school's schedule settings (send time, quiet hours, holidays...); see bot/settings.py.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A group chat the principal linked with /linkgroup: digests are posted there too.
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # Everything due up to this moment has been written to the outbox (None: never yet).
    materialised_until: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)

    members: Mapped[list[Member]] = relationship(back_populates="school")
    plans: Mapped[list[Plan]] = relationship(back_populates="school")


class Person(Base):
    """A Telegram account that has talked to the bot."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    # Chosen with /language; None means "follow Telegram's language".
    language: Mapped[str | None] = mapped_column(String(8))
    active_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)


class Member(Base):
    """A person's place in one school: name, role and position title."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("school_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    display_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # On leave up to and including this day: no nudges, not counted late.
    on_leave_until: Mapped[dt.date | None] = mapped_column(Date)
    # Set when Telegram answered 403 (the person blocked the bot); cleared when they write again.
    unreachable_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)

    school: Mapped[School] = relationship(back_populates="members")
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])


class Invite(Base):
    """A join code (deep-link payload) bound to a school and a role."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    # A personal code binds this member; otherwise a new member is created on use.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    used_count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    created_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("school_id", "school_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    school_year: Mapped[str] = mapped_column(String(9))  # "2026-2027"
    regulation: Mapped[str] = mapped_column(String(30))
    # The layout the plan is written in, for good (bot/domain/templates.py): "2018" (nine
    # columns) or "TT57-2026" (Biểu 2); set from the school's regulation when the plan starts.
    template: Mapped[str] = mapped_column(String(20), default="2018", server_default="2018")
    # Sections a school wrote itself (I, II, III, VII, VIII of Biểu 2, as imported), verbatim:
    # {"general": [paragraph, ...], ...}; a section not here is written from the template.
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)

    school: Mapped[School] = relationship(back_populates="plans")
    rows: Mapped[list[PlanRow]] = relationship(back_populates="plan", order_by="PlanRow.position")


class PlanRow(Base):
    """One row of the nine-column table. A draft is a row with status 'draft'."""

    __tablename__ = "plan_rows"
    __table_args__ = (Index("ix_plan_rows_plan_status_position", "plan_id", "status", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default=RowStatus.DRAFT)
    position: Mapped[int | None] = mapped_column(Integer)  # 1-based across the plan when active
    block: Mapped[str | None] = mapped_column(String(4))  # "M123" or "M4"
    standard: Mapped[int | None] = mapped_column(Integer)
    criterion_code: Mapped[str | None] = mapped_column(String(16))  # "1.4", "M4.3"
    criterion_text: Mapped[str | None] = mapped_column(Text)  # as written
    expected_result: Mapped[str | None] = mapped_column(Text)
    target_level: Mapped[int | None] = mapped_column(Integer)
    tasks: Mapped[str | None] = mapped_column(Text)
    lead_text: Mapped[str | None] = mapped_column(Text)
    timeline_text: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    timeline_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget_text: Mapped[str | None] = mapped_column(Text)
    budget_vnd: Mapped[int | None] = mapped_column(BigInteger)
    budget_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # "criterion_unmapped": carried over from a 2018 plan into a TT57 one without a criterion
    # the mapping knows (bot/data/criteria_mapping.yaml); the principal picks it.
    criterion_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    support: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # Biểu 2 (TT57-2026) columns with no 2018 counterpart, verbatim: (2) Nội dung cải tiến,
    # (5) Chỉ số đánh giá kết quả, (9) Minh chứng dự kiến, (10) Mức độ thực hiện as written (the
    # owners' statuses give it once they report). (3) Mục tiêu is `expected_result`, (4) Hoạt
    # động, giải pháp is `tasks`, (8) Nguồn lực is `budget_text`.
    content: Mapped[str | None] = mapped_column(Text)
    indicators: Mapped[str | None] = mapped_column(Text)
    expected_evidence: Mapped[str | None] = mapped_column(Text)
    implementation_text: Mapped[str | None] = mapped_column(Text)
    # The priority issue (section IV) the row answers.
    issue_id: Mapped[int | None] = mapped_column(
        ForeignKey("priority_issues.id", ondelete="SET NULL")
    )
    created_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        AwareDateTime(), default=utcnow, onupdate=utcnow
    )

    plan: Mapped[Plan] = relationship(back_populates="rows")
    owners: Mapped[list[RowOwner]] = relationship(
        back_populates="row", cascade="all, delete-orphan", order_by="RowOwner.id"
    )


class PriorityIssue(Base):
    """A priority issue of a TT57 plan (Biểu 2, section IV): the school's words verbatim, the
    standard and criterion understood beside them."""

    __tablename__ = "priority_issues"
    __table_args__ = (
        Index("ix_priority_issues_plan_status_position", "plan_id", "status", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default=RowStatus.ACTIVE)
    position: Mapped[int | None] = mapped_column(Integer)  # 1-based when active
    standard: Mapped[int | None] = mapped_column(Integer)
    standard_text: Mapped[str | None] = mapped_column(Text)  # as written ("Tiêu chuẩn 2: …")
    criterion_code: Mapped[str | None] = mapped_column(String(16))
    criterion_text: Mapped[str | None] = mapped_column(Text)  # as written, "" for none
    current_state: Mapped[str | None] = mapped_column(Text)
    limitations: Mapped[str | None] = mapped_column(Text)
    causes: Mapped[str | None] = mapped_column(Text)
    created_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        AwareDateTime(), default=utcnow, onupdate=utcnow
    )


class PlanReview(Base):
    """One monitoring row of a TT57 plan (Biểu 2, section VI): what the review at a checkpoint
    ("mid_year" = Cuối học kỳ I, "end_year" = Cuối năm học) found and adjusted, verbatim."""

    __tablename__ = "plan_reviews"
    __table_args__ = (UniqueConstraint("plan_id", "checkpoint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    checkpoint: Mapped[str] = mapped_column(String(16))
    content: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    adjustment: Mapped[str | None] = mapped_column(Text)
    evaluator: Mapped[str | None] = mapped_column(Text)
    evaluator_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        AwareDateTime(), default=utcnow, onupdate=utcnow
    )


class RowOwner(Base):
    __tablename__ = "row_owners"
    __table_args__ = (UniqueConstraint("row_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    row_id: Mapped[int] = mapped_column(ForeignKey("plan_rows.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)

    row: Mapped[PlanRow] = relationship(back_populates="owners")
    member: Mapped[Member] = relationship()


class RowHistory(Base):
    """Who changed what on a row, when: one entry per field changed."""

    __tablename__ = "row_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    row_id: Mapped[int] = mapped_column(ForeignKey("plan_rows.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(16))  # created, updated, deleted
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)

    member: Mapped[Member | None] = relationship()


class ChatState(Base):
    """Where one user is in a conversation in one chat; written before every reply."""

    __tablename__ = "chat_states"
    __table_args__ = (UniqueConstraint("chat_id", "telegram_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Bumped at every step; buttons carry it so a button from an old message is recognised.
    version: Mapped[int] = mapped_column(Integer, default=0)
    # Highest update processed for this user in this chat: a redelivered update is skipped.
    last_update_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(
        AwareDateTime(), default=utcnow, onupdate=utcnow
    )


class MembershipHistory(Base):
    """Who changed a membership or an invite, when, before → after."""

    __tablename__ = "membership_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    actor_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # joined, role, removed, invited, revoked
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)


class ProgressStatus(enum.StrEnum):
    NOT_STARTED = "not_started"  # chưa thực hiện
    IN_PROGRESS = "in_progress"  # đang thực hiện
    DONE = "done"  # hoàn thành
    DIFFICULTY = "difficulty"  # gặp khó khăn


class ProgressReport(Base):
    """An owner's report on a row for a period: status, a text, evidence files."""

    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    row_id: Mapped[int] = mapped_column(ForeignKey("plan_rows.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    period: Mapped[str] = mapped_column(String(16))  # mid_year, end_year, any
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)

    member: Mapped[Member | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="report", order_by="Evidence.id")


class Evidence(Base):
    """A file sent as evidence (minh chứng), kept by the bot (not only a Telegram file id)."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))  # as sent
    # The words the owner sent with the photo or file (Telegram's caption), verbatim.
    caption: Mapped[str | None] = mapped_column(Text)
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Where the bot keeps the file, relative to CAITIEN_FILES_DIR.
    path: Mapped[str] = mapped_column(String(500))
    telegram_file_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)

    report: Mapped[ProgressReport] = relationship(back_populates="evidence")


class UnitKind(enum.StrEnum):
    """Who follows a school from above (since 07/2025 there is no district Phòng GD&ĐT)."""

    COMMUNE = "commune"  # the commune's or ward's Phòng Văn hóa – Xã hội
    PROVINCE = "province"  # the Sở GD&ĐT


SUPERVISOR = "supervisor"  # the role of a unit's members (specialists, chuyên viên)


class SupervisingUnit(Base):
    """A commune/ward office or a Sở: its specialists see the plans of the schools linked to it
    (read-only); a principal links the school with the unit's `link_code`."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))
    link_code: Mapped[str] = mapped_column(String(32), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    # The unit's choices (digest day and time, quiet hours), as `School.settings`.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    materialised_until: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)

    members: Mapped[list[UnitMember]] = relationship(back_populates="unit")


class UnitMember(Base):
    """A specialist of a unit (role `supervisor`): joins with a one-use `invite_code`
    (`/start CODE`, as staff do); removed = inactive, and from then on sees nothing."""

    __tablename__ = "unit_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default=SUPERVISOR)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    invite_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    joined_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    unreachable_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)

    unit: Mapped[SupervisingUnit] = relationship(back_populates="members")
    person: Mapped[Person | None] = relationship()


class UnitSchool(Base):
    """A school linked to a unit; at most one unit of each kind per school (`kind` is the
    unit's, copied so the database keeps that rule). Unlinking deletes the row."""

    __tablename__ = "unit_schools"
    __table_args__ = (
        UniqueConstraint("school_id", "kind", name="uq_unit_schools_school_kind"),
        UniqueConstraint("unit_id", "school_id", name="uq_unit_schools_unit_school"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    linked_by_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    linked_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())


class UnitView(Base):
    """What a specialist opened of a school (who, what, when): the principal sees it."""

    __tablename__ = "unit_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    unit_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit_members.id", ondelete="SET NULL")
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(String(20))  # schools, plan, row, export, digest
    row_id: Mapped[int | None] = mapped_column(ForeignKey("plan_rows.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(AwareDateTime())


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class OutboxItem(Base):
    """One notification the bot sends on its own (a reminder, a prompt, a digest...).

    `key` is unique per (kind, row, member, planned day): writing the same item twice is a
    no-op. The text is made at send time, so it shows the row as it is then.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_send_at", "state", "send_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    # The school it is about; None for a unit's item (then unit_id and unit_member_id are set).
    school_id: Mapped[int | None] = mapped_column(
        ForeignKey("schools.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    unit_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit_members.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(20))
    row_id: Mapped[int | None] = mapped_column(ForeignKey("plan_rows.id", ondelete="CASCADE"))
    # The member it is for; None for a group chat (then chat_id is set when it is made).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    day: Mapped[dt.date] = mapped_column(Date)
    send_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    state: Mapped[str] = mapped_column(String(10), default=OutboxState.PENDING)
    reason: Mapped[str | None] = mapped_column(String(60))
    # Extra facts for the text (e.g. the member who blocked the bot, a report id).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # How many of the item's messages Telegram accepted (a digest is a chart and a text).
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        AwareDateTime(), default=utcnow, onupdate=utcnow
    )


class InboxUpdate(Base):
    """An update received from Telegram and not handled yet.

    Stored (in one commit per batch) before the batch is confirmed to Telegram, and deleted in
    the transaction of the turn that handles it: polling runs ahead of handling, a slow turn in
    one chat never delays the others, and a crash loses nothing (what is here at start is
    handled first)."""

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(AwareDateTime(), default=utcnow)
