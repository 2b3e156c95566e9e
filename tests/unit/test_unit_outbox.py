"""The units' items in the outbox (weekly unit digest, review summary), on the seeded unit of
tests/unit_seed.py: materialised per specialist on the unit's schedule, with the schools'
catch-up rules; what they say (text, chart) against the seed's hand counts."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image
from sqlalchemy import select, update

from bot.core.i18n import translator
from bot.domain import unit_settings
from bot.domain.school_settings import SchoolSettings
from bot.services import outbox, unit_digest, unit_reviews, units
from bot.services.members import TelegramUser, upsert_person
from bot.ui import notices, unit_digest_view
from bot.ui.views import make_now, messages
from db.models import OutboxItem, PlanReview, PlanRow, SupervisingUnit, UnitMember, UnitView
from tests.unit_seed import (
    AT,
    MAI,
    NAM,
    SCHOOL_A,
    SCHOOL_B,
    SCHOOL_C,
    SCHOOL_D,
    UNIT_1,
    UNIT_2,
    UNIT_3,
    VINH,
    local,
    seed,
)


def watermark(db, moment, unit_id=None):
    with db.transaction() as session:
        query = update(SupervisingUnit).values(materialised_until=moment)
        if unit_id is not None:
            query = query.where(SupervisingUnit.id == unit_id)
        session.execute(query)


def run(db, moment):
    with db.transaction() as session:
        return outbox.materialise_units(session, moment)


def items(db, kind=None):
    with db.transaction() as session:
        found = session.scalars(
            select(OutboxItem)
            .where(OutboxItem.unit_id.is_not(None))
            .order_by(OutboxItem.send_at, OutboxItem.unit_member_id)
        ).all()
        return [
            (i.kind, i.unit_member_id, i.send_at.astimezone(AT.tzinfo), i.state, i.reason)
            for i in found
            if kind is None or i.kind == kind
        ]


def test_one_digest_per_specialist_on_monday_at_8_and_never_twice(db):
    seeded = seed(db)
    watermark(db, AT - dt.timedelta(minutes=1))
    result = run(db, AT)
    mai, nam, vinh = (seeded.specialists[x] for x in (MAI, NAM, VINH))
    assert result.created == 3 and result.units == 3
    assert items(db) == [
        ("unit_digest", mai, AT, "pending", None),
        ("unit_digest", nam, AT, "pending", None),
        ("unit_digest", vinh, AT, "pending", None),
    ]
    with db.transaction() as session:
        found = session.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
        assert {(i.unit_id, i.school_id, i.member_id, i.chat_id) for i in found} == {
            (seeded.units[UNIT_1], None, None, MAI),
            (seeded.units[UNIT_2], None, None, NAM),
            (seeded.units[UNIT_3], None, None, VINH),
        }
        assert found[0].key == f"unit_digest:-:{mai}:2027-01-18"
    assert run(db, AT + dt.timedelta(minutes=5)).created == 0
    watermark(db, AT - dt.timedelta(minutes=1))  # the same moment again: the key holds
    assert run(db, AT).created == 0 and len(items(db)) == 3


def test_nothing_on_other_days_nor_on_the_first_run(db):
    seed(db)
    assert run(db, AT).created == 0  # the first run starts the schedule now
    assert items(db) == []
    watermark(db, local(2027, 1, 19, 8))
    assert run(db, local(2027, 1, 24, 7)).created == 0  # Tuesday to Sunday morning
    assert items(db) == []


def test_after_downtime_only_the_newest_digest_is_pending(db):
    seeded = seed(db)
    watermark(db, local(2027, 1, 1, 9))
    result = run(db, AT)
    mai = seeded.specialists[MAI]
    assert result.created == 9 and result.superseded == 6  # 04/01, 11/01, 18/01 × 3
    mine = [i for i in items(db) if i[1] == mai]
    assert mine == [
        ("unit_digest", mai, local(2027, 1, 4, 8), "skipped", "superseded"),
        ("unit_digest", mai, local(2027, 1, 11, 8), "skipped", "superseded"),
        ("unit_digest", mai, AT, "pending", None),
    ]


def test_none_for_a_removed_or_unjoined_specialist(db):
    seeded = seed(db)
    with db.transaction() as session:
        unit = session.get(SupervisingUnit, seeded.units[UNIT_1])
        units.add_specialist(session, unit, "Ngô Thị Hằng", AT)  # never sent /start CODE
        units.remove_specialist(session, session.get(UnitMember, seeded.specialists[NAM]))
    watermark(db, AT - dt.timedelta(minutes=1))
    run(db, AT)
    assert [i[1] for i in items(db)] == [seeded.specialists[MAI], seeded.specialists[VINH]]


def test_the_units_own_day_and_time_with_quiet_hours(db):
    seeded = seed(db)
    with db.transaction() as session:
        unit = session.get(SupervisingUnit, seeded.units[UNIT_1])
        # Tuesday 21:00 is in quiet hours (20:00-07:00): it waits for Wednesday 07:00.
        unit_settings.save(unit, SchoolSettings(digest_weekday=1, digest_time=dt.time(21, 0)))
        assert unit_settings.load(unit).digest_time == dt.time(21, 0)
        other = session.get(SupervisingUnit, seeded.units[UNIT_2])
        assert unit_settings.load(other).digest_time == dt.time(8, 0)  # the unit default
    watermark(db, AT + dt.timedelta(minutes=1))
    run(db, local(2027, 1, 20, 7, 1))
    assert items(db) == [
        ("unit_digest", seeded.specialists[MAI], local(2027, 1, 20, 7), "pending", None)
    ]


def test_the_whole_run_materialises_units_with_the_schools(db):
    seed(db)
    watermark(db, AT - dt.timedelta(minutes=1))
    with db.transaction() as session:
        result = outbox.materialise(session, AT)
        assert outbox.materialise(session, AT, school_ids=[]).units == 0  # schools only
    assert result.units == 3 and len(items(db, "unit_digest")) == 3


def test_the_review_summary_goes_a_week_after_the_schools_review_invitation(db):
    seeded = seed(db)
    with db.transaction() as session:
        rules = unit_settings.rules(session.get(SupervisingUnit, seeded.units[UNIT_1]))
    assert unit_settings.review_summary_days("2026-2027", rules) == {
        "mid_year": dt.date(2027, 1, 24),
        "end_year": dt.date(2027, 5, 29),
    }
    watermark(db, local(2027, 1, 24, 7))
    assert run(db, local(2027, 1, 24, 9)).created == 3
    assert {i[0] for i in items(db)} == {"unit_review"}


def prepared(db, item_id, moment):
    with db.transaction() as session:
        item = session.get(OutboxItem, item_id)
        found = notices.prepare(session, item, moment, "vi")
        if isinstance(found, str):
            return found
        return found.chat_id, make_now(found.views)


def test_the_digest_text_and_chart_for_the_seeded_unit(db):
    seeded = seed(db)
    watermark(db, AT - dt.timedelta(minutes=1))
    run(db, AT)
    with db.transaction() as session:
        item_id = session.scalar(
            select(OutboxItem.id).where(OutboxItem.unit_member_id == seeded.specialists[MAI])
        )
    chat_id, views = prepared(db, item_id, AT)
    assert chat_id == MAI and len(views) == 1
    (view,) = views
    text = "".join(p[1] for p in view.parts)
    # Attention order C (no plan), A (a difficulty), B; the seed's hand counts.
    assert text.index(SCHOOL_C) < text.index(SCHOOL_A) < text.index(SCHOOL_B)
    assert SCHOOL_D not in text  # unit 2's school
    assert "Bản tin tuần của Phòng Văn hóa – Xã hội phường Hoàn Kiếm, 18/01/2027" in text
    assert "1. Trường Mầm non Họa Mi — chưa có kế hoạch năm học này" in text
    assert "1/4 hoàn thành · quá hạn 2 · khó khăn 1 · 1.4: 1/4 · 2 người chưa báo cáo" in text
    assert "2/3 hoàn thành · quá hạn 0 · khó khăn 0 · 1.4: 2/3" in text
    assert "Toàn đơn vị: 3 trường, 2 trường có kế hoạch năm học này." in text
    # 7 rows: done 1 + 2, in progress 1 + 1, difficulty 1, not started 1.
    assert "7 dòng: hoàn thành 3, đang thực hiện 2, gặp khó khăn 1, chưa thực hiện 1." in text
    assert "Quá hạn: 2." in text and "Tiêu chí 1.4: 3/7 nhiệm vụ cải tiến hoàn thành." in text
    image = Image.open(io.BytesIO(view.photo))
    assert image.format == "PNG" and 600 <= image.width <= 1200 and 200 <= image.height <= 800
    (message,) = messages(view)  # the text fits the photo's caption
    assert message.photo == view.photo
    with db.transaction() as session:
        seen = session.scalars(select(UnitView.school_id).where(UnitView.what == "digest")).all()
    assert sorted(seen) == sorted(seeded.schools[s] for s in (SCHOOL_A, SCHOOL_B, SCHOOL_C))


def test_a_province_chart_shows_the_top_schools_and_says_how_many_more(db):
    seeded = seed(db)
    with db.transaction() as session:
        found = unit_digest.build(session, seeded.units[UNIT_3], AT)
    many = unit_digest.UnitDigest(
        found.unit_id, found.name, found.kind, found.at, found.schools * 10
    )
    t = translator("vi")
    small = unit_digest_view.chart_png(t, found)
    big = unit_digest_view.chart_png(t, many)
    assert Image.open(io.BytesIO(big)).height > Image.open(io.BytesIO(small)).height
    text = "".join(p[1] for p in unit_digest_view.render(t, many))
    assert "… và 10 trường khác (/schools liệt kê tất cả)." in text


def test_the_digest_is_skipped_for_a_removed_specialist_and_once_a_week(db):
    seeded = seed(db)
    watermark(db, AT - dt.timedelta(minutes=1))
    run(db, AT)
    with db.transaction() as session:
        first = session.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
        first[0].state, first[0].sent_at = "sent", AT
        units.remove_specialist(session, session.get(UnitMember, seeded.specialists[NAM]))
        ids = [i.id for i in first]
        # Another digest for Mai the same week (the unit changed its day): skipped.
        outbox._insert(
            session,
            [
                {
                    **outbox._values(
                        None, outbox._unit_item("unit_digest", 0, AT.date(), AT), "pending"
                    ),
                    "key": "unit_digest:-:again",
                    "member_id": None,
                    "unit_id": seeded.units[UNIT_1],
                    "unit_member_id": seeded.specialists[MAI],
                    "chat_id": MAI,
                }
            ],
        )
        again = session.scalar(select(OutboxItem.id).where(OutboxItem.key == "unit_digest:-:again"))
    assert prepared(db, ids[1], AT) == "removed"
    assert prepared(db, again, AT + dt.timedelta(days=2)) == "digest_this_week"
    with db.transaction() as session:
        person = upsert_person(session, TelegramUser(9100, "Hằng"))
        unit = session.get(SupervisingUnit, seeded.units[UNIT_1])
        newcomer = units.add_specialist(session, unit, "Ngô Thị Hằng", AT)
        assert person is not None
        session.get(OutboxItem, again).unit_member_id = newcomer.id
    assert prepared(db, again, AT) == "not_joined"


def test_the_review_summary_by_hand(db):
    seeded = seed(db)
    moment = local(2027, 1, 24, 8)
    with db.transaction() as session:
        found = unit_reviews.summary(session, seeded.units[UNIT_3], "mid_year", moment)
    # Since the prompt of 10/01: A's rows 3 and 4 are neither done nor reported (row 1 was
    # reported on 12/01, row 2 done on 05/01); B (Biểu 2) has not written its review; C has no
    # plan; D's one row was reported done on 11/01.
    by_name = {s.name: s for s in found.schools}
    assert [s.name for s in found.written] == [SCHOOL_D]
    assert {s.name for s in found.not_written} == {SCHOOL_A, SCHOOL_B}
    assert [s.name for s in found.no_plan] == [SCHOOL_C]
    assert (by_name[SCHOOL_A].reported, by_name[SCHOOL_A].waiting) == (1, 2)
    assert (by_name[SCHOOL_D].reported, by_name[SCHOOL_D].waiting) == (1, 0)
    with db.transaction() as session:
        row = session.get(PlanRow, seeded.rows[SCHOOL_B][0])
        session.add(
            PlanReview(
                plan_id=row.plan_id,
                checkpoint="mid_year",
                content="Hoàn thành 2/3 nhiệm vụ",
                evaluator="Hội đồng tự đánh giá",
            )
        )
    watermark(db, local(2027, 1, 24, 7))
    run(db, moment)
    with db.transaction() as session:
        item_id = session.scalar(
            select(OutboxItem.id).where(
                OutboxItem.unit_member_id == seeded.specialists[VINH],
                OutboxItem.kind == "unit_review",
            )
        )
        end = unit_reviews.summary(session, seeded.units[UNIT_3], "end_year", moment)
    # At the end of the year B's end-of-year review is still to write; D's row stays done.
    assert {s.name for s in end.not_written} == {SCHOOL_A, SCHOOL_B}
    assert [s.name for s in end.written] == [SCHOOL_D]
    chat_id, (view,) = prepared(db, item_id, moment)
    text = "".join(p[1] for p in view.parts)
    assert chat_id == VINH
    assert "Đánh giá cuối học kỳ I: Sở GD&ĐT Hà Nội, 24/01/2027" in text
    reviewed, rest = text.split("Chưa đánh giá (1):")
    assert "Đã đánh giá (2):" in reviewed
    assert f"{SCHOOL_B} — Hội đồng tự đánh giá" in reviewed
    assert f"{SCHOOL_D} (bảng 2018: 1 dòng đã báo cáo trong đợt)" in reviewed
    assert f"{SCHOOL_A} (bảng 2018: 2 dòng chưa báo cáo trong đợt)" in rest
    assert f"Chưa có kế hoạch năm học này (1):\n• {SCHOOL_C}" in rest
    # Once the end-of-year moment (15/05) has come, the mid-year summary is not sent late.
    assert prepared(db, item_id, local(2027, 5, 16, 8)) == "period_ended"
