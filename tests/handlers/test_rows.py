"""A saved row: open it from the plan, edit a field, delete it with confirmation."""

from sqlalchemy import select

from db.models import PlanRow, RowHistory, RowStatus
from tests.handlers.conftest import buttons
from tests.handlers.test_add_row import start_row

P = 30


async def write_row(harness, criterion="1.4 ", standard="Tiêu chuẩn 1", expected="KQ"):
    await start_row(harness, P, standard, criterion)
    for answer in (expected, "CV", "HT", "Tháng 9/2026 – 5/2027", "/skip", "/skip", "/skip"):
        await harness.send(P, answer)
    await harness.press(P, "💾 Lưu")


async def test_open_edit_and_delete_a_row(harness):
    await harness.principal(P)
    await write_row(harness, "5.2", "Tiêu chuẩn 5", "Kết quả 5.2")
    await write_row(harness, "1.4 ", "Tiêu chuẩn 1", "Kết quả 1.4")
    [plan] = await harness.send(P, "/plan")
    # Rows are kept in the table's order: 1.4 before 5.2 although written after it.
    assert buttons(plan)[:2] == ["1.4 — Kết quả 1.4", "5.2 — Kết quả 5.2"]
    [card] = await harness.press(P, "5.2 —")
    assert "Dòng 2" in card["text"] and "Kết quả 5.2" in card["text"]
    [question] = await harness.press(P, "✏️ Ghi chú")
    assert "Ghi chú (nếu có)?" in question["text"]
    [card] = await harness.send(P, "Báo cáo Phòng VH-XH")
    assert "Báo cáo Phòng VH-XH" in card["text"] and "Dòng 2" in card["text"]
    [confirm] = await harness.press(P, "🗑 Xoá dòng")
    assert "Xoá 5.2 — Kết quả 5.2?" in confirm["text"]
    assert buttons(confirm) == ["🗑 Có, xoá", "Không, giữ lại"]
    [done] = await harness.press(P, "🗑 Có, xoá")
    assert done["text"] == "🗑 Đã xoá 5.2 — Kết quả 5.2."
    [plan] = await harness.send(P, "/plan")
    assert "1 dòng" in plan["text"] and "Kết quả 5.2" not in plan["text"]
    with harness.db.transaction() as session:
        deleted = session.scalar(select(PlanRow).where(PlanRow.status == RowStatus.DELETED))
        actions = [
            (h.action, h.field)
            for h in session.scalars(select(RowHistory).where(RowHistory.row_id == deleted.id))
        ]
    assert actions == [("created", None), ("updated", "notes"), ("deleted", None)]


async def test_delete_confirmation_from_an_old_message_is_refused(harness):
    await harness.principal(P)
    await write_row(harness)
    await harness.send(P, "/plan")
    await harness.press(P, "1.4 —")
    [confirm] = await harness.press(P, "🗑 Xoá dòng")
    await harness.send(P, "/plan")  # moved on
    await harness.press(P, "1.4 —")
    await harness.press(P, "✏️ Ghi chú")  # a new step: the old confirmation is stale
    [refused] = await harness.press(P, "🗑 Có, xoá", message_id=confirm["message_id"])
    assert refused["text"] == "Nút này thuộc một tin nhắn cũ."
    with harness.db.transaction() as session:
        assert session.scalar(select(PlanRow.status)) == RowStatus.ACTIVE


async def test_edit_criterion_of_a_saved_row_moves_it(harness):
    await harness.principal(P)
    await write_row(harness, "1.4 ", "Tiêu chuẩn 1", "A")
    await write_row(harness, "2.1", "Tiêu chuẩn 2", "B")
    await harness.send(P, "/plan")
    await harness.press(P, "1.4 —")
    await harness.press(P, "✏️ Tiêu chí")
    await harness.press(P, "Tiêu chuẩn 3")
    _picked, card = await harness.press(P, "3.1")
    assert "Tiêu chí 3.1" in card["text"] and "Dòng 2" in card["text"]
    [plan] = await harness.send(P, "/plan")
    assert buttons(plan)[:2] == ["2.1 — B", "3.1 — A"]


async def test_back_from_a_field_edit_returns_to_the_card_unchanged(harness):
    await harness.principal(P)
    await write_row(harness)
    await harness.send(P, "/plan")
    await harness.press(P, "1.4 —")
    await harness.press(P, "✏️ Kết quả cần đạt")
    [card] = await harness.send(P, "/back")
    assert "Dòng 1" in card["text"] and "KQ" in card["text"]


async def test_the_principal_sees_the_history_on_the_card(harness):
    await harness.principal(P)
    await write_row(harness)
    await harness.send(P, "/plan")
    await harness.press(P, "1.4 —")
    await harness.press(P, "✏️ Kết quả cần đạt")
    await harness.send(P, "Đạt Mức 3")
    [history] = await harness.press(P, "🕓 Lịch sử")
    assert "Lịch sử 1.4 — Đạt Mức 3" in history["text"]
    assert "Hà" in history["text"] and "tạo dòng" in history["text"]
    assert "Kết quả cần đạt: KQ → Đạt Mức 3" in history["text"]
