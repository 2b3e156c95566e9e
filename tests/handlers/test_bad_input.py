"""Bad input gets a clear answer in the user's language and the same question; nothing is lost."""

from sqlalchemy import select

from db.models import PlanRow, RowStatus
from tests.conftest import TOKEN
from tests.handlers.conftest import buttons
from tests.handlers.test_add_row import start_row
from tests.handlers.test_report import OWNER
from tests.handlers.test_report import setup as setup_report

P, OTHER = 20, 21


def draft(harness):
    with harness.db.transaction() as session:
        return session.scalar(select(PlanRow).where(PlanRow.status == RowStatus.DRAFT))


async def test_unknown_command_mid_conversation(harness):
    await harness.principal(P)
    await start_row(harness, P)
    await harness.send(P, "Giữ vững Mức 2")
    notice, question = await harness.send(P, "/xoahet")
    assert notice["text"] == "Không có lệnh /xoahet."
    assert "Công việc/giải pháp" in question["text"]
    assert draft(harness).expected_result == "Giữ vững Mức 2"


async def test_unknown_command_in_english(harness):
    await harness.principal(P, language="en")
    await harness.send(P, "/language")
    await harness.press(P, "English")
    notice, help_ = await harness.send(P, "/frobnicate")
    assert notice["text"] == "I do not know the command /frobnicate."
    assert "/add" in help_["text"]


async def test_text_where_a_button_was_expected(harness):
    await harness.principal(P)
    await harness.send(P, "/add")
    notice, standards = await harness.send(P, "tiêu chuẩn một")
    assert notice["text"] == "Vui lòng chọn bằng các nút bên dưới."
    assert "Chọn tiêu chuẩn" in standards["text"] and "Mức 4" in buttons(standards)
    # A criterion code typed instead of pressed is understood.
    [question] = await harness.send(P, "1.10")
    assert "Kết quả cần đạt" in question["text"]
    assert draft(harness).criterion_code == "1.10"


async def test_button_from_an_old_message(harness):
    await harness.principal(P)
    _, standards = await harness.send(P, "/add")
    await harness.press(P, "Tiêu chuẩn 2")
    await harness.press(P, "2.2 ")
    await harness.send(P, "Kết quả")
    # The first card's keyboard is gone (edited); press the criterion list via its old data.
    old = harness.core.calls(TOKEN, "editMessageText")[0]["params"]["reply_markup"]
    stale_data = old["inline_keyboard"][0][0]["callback_data"]
    notice, question = await harness.forge(P, stale_data, standards["message_id"])
    assert notice["text"] == "Nút này thuộc một tin nhắn cũ."
    assert "Công việc/giải pháp" in question["text"]
    assert "Nút này không còn hiệu lực." in harness.toasts()
    row = draft(harness)
    assert row.criterion_code == "2.2" and row.expected_result == "Kết quả"


async def test_forged_buttons_are_refused(harness):
    await harness.principal(P)
    for data in ("f:zz:999", "zz", "r:o:abc", "p:y:2099-2100", "r:e:1:t", "f:c:9.9:1"):
        replies = await harness.forge(P, data)
        assert replies, data
        assert any(
            word in replies[0]["text"]
            for word in ("không còn hiệu lực", "tin nhắn cũ", "Không tìm thấy")
        ), (data, replies[0]["text"])


async def test_another_schools_row_is_not_reachable(harness):
    await harness.principal(P, school="Trường A")
    await start_row(harness, P)
    for answer in ("KQ", "CV", "HT", "Tháng 9/2026", "/skip", "/skip", "/skip"):
        await harness.send(P, answer)
    await harness.press(P, "💾 Lưu")
    with harness.db.transaction() as session:
        row_id = session.scalar(select(PlanRow.id).where(PlanRow.status == RowStatus.ACTIVE))
    await harness.principal(OTHER, school="Trường B")
    for data in (f"r:o:{row_id}", f"r:e:{row_id}:t", f"r:d:{row_id}", f"r:y:{row_id}:1"):
        [reply] = await harness.forge(OTHER, data)
        assert reply["text"] == "Không tìm thấy dòng này (có thể đã bị xoá)."
        assert "KQ" not in reply["text"]
    with harness.db.transaction() as session:
        assert session.get(PlanRow, row_id).status == RowStatus.ACTIVE


async def test_a_4000_character_answer_is_kept_whole(harness):
    await harness.principal(P)
    await start_row(harness, P)
    await harness.send(P, "KQ")
    long_answer = ("- Nhiệm vụ <quan trọng> & cần làm ngay. " * 100)[:4000]
    [reply] = await harness.send(P, long_answer)
    assert "Ai chủ trì" in reply["text"]
    assert draft(harness).tasks == long_answer
    for answer in ("HT", "Tháng 9/2026"):
        await harness.send(P, answer)
    await harness.send(P, "/skip")
    await harness.send(P, "/skip")
    card = await harness.send(P, "/skip")
    assert len(card) == 2  # split under Telegram's limit, buttons on the last part
    assert all(len(m["text"]) <= 4096 for m in card)
    assert "reply_markup" not in card[0] and "💾 Lưu" in buttons(card[1])
    assert "<quan trọng> & cần làm ngay" in card[0]["text"]


async def test_a_file_where_text_was_expected(harness):
    await harness.principal(P)
    await start_row(harness, P)
    harness.core.send_photo(TOKEN, P, b"\x89PNG fake")
    notice, question = await harness._process(P)
    assert notice["text"] == "Vui lòng trả lời bằng tin nhắn chữ."
    assert "Kết quả cần đạt" in question["text"]


async def test_an_update_delivered_twice_is_applied_once(harness):
    await harness.principal(P)
    await start_row(harness, P)
    update = harness.core.send_text(TOKEN, P, "Giữ vững Mức 2")
    [first] = await harness._process(P)
    assert "Công việc/giải pháp" in first["text"]
    [again] = await harness.replay(P, update)  # Telegram re-sends after a crash
    assert "Công việc/giải pháp" in again["text"]  # the question again, not the next one
    row = draft(harness)
    assert row.expected_result == "Giữ vững Mức 2" and row.tasks is None


async def test_an_answer_delivered_again_in_any_conversation_gets_its_question_again(harness):
    """The bot stopped after committing an answer and before replying: when Telegram delivers
    it again, the open conversation's question is asked (the reply was maybe never sent)."""
    await setup_report(harness)
    await harness.send(OWNER, "/report")
    await harness.press(OWNER, "1.4 —")
    press = harness.core.press(TOKEN, OWNER, button_text="Hoàn thành")
    [question] = await harness._process(OWNER)
    assert "Vài dòng" in question["text"]
    [again] = await harness.replay(OWNER, press)
    assert again["text"] == question["text"]
    answer = harness.core.send_text(TOKEN, OWNER, "Đã làm")
    [files] = await harness._process(OWNER)
    [again] = await harness.replay(OWNER, answer)
    assert "minh chứng" in files["text"] and again["text"] == files["text"]
    # Outside any conversation, a command delivered again is not answered twice.
    mine = harness.core.send_text(TOKEN, OWNER, "/cancel")
    await harness._process(OWNER)
    assert await harness.replay(OWNER, mine) == []


async def test_a_command_that_shows_something_delivered_again_is_answered_again(harness):
    """Its answer (here the plan's documents) may be what a stop lost; a stranger's is not."""
    await harness.principal(P)
    export = harness.core.send_text(TOKEN, P, "/export")
    first = await harness._process(P)
    again = await harness.replay(P, export)
    assert [m["document"]["file_name"] for m in first] == [
        m["document"]["file_name"] for m in again
    ]
    harness.user(OTHER)
    plan = harness.core.send_text(TOKEN, OTHER, "/plan")
    assert await harness._process(OTHER)  # how to join
    assert await harness.replay(OTHER, plan) == []


async def test_stop_with_nothing_to_stop(harness):
    await harness.principal(P)
    notice, _ = await harness.send(P, "/skip")
    assert notice["text"] == "Hiện không có việc gì đang làm dở."
