"""/newyear: the principal carries the unfinished rows over into the next school year."""

from __future__ import annotations

from sqlalchemy import select

from bot.services import plans
from db.models import School
from tests.handlers.conftest import buttons
from tests.handlers.test_review import LAN, P, at, report, seed


async def test_newyear_carries_the_unfinished_rows_and_asks_before_appending(harness):
    await seed(harness)
    harness.clock.set(at(2027, 1, 12, 9))
    await report(harness, LAN, "Ứng dụng CNTT trong dạy học", "Hoàn thành", "Xong")
    harness.clock.set(at(2027, 6, 20, 9))
    [preview] = await harness.send(P, "/newyear")
    assert "Chuyển kế hoạch năm học 2026-2027 sang năm học 2027-2028" in preview["text"]
    assert "2 nội dung chưa báo cáo hoàn thành" in preview["text"]
    assert "Kế hoạch mới theo mẫu Biểu 2 (Thông tư 57/2026)." in preview["text"]
    assert buttons(preview) == ["✅ Chuyển sang năm học mới", "Huỷ"]
    [done] = await harness.press(P, "✅ Chuyển sang năm học mới")
    assert (
        "Đã chuyển sang kế hoạch năm học 2027-2028: 2 nội dung, 0 vấn đề trọng tâm." in done["text"]
    )
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        new = plans.find_plan(session, school.id, "2027-2028")
        assert [r.content for r in plans.active_rows(session, new.id)] == [
            "Bồi dưỡng giáo viên",
            "Thư viện thân thiện",
        ]
    [again] = await harness.send(P, "/newyear")
    assert "Kế hoạch năm học 2027-2028 đã có 2 nội dung." in again["text"]
    assert buttons(again) == ["➕ Thêm vào sau", "Huỷ"]
    [stopped] = await harness.press(P, "Huỷ")
    assert "Chưa chuyển nội dung nào" in stopped["text"]
    [refused] = await harness.send(LAN, "/newyear")
    assert "Chỉ hiệu trưởng và phó hiệu trưởng" in refused["text"]
