"""A specialist's side of the unit, in the running bot: the weekly unit digest and the review
summary through the one sender (emulator), a 403 from a specialist, and /export (the slot
`registry.unit_export`: the roll-up XLSX and the ZIP, made by the workshop) with its access
rules. Seeded with tests/unit_seed.py (hand counts in its docstring)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.core.i18n import translator
from bot.runtime.frame import SERVICES
from bot.services import units
from bot.services.members import TelegramUser, upsert_person
from bot.ui.views import make_now
from conversations import registry
from conversations.base import Incoming, Turn
from db.models import (
    ChatState,
    OutboxItem,
    Person,
    School,
    SupervisingUnit,
    UnitMember,
    UnitView,
)
from tests.conftest import TOKEN
from tests.handlers.conftest import WORKSHOP
from tests.unit_seed import (
    AT,
    MAI,
    NAM,
    SCHOOL_A,
    SCHOOL_B,
    SCHOOL_C,
    SCHOOL_D,
    UNIT_1,
    VINH,
    local,
    seed,
)


def specialists_known(harness):
    for telegram_id, name in ((MAI, "Mai"), (NAM, "Nam"), (VINH, "Vinh")):
        harness.user(telegram_id, name)


def units_running_at(harness, moment):
    harness.clock.set(moment)
    with harness.db.transaction() as session:
        session.execute(update(SupervisingUnit).values(materialised_until=moment))
        session.execute(update(School).values(materialised_until=moment))


async def test_the_weekly_unit_digest_reaches_each_specialist_with_its_chart(harness):
    seed(harness.db)
    specialists_known(harness)
    units_running_at(harness, AT - dt.timedelta(minutes=1))
    await harness.tick(minutes=2)
    [digest] = harness.core.messages(TOKEN, MAI)
    assert "photo" in digest
    caption = digest["caption"]
    assert "Bản tin tuần của Phòng Văn hóa – Xã hội phường Hoàn Kiếm, 18/01/2027" in caption
    assert caption.index(SCHOOL_C) < caption.index(SCHOOL_A) < caption.index(SCHOOL_B)
    assert "1/4 hoàn thành · quá hạn 2 · khó khăn 1 · 1.4: 1/4" in caption
    assert SCHOOL_D not in caption
    [nam] = harness.core.messages(TOKEN, NAM)
    assert SCHOOL_D in nam["caption"] and SCHOOL_A not in nam["caption"]
    [vinh] = harness.core.messages(TOKEN, VINH)
    assert all(s in vinh["caption"] for s in (SCHOOL_A, SCHOOL_B, SCHOOL_C, SCHOOL_D))
    with harness.db.transaction() as session:
        states = session.execute(
            select(OutboxItem.kind, OutboxItem.state).where(OutboxItem.unit_id.is_not(None))
        ).all()
    assert states == [("unit_digest", "sent")] * 3
    # An hour later nothing more: one a week.
    await harness.tick(hours=1)
    assert len(harness.core.messages(TOKEN, MAI)) == 1


async def test_the_unit_digest_waits_out_the_units_quiet_hours(harness):
    seed(harness.db)
    specialists_known(harness)
    with harness.db.transaction() as session:
        for unit in session.scalars(select(SupervisingUnit)):
            unit.settings = {"digest_time": "06:00"}  # before quiet hours end (07:00)
    units_running_at(harness, local(2027, 1, 18, 5, 59))
    await harness.tick(minutes=2)
    assert harness.core.messages(TOKEN, MAI) == []
    await harness.tick(hours=1)  # 07:01
    [digest] = harness.core.messages(TOKEN, MAI)
    assert "photo" in digest


async def test_a_specialist_who_blocked_the_bot_is_marked_and_skipped(harness):
    seeded = seed(harness.db)
    specialists_known(harness)
    harness.core.block(TOKEN, MAI)
    units_running_at(harness, AT - dt.timedelta(minutes=1))
    await harness.tick(minutes=2)
    with harness.db.transaction() as session:
        mai = session.get(UnitMember, seeded.specialists[MAI])
        assert mai.unreachable_at is not None
        assert (
            session.scalar(select(OutboxItem.reason).where(OutboxItem.unit_member_id == mai.id))
            == "blocked"
        )
    assert len(harness.core.messages(TOKEN, VINH)) == 1  # the others still get theirs
    units_running_at(harness, local(2027, 1, 25, 7, 59))
    await harness.tick(minutes=2)
    with harness.db.transaction() as session:
        reasons = session.scalars(
            select(OutboxItem.reason)
            .where(OutboxItem.unit_member_id == seeded.specialists[MAI])
            .order_by(OutboxItem.id)
        ).all()
    assert reasons == ["blocked", "unreachable"]


async def test_the_review_summary_reaches_the_province(harness):
    seed(harness.db)
    specialists_known(harness)
    units_running_at(harness, local(2027, 1, 24, 7, 59))
    await harness.tick(minutes=2)
    [summary] = harness.core.messages(TOKEN, VINH)
    assert "Đánh giá cuối học kỳ I: Sở GD&ĐT Hà Nội, 24/01/2027" in summary["text"]
    assert "Đã đánh giá (1):\n• Trường THCS Sóc Sơn" in summary["text"]


def turn_of(harness, session, telegram_id):
    """What the frame gives a handler for this person's private chat (the slot is called by
    the specialist's /export or the button of /schools)."""
    person = session.scalar(select(Person).where(Person.telegram_user_id == telegram_id))
    return Turn(
        session=session,
        settings=harness.app.bot_data[SERVICES].settings,
        person=person,
        member=None,
        state=ChatState(chat_id=telegram_id, telegram_user_id=telegram_id),
        t=translator("vi"),
        incoming=Incoming(1, telegram_id, "private", TelegramUser(telegram_id, "x"), "/export"),
        now=AT,
    )


def export(harness, telegram_id, specialist_id, workshop=None):
    """The slot's views, with their documents made after the commit (by the bot's workshop,
    in another process, when given: what it is handed must travel there)."""
    with harness.db.transaction() as session:
        specialist = session.get(UnitMember, specialist_id)
        views = registry.unit_export(turn_of(harness, session, telegram_id), specialist)
    return workshop.make_blocking(views) if workshop else make_now(views)


def text_of(view):
    return "".join(p[1] for p in view.parts)


async def test_export_gives_the_rollup_and_the_reports_of_the_linked_schools(harness):
    seeded = seed(harness.db)
    xlsx, zipped = export(harness, MAI, seeded.specialists[MAI], WORKSHOP)
    assert text_of(xlsx) == (
        "Tổng hợp 3 trường của Phòng Văn hóa – Xã hội phường Hoàn Kiếm ngày 18/01/2027: "
        "7 dòng kế hoạch."
    )
    name, content = xlsx.document
    assert name == "tong-hop-2027-01-18.xlsx"
    book = load_workbook(io.BytesIO(content))
    schools = [r[1] for r in book["Trường"].iter_rows(min_row=3, values_only=True)]
    assert schools == [SCHOOL_C, SCHOOL_A, SCHOOL_B]
    assert book["Các dòng"].max_row == 2 + 7
    assert text_of(zipped) == (
        "Báo cáo cuối năm của 2 trường, mỗi trường một tệp DOCX.\n"
        f"Chưa có kế hoạch năm học này: {SCHOOL_C}."
    )
    name, content = zipped.document
    assert name == "bao-cao-cuoi-nam-2027-01-18.zip"
    assert len(zipfile.ZipFile(io.BytesIO(content)).namelist()) == 3
    with harness.db.transaction() as session:
        seen = session.execute(
            select(UnitView.school_id, UnitView.what, UnitView.unit_member_id)
        ).all()
    assert sorted(seen) == sorted(
        (seeded.schools[s], "export", seeded.specialists[MAI])
        for s in (SCHOOL_A, SCHOOL_B, SCHOOL_C)
    )


async def test_export_after_unlinking_and_after_removal(harness):
    seeded = seed(harness.db)
    with harness.db.transaction() as session:
        unit = session.get(SupervisingUnit, seeded.units[UNIT_1])
        units.unlink(session, unit, session.get(School, seeded.schools[SCHOOL_A]))
    xlsx, zipped = export(harness, MAI, seeded.specialists[MAI])
    content = xlsx.document[1]
    book = load_workbook(io.BytesIO(content))
    assert [r[1] for r in book["Trường"].iter_rows(min_row=3, values_only=True)] == [
        SCHOOL_C,
        SCHOOL_B,
    ]
    assert all(r[1] != SCHOOL_A for r in book["Các dòng"].iter_rows(min_row=3, values_only=True))
    names = zipfile.ZipFile(io.BytesIO(zipped.document[1])).namelist()
    assert not any(SCHOOL_A in n for n in names)
    # Another person pressing the export with Mai's specialist record: refused.
    [refused] = export(harness, VINH, seeded.specialists[MAI])
    assert text_of(refused) == (
        "Chỉ chuyên viên của đơn vị mới xuất được tổng hợp các trường của đơn vị."
    )
    with harness.db.transaction() as session:
        units.remove_specialist(session, session.get(UnitMember, seeded.specialists[MAI]))
    [refused] = export(harness, MAI, seeded.specialists[MAI])
    assert refused.document is None and "Chỉ chuyên viên" in text_of(refused)
    with harness.db.transaction() as session:
        person = upsert_person(session, TelegramUser(MAI, "Mai"))
        assert units.specialist_of(session, person) is None
        assert (
            session.scalar(
                select(UnitView.id).where(UnitView.school_id == seeded.schools[SCHOOL_A])
            )
            is None
        )  # nothing of the unlinked school was ever shown
