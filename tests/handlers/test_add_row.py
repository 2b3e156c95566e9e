"""/add: the whole row conversation, /skip, /back, /cancel, Mức 4, edit from the card, save."""

from sqlalchemy import select

from db.models import PlanRow, RowStatus
from tests.handlers.conftest import buttons

P = 10


async def rows(harness, status=RowStatus.ACTIVE):
    with harness.db.transaction() as session:
        return list(session.scalars(select(PlanRow).where(PlanRow.status == status)))


async def start_row(harness, user=P, standard="Tiêu chuẩn 1", criterion="1.4 "):
    notice, standards = await harness.send(user, "/add")
    assert "Dòng mới cho kế hoạch năm học" in notice["text"]
    assert "Chọn tiêu chuẩn" in standards["text"]
    [criteria] = await harness.press(user, standard)
    assert criteria["message_id"] == standards["message_id"]  # the list is replaced in place
    picked, question = await harness.press(user, criterion)
    assert picked["message_id"] == criteria["message_id"]  # the picker says what was picked
    assert picked["text"].startswith("✅ Đã chọn: " + criterion.strip())
    return question


async def test_write_a_complete_row(harness):
    await harness.principal(P)
    question = await start_row(harness)
    assert "(1/7) Kết quả cần đạt (so với hiện trạng) là gì?" in question["text"]
    assert buttons(question) == ["◀ Quay lại"]
    answers = [
        ("Giữ vững Mức 2, phấn đấu đạt Mức 3.", "Công việc/giải pháp"),
        ("- Xây dựng kế hoạch chuyên đề;\n- Họp tổ 2 lần/tháng.", "Ai chủ trì"),
        ("HT chủ trì; PHT, TTCM phối hợp", "Thời gian thực hiện"),
        ("Tháng 9/2026 – 5/2027", "Dự kiến kinh phí"),
        ("2,5 triệu", "Cần điều kiện hỗ trợ"),
        ("Ban đại diện cha mẹ học sinh hỗ trợ", "Ghi chú"),
    ]
    for answer, next_question in answers:
        [reply] = await harness.send(P, answer)
        assert next_question in reply["text"]
    [optional] = [m for m in [reply]]
    assert buttons(optional) == ["◀ Quay lại", "Bỏ qua ▶"]
    [card] = await harness.send(P, "/skip")
    assert "Tóm tắt dòng kế hoạch mới" in card["text"]
    assert (
        "Tiêu chí 1.4: Hiệu trưởng, phó hiệu trưởng, tổ chuyên môn và tổ văn phòng" in card["text"]
    )
    assert "Hiểu là: 01/09/2026 – 31/05/2027" in card["text"]
    assert "Hiểu là: 2.500.000 đồng" in card["text"]
    assert "Mức cần đạt: 3" in card["text"]
    assert "💾 Lưu" in buttons(card) and "✏️ Kết quả cần đạt" in buttons(card)
    assert await rows(harness) == []  # not in the plan before "Lưu"
    saved, row_card = await harness.press(P, "💾 Lưu")
    assert "Đã lưu 1.4 — " in saved["text"] and "vào kế hoạch năm học" in saved["text"]
    assert "Dòng 1" in row_card["text"] and "🗑 Xoá dòng" in buttons(row_card)
    [row] = await rows(harness)
    assert row.criterion_code == "1.4" and row.block == "M123" and row.position == 1
    assert row.tasks == "- Xây dựng kế hoạch chuyên đề;\n- Họp tổ 2 lần/tháng."
    assert row.budget_vnd == 2_500_000 and row.notes is None
    [plan] = await harness.send(P, "/plan")
    assert (
        "1 dòng" in plan["text"] and "Tiêu chuẩn 1: Tổ chức và quản lý nhà trường" in plan["text"]
    )
    assert "hạn 31/05/2027" in plan["text"]


async def test_each_answer_is_stored_before_the_reply(harness):
    await harness.principal(P)
    await start_row(harness)
    await harness.send(P, "Đạt Mức 3")
    [draft] = await rows(harness, RowStatus.DRAFT)
    assert draft.expected_result == "Đạt Mức 3" and draft.target_level == 3


async def test_back_and_skip(harness):
    await harness.principal(P)
    await start_row(harness)
    notice, again = await harness.send(P, "/skip")  # required: asked again
    assert notice["text"] == "Nội dung này là bắt buộc."
    assert "Kết quả cần đạt" in again["text"]
    await harness.send(P, "Kết quả A")
    [back] = await harness.send(P, "/back")
    assert "Kết quả cần đạt" in back["text"] and "Hiện tại: Kết quả A" in back["text"]
    await harness.send(P, "Kết quả B")
    [back_to_criteria] = await harness.press(P, "◀ Quay lại")  # button on the tasks question
    assert "Kết quả cần đạt" in back_to_criteria["text"]
    [criterion_list] = await harness.send(P, "/back")
    assert "chọn tiêu chí" in criterion_list["text"]
    [draft] = await rows(harness, RowStatus.DRAFT)
    assert draft.expected_result == "Kết quả B"


async def test_level4_row(harness):
    await harness.principal(P)
    await harness.send(P, "/add")
    [number] = await harness.press(P, "Mức 4")
    assert "Mức 4: tiêu chí số mấy?" in number["text"]
    bad, again = await harness.send(P, "hai")
    assert bad["text"] == "Vui lòng gửi một số, ví dụ: 2." and "tiêu chí số mấy" in again["text"]
    [wording] = await harness.send(P, "2")
    assert "Ghi nội dung tiêu chí" in wording["text"]
    [question] = await harness.send(P, "Tiêu chí 2: Trường có kế hoạch phát triển 5 năm")
    assert "Kết quả cần đạt" in question["text"]
    [draft] = await rows(harness, RowStatus.DRAFT)
    assert draft.criterion_code == "M4.2" and draft.block == "M4"
    assert draft.criterion_text == "Tiêu chí 2: Trường có kế hoạch phát triển 5 năm"


async def test_cancel_keeps_the_draft_and_add_offers_it_again(harness):
    await harness.principal(P)
    await start_row(harness)
    await harness.send(P, "Giữ vững Mức 2")
    [stopped] = await harness.send(P, "/cancel")
    assert "Bản nháp được giữ lại" in stopped["text"]
    [offer] = await harness.send(P, "/add")
    assert "Thầy/cô có một bản nháp chưa xong" in offer["text"]
    assert "Giữ vững Mức 2" in offer["text"]
    [resumed] = await harness.press(P, "Viết tiếp bản nháp")
    assert "Công việc/giải pháp" in resumed["text"]
    await harness.send(P, "/cancel")
    await harness.send(P, "/add")
    _notice, standards = await harness.press(P, "Bỏ bản nháp, viết dòng mới")
    assert "Chọn tiêu chuẩn" in standards["text"]
    drafts = await rows(harness, RowStatus.DRAFT)
    assert len(drafts) == 1 and drafts[0].expected_result is None


async def test_edit_from_the_summary_card(harness):
    await harness.principal(P)
    await start_row(harness)
    for answer in ("KQ", "CV", "HT", "Thường xuyên", "/skip", "/skip", "/skip"):
        replies = await harness.send(P, answer)
    [card] = replies
    assert "không đọc được ngày" in card["text"]  # flagged, not refused
    assert "Hạn coi như cuối năm học (31/05/" in card["text"]
    [question] = await harness.press(P, "✏️ Thời gian thực hiện và hoàn thành")
    assert "Hiện tại: Thường xuyên" in question["text"]
    [card] = await harness.send(P, "Trước 30/5/2027")
    assert "Tóm tắt dòng kế hoạch mới" in card["text"] and "Hiểu là: hạn 30/05/2027" in card["text"]
    await harness.press(P, "✏️ Tiêu chí")
    await harness.press(P, "Tiêu chuẩn 5")
    _picked, card = await harness.press(P, "5.2")
    assert "Tiêu chí 5.2" in card["text"]


async def test_save_is_refused_until_required_answers_are_there(harness):
    await harness.principal(P)
    await start_row(harness)
    await harness.send(P, "KQ")
    # Jump to the card via a crafted path: cancel, resume (card needs all required fields).
    await harness.send(P, "/cancel")
    await harness.send(P, "/add")
    [resumed] = await harness.press(P, "Viết tiếp bản nháp")
    assert "Công việc/giải pháp" in resumed["text"]
