"""/review: the principal's review of a TT57 plan (section VI) after the owners reported, with
the invitation the sender brings a week after the mid-year prompt; the 2018 answer; refusals."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.services import members, owners, plans, priorities, schools
from bot.services.plan_json import export_plan
from db.models import Member, OutboxItem, Plan, PlanReview, School
from tests.conftest import TOKEN
from tests.handlers.conftest import buttons, text

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
P, LAN, HAI = 30, 61, 62
YEAR = "2026-2027"
ROWS = (
    ("Ứng dụng CNTT trong dạy học", "Giáo viên dùng học liệu số"),
    ("Bồi dưỡng giáo viên", "100 % giáo viên được bồi dưỡng"),
    ("Thư viện thân thiện", "Thư viện đạt chuẩn"),
)


def at(y, m, d, h=8, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


async def seed(harness, regulation="TT57-2026"):
    """Principal P; Lan owns rows 1 and 3, Hải row 2; the school moved to `regulation`
    (`school set --regulation`) before the plan of YEAR was made."""
    harness.clock.set(at(2026, 9, 5, 9))
    await harness.principal(P, school="TH Hòa Bình", level="tieu_hoc")
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        schools.set_regulation(school, regulation)
        principal = session.scalar(select(Member).where(Member.role == "principal"))
        lan, lan_code = members.add_member(session, school, "Đặng Thị Lan", "staff", None)
        hai, hai_code = members.add_member(session, school, "Bùi Văn Hải", "staff", None)
        plan = plans.ensure_plan(session, school, YEAR)
        for i, (content, objective) in enumerate(ROWS):
            row = plans.new_draft(session, principal, plan)
            plans.set_field(session, row, "content", content, YEAR, principal)
            plans.set_field(session, row, "expected_result", objective, YEAR, principal)
            plans.set_field(
                session, row, "timeline_text", "Tháng 10/2026 - tháng 4/2027", YEAR, principal
            )
            plans.save_draft(session, row, principal)
            owner = hai if i == 1 else lan
            owners.set_owners(session, row, [owner.id], owner.id, principal)
        codes = (lan_code.code, hai_code.code)
    for user, code in zip((LAN, HAI), codes, strict=True):
        harness.user(user)
        await harness.send(user, f"/start {code}")
    await harness.tick()  # the school's schedule starts now


async def report(harness, user, row_button, status, words):
    await harness.send(user, "/report")
    await harness.press(user, row_button)
    await harness.press(user, status)
    await harness.send(user, words)
    await harness.press(user, "✅ Xong")


async def test_the_principal_reviews_after_the_owners_reported(harness):
    await seed(harness)
    # 10/01/2027: the mid-year prompt reaches the owners; they report.
    harness.running_at(at(2027, 1, 10, 7, 59))
    await harness.tick(minutes=2)
    await report(harness, LAN, "Ứng dụng CNTT trong dạy học", "Hoàn thành", "Đã tập huấn 4 buổi")
    await report(harness, HAI, "Bồi dưỡng giáo viên", "Gặp khó khăn", "Thiếu máy chiếu")
    # Nothing for the principal yet: the invitation waits a week after the prompt.
    with harness.db.transaction() as session:
        kinds = set(session.scalars(select(OutboxItem.kind)))
    assert "review" not in kinds
    harness.clock.set(at(2027, 1, 17, 8, 1))
    await harness.tick()
    with harness.db.transaction() as session:
        [item] = session.scalars(select(OutboxItem).where(OutboxItem.kind == "review")).all()
        assert item.state == "sent"
    invitation = next(
        m for m in harness.core.messages(TOKEN, P) if "Theo dõi, đánh giá" in m.get("text", "")
    )
    said = invitation["text"]
    assert (
        "Theo dõi, đánh giá kế hoạch cải tiến chất lượng năm học 2026-2027: Cuối học kỳ I" in said
    )
    assert "Nhiệm vụ cải tiến hoàn thành: 1/3 (33,3 %)." in said
    assert "• Hoàn thành: 1" in said and "• Đang thực hiện: 1" in said
    assert "• chưa có báo cáo: 1" in said
    assert "Thiếu máy chiếu" in said
    # Column (10) follows the owners' statuses, row by row.
    assert "1. Ứng dụng CNTT trong dạy học — Hoàn thành" in said
    assert "2. Bồi dưỡng giáo viên — Đang thực hiện" in said
    assert buttons(invitation) == ["📝 /review"]

    [question] = await harness.press(P, "📝 /review")
    assert "Theo dõi, đánh giá kế hoạch năm học 2026-2027: Cuối học kỳ I" in question["text"]
    assert "1/4. Đã rà soát, đánh giá những gì? (Nội dung)" in question["text"]
    assert (
        "Gợi ý: Rà soát tiến độ thực hiện 3 nội dung cải tiến và minh chứng kèm theo (cuối học kỳ "
        "I); 1 nội dung gặp khó khăn." in question["text"]
    )
    assert buttons(question) == ["✅ Dùng nội dung này", "🔁 Chuyển sang Cuối năm học"]
    [result] = await harness.press(P, "✅ Dùng nội dung này")
    assert "2/4. Kết quả thế nào?" in result["text"]
    assert (
        "Gợi ý: Hoàn thành 1/3 nhiệm vụ (33,3 %); Đang thực hiện 1; Chưa hoàn thành 1."
        in result["text"]
    )
    with harness.db.transaction() as session:
        [stored] = session.scalars(select(PlanReview)).all()
        assert stored.checkpoint == "mid_year" and stored.content.startswith("Rà soát tiến độ")
        assert stored.result is None  # each answer is stored as it is given
    [adjust] = await harness.press(P, "✅ Dùng nội dung này")
    assert "3/4. Kế hoạch điều chỉnh những gì?" in adjust["text"]
    assert buttons(adjust) == []
    [who] = await harness.send(P, "Bổ sung 02 máy chiếu cho khối 4  (tháng 2/2027)")
    assert "Gợi ý: Hội đồng tự đánh giá; Hiệu trưởng Nguyễn Thị Thu Hà" in who["text"]
    [card] = await harness.press(P, "✅ Dùng nội dung này")
    assert "Người đánh giá: Hội đồng tự đánh giá; Hiệu trưởng Nguyễn Thị Thu Hà" in card["text"]
    assert buttons(card)[0] == "💾 Lưu"
    [saved] = await harness.press(P, "💾 Lưu")
    assert saved["text"] == "✅ Đã lưu phần theo dõi, đánh giá: Cuối học kỳ I, năm học 2026-2027."
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        plan = plans.find_plan(session, school.id, YEAR)
        review = priorities.reviews_of(session, plan.id)["mid_year"]
        principal = session.scalar(select(Member).where(Member.role == "principal"))
        assert (
            review.result
            == "Hoàn thành 1/3 nhiệm vụ (33,3 %); Đang thực hiện 1; Chưa hoàn thành 1."
        )
        assert review.adjustment == "Bổ sung 02 máy chiếu cho khối 4  (tháng 2/2027)"  # verbatim
        assert review.evaluator_member_id == principal.id
        data = export_plan(session, school, plan)
        assert [r["implementation"] for r in data["rows"]] == [
            "Hoàn thành",
            "Đang thực hiện",
            None,
        ]
        assert data["monitoring"][0]["adjustment"] == review.adjustment
        assert data["monitoring"][1]["content"] is None


async def test_review_picks_the_checkpoint_by_date_and_switches(harness):
    await seed(harness)
    harness.clock.set(at(2027, 5, 16, 9))
    [question] = await harness.send(P, "/review")
    assert "Cuối năm học" in question["text"].splitlines()[0]
    assert "Nhiệm vụ cải tiến hoàn thành: 0/3 (0 %)." in question["text"]
    [switched] = await harness.press(P, "🔁 Chuyển sang Cuối học kỳ I")
    assert "Cuối học kỳ I" in switched["text"].splitlines()[0]
    await harness.send(P, "Rà soát giữa năm (bổ sung muộn)")
    [stopped] = await harness.send(P, "/cancel")
    assert "được giữ lại" in stopped["text"]
    with harness.db.transaction() as session:
        found = {r.checkpoint: r.content for r in session.scalars(select(PlanReview))}
    assert found == {"end_year": None, "mid_year": "Rà soát giữa năm (bổ sung muộn)"}


async def test_a_2018_plan_has_no_review_table(harness):
    await seed(harness, regulation="TT17-2018")
    [answer] = await harness.send(P, "/review")
    assert "chỉ có trong kế hoạch theo Thông tư 57/2026 (Biểu 2)" in answer["text"]
    assert "theo mẫu năm 2018" in answer["text"]
    with harness.db.transaction() as session:
        assert session.scalars(select(PlanReview)).all() == []
        assert session.scalar(select(Plan)).template == "2018"
    harness.clock.set(at(2027, 1, 17, 8, 1))
    await harness.tick()
    with harness.db.transaction() as session:
        assert "review" not in set(session.scalars(select(OutboxItem.kind)))


async def test_only_the_principal_and_vice_principals_review(harness):
    await seed(harness)
    [refused] = await harness.send(LAN, "/review")
    assert "Chỉ hiệu trưởng và phó hiệu trưởng" in refused["text"]
    forged = await harness.forge(LAN, "v:open:mid_year")
    assert "Chỉ hiệu trưởng và phó hiệu trưởng" in text(forged)
    with harness.db.transaction() as session:
        assert session.scalars(select(PlanReview)).all() == []
