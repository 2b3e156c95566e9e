"""Updates that once ended in an unhandled error are ordinary handling now, with no ERROR logged:
a file Telegram will not hand over, updates with no user or no chat, a user who blocks the bot
while the answer is on its way, forged numbers in buttons, control characters pasted from Word.
"""

from __future__ import annotations

import io
import logging

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.services import members, outbox, owners, plans, progress
from conversations.base import MAX_NUMBER, parse_number
from db.models import ChatState, Evidence, Member, OutboxItem, PlanRow, ProgressReport, School
from tests.conftest import TOKEN
from tests.handlers.conftest import text
from tests.handlers.test_add_row import start_row
from tests.handlers.test_bad_input import draft
from tests.handlers.test_import import PLAN
from tests.handlers.test_report import OWNER, P, setup
from tests.handlers.test_rows import write_row
from tests.unit.test_plan_import import docx_bytes

UNAVAILABLE = "Không tải được tệp này từ Telegram. Thầy/cô vui lòng gửi lại."


@pytest.fixture(autouse=True)
def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)


async def setup_member(harness, user_id: int, role: str) -> None:
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        _, code = members.add_member(session, school, f"Thành viên {user_id}", role, None)
        code = code.code
    harness.user(user_id)
    await harness.send(user_id, f"/start {code}")


def problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What was logged at WARNING or above (an unhandled error is logged at ERROR)."""
    return [
        f"{r.levelname} {r.name}: {r.getMessage()} {r.exc_info[1]!r}"
        if r.exc_info
        else f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.WARNING
    ]


# ------------------------------------------------------------------ 1. getFile fails


async def test_evidence_telegram_will_not_hand_over_is_asked_again(harness, caplog):
    await setup(harness)
    await harness.send(OWNER, "/report")
    await harness.press(OWNER, "1.4 —")
    await harness.press(OWNER, "Hoàn thành")
    await harness.send(OWNER, "Đã làm")
    update = harness.core.send_document(
        TOKEN, OWNER, "bien-ban.pdf", b"%PDF-1.4", "application/pdf"
    )
    harness.core.file_unavailable(TOKEN, update["message"]["document"]["file_id"])
    notice, question = await harness._process(OWNER)
    assert notice["text"] == UNAVAILABLE
    assert (
        "Gửi ảnh hoặc tệp minh chứng" in question["text"] and "Đã nhận 0 tệp." in question["text"]
    )
    with harness.db.transaction() as session:
        assert session.scalars(select(Evidence)).all() == []
    # Sent again, it arrives.
    harness.core.send_document(TOKEN, OWNER, "bien-ban.pdf", b"%PDF-1.4", "application/pdf")
    [received] = await harness._process(OWNER)
    assert "Đã nhận 1 tệp." in received["text"]
    assert [r["description"] for r in harness.core.refused(TOKEN, injected=True)] == [
        "Bad Request: wrong file_id or the file is temporarily unavailable"
    ]
    assert harness.core.refused(TOKEN) == []
    assert problems(caplog) == []


async def test_a_plan_file_telegram_will_not_hand_over_is_asked_again(harness, caplog):
    await harness.principal(50)
    await harness.send(50, "/import")
    update = harness.core.send_document(
        TOKEN, 50, "ke-hoach.docx", docx_bytes([PLAN]), "application/octet-stream"
    )
    harness.core.file_unavailable(TOKEN, update["message"]["document"]["file_id"])
    notice, question = await harness._process(50)
    assert notice["text"] == UNAVAILABLE and "Gửi tệp kế hoạch" in question["text"]
    assert problems(caplog) == []


# ------------------------------------------------------------------ 2. no user, no chat

CHANNEL = {"id": -1001234567890, "type": "channel", "title": "Bảng tin trường"}


def no_user_or_no_chat(harness, user_id: int) -> list[dict]:
    """Updates the bot cannot answer in a chat, or should not: each is skipped."""
    user = harness.core.users[user_id]
    private = {"id": user_id, "type": "private", "first_name": user["first_name"]}
    sent = {"message_id": 1, "date": 1_780_000_000}
    edited = {**sent, "edit_date": 1_780_000_100, "from": user, "chat": private}
    return [
        # A button on a message sent through inline mode: no `message`, no chat.
        {
            "callback_query": {
                "id": "inline-1",
                "from": user,
                "chat_instance": "ci-inline",
                "inline_message_id": "AgAAAKkAAAA",
                "data": "r:o:1",
            }
        },
        {"channel_post": {**sent, "chat": CHANNEL, "text": "/start"}},
        {"edited_channel_post": {**sent, "edit_date": 1_780_000_100, "chat": CHANNEL, "text": "x"}},
        # A message without `from` (sent on behalf of a channel).
        {"message": {**sent, "chat": private, "sender_chat": CHANNEL, "text": "/plan"}},
        {"message": {**sent, "chat": CHANNEL, "sender_chat": CHANNEL, "text": "/linkgroup"}},
        # Edits of earlier messages: not answers (an edited "/start" matches a CommandHandler).
        {"edited_message": {**edited, "text": "Sửa lại câu trả lời"}},
        {
            "edited_message": {
                **edited,
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            }
        },
    ]


async def test_updates_with_no_user_or_no_chat_are_skipped(harness, caplog):
    await harness.principal(P)
    await start_row(harness, P)
    await harness.send(P, "Giữ vững Mức 2")
    with harness.db.transaction() as session:
        before = session.scalar(select(ChatState).where(ChatState.telegram_user_id == P))
        version, step = before.version, before.step
    calls = len(harness.core.calls(TOKEN))
    for raw in no_user_or_no_chat(harness, P):
        harness.core.push_raw(TOKEN, raw)
    assert await harness._process(P) == []
    assert harness.core.calls(TOKEN)[calls:] == []  # nothing sent, nothing answered
    with harness.db.transaction() as session:
        state = session.scalar(select(ChatState).where(ChatState.telegram_user_id == P))
        assert (state.version, state.step) == (version, step)
        assert draft(harness).tasks is None  # the edited message was not taken as an answer
    assert problems(caplog) == []
    # The conversation goes on where it was.
    [question] = await harness.send(P, "Công việc")
    assert "Ai chủ trì" in question["text"]


async def test_fields_of_the_wrong_type_are_read_as_absent(harness, caplog):
    """python-telegram-bot parses an update with a number for a text without complaint."""
    await harness.principal(P)
    await start_row(harness, P)
    user = harness.core.users[P]
    private = {"id": P, "type": "private", "first_name": "Hà"}
    sent = {"message_id": 1, "date": 1_780_000_000, "from": user, "chat": private}
    harness.core.push_raw(TOKEN, {"message": {**sent, "text": 5}})
    notice, question = await harness._process(P)
    assert notice["text"] == "Câu trả lời đang trống."  # no text
    assert "Kết quả cần đạt" in question["text"]
    # A user id that is not a number: skipped.
    harness.core.push_raw(TOKEN, {"message": {**sent, "from": {**user, "id": "30"}, "text": "x"}})
    assert await harness._process(P) == []
    # Button data that is not a text: an unknown button.
    query = {"id": "q", "from": user, "chat_instance": "c", "message": sent, "data": 7}
    harness.core.push_raw(TOKEN, {"callback_query": query})
    notice, question = await harness._process(P)
    assert notice["text"] == "Nút này không còn hiệu lực." and "Kết quả cần đạt" in question["text"]
    # A size that is not a number: read as unknown (the file is asked for, Telegram refuses).
    document = {"file_id": "nope", "file_unique_id": "u", "file_size": "big"}
    harness.core.push_raw(TOKEN, {"message": {**sent, "document": document}})
    notice, question = await harness._process(P)
    assert notice["text"] == UNAVAILABLE and "Kết quả cần đạt" in question["text"]
    assert problems(caplog) == []


async def test_nul_is_dropped_when_an_update_is_read(harness, caplog):
    """The one character not kept as sent: PostgreSQL cannot store NUL in a text."""
    await harness.principal(P)
    await start_row(harness, P)
    [question] = await harness.send(P, "Giữ\x00 vững\x07 Mức 2")
    assert "Công việc/giải pháp" in question["text"]
    assert draft(harness).expected_result == "Giữ vững\x07 Mức 2"
    assert problems(caplog) == []


# ------------------------------------------------------------------ 3. blocked mid-answer


async def test_a_member_who_blocks_the_bot_while_the_answer_is_on_its_way(harness, caplog):
    await setup(harness)
    harness.core.send_text(TOKEN, OWNER, "/mine")
    harness.core.block(TOKEN, OWNER)  # the answer is refused: 403
    assert await harness._process(OWNER) == []
    with harness.db.transaction() as session:
        member = session.scalar(select(Member).where(Member.display_name == "Đặng Thị Lan"))
        assert member.unreachable_at is not None
        [told] = session.scalars(select(OutboxItem).where(OutboxItem.kind == outbox.UNREACHABLE))
        principal = session.scalar(select(Member).where(Member.role == "principal"))
        assert told.member_id == principal.id and told.data["member_id"] == member.id
    assert [r["status"] for r in harness.core.refused(TOKEN, injected=True)] == [403]
    assert problems(caplog) == []
    # The principal hears of it once, through the one sender.
    assert await harness.tick() == 1
    [notice] = harness.core.messages(TOKEN, P)[-1:]
    assert "Đặng Thị Lan" in notice["text"]
    # Writing to the bot again makes them reachable.
    harness.core.unblock(TOKEN, OWNER)
    await harness.send(OWNER, "/mine")
    with harness.db.transaction() as session:
        member = session.scalar(select(Member).where(Member.display_name == "Đặng Thị Lan"))
        assert member.unreachable_at is None
    assert problems(caplog) == []


async def test_no_report_is_lost_when_the_answer_to_it_is_refused(harness, caplog):
    await setup(harness)
    await harness.send(OWNER, "/report")
    await harness.press(OWNER, "1.4 —")
    harness.core.press(TOKEN, OWNER, button_text="Hoàn thành")
    harness.core.block(TOKEN, OWNER)
    assert await harness._process(OWNER) == []
    with harness.db.transaction() as session:
        [report] = session.scalars(select(ProgressReport))
        assert report.status == "done"  # committed before the reply
    assert text(harness.core.messages(TOKEN, OWNER)[-1:])  # the earlier question is still there
    assert problems(caplog) == []


async def test_a_group_that_removed_the_bot_does_not_make_its_sender_unreachable(harness, caplog):
    await harness.principal(P)
    harness.core.group(-100300, "Hội đồng trường")
    harness.core.send_group_text(TOKEN, P, -100300, "/linkgroup@caitien_test_bot")
    harness.core.fail_next(
        TOKEN, "sendMessage", 403, "Forbidden: bot was kicked from the group chat"
    )
    await harness._process(P)
    with harness.db.transaction() as session:
        principal = session.scalar(select(Member).where(Member.role == "principal"))
        assert principal.unreachable_at is None  # they still read the bot in private
    assert problems(caplog) == []


# ------------------------------------------------------------------ 4. forged numbers

# Numbers a forged button may carry instead of an id, a version or a page: too large for the
# database, digits str.isdigit() accepts and int() refuses, digits int() reads as 1 and 12.
FORGED_NUMBERS = ("99999999999999999999", str(MAX_NUMBER + 1), "²", "١", "١٢", "1\n", " 1", "")


def test_parse_number_takes_ascii_digits_within_the_database_range():
    assert parse_number("0") == 0 and parse_number("0042") == 42
    assert parse_number(str(MAX_NUMBER)) == MAX_NUMBER
    for forged in (*FORGED_NUMBERS, None, "-1", "1.0", "1e3", "٣", "１"):
        assert parse_number(forged) is None, forged


async def test_forged_numbers_get_the_refusal_every_forged_button_gets(harness, caplog):
    """Each button with a forged number is answered as the same button with a number that
    fits nothing (999999) or with no number at all ("x") was answered before: the stale or
    unknown-button answer (and, in a conversation, the same question again); nothing changes."""
    await harness.principal(P)
    await write_row(harness)  # row 1, member 1, version numbers around 1: "١" must not reach them
    await start_row(harness, P)
    await harness.send(P, "Giữ vững Mức 2")

    def version() -> int:
        with harness.db.transaction() as session:
            return session.scalar(select(ChatState.version).where(ChatState.telegram_user_id == P))

    year = "2026-2027"
    templates = [
        "r:o:{n}",
        "r:e:{n}:t",
        "r:d:{n}",
        "r:h:{n}",
        "r:y:{n}:1",
        "r:y:1:{n}",
        "o:s:{n}",
        "o:r:{n}",
        "g:r:{n}:{v}",
        "n:r:{n}",
        "n:r:{n}:m",
        "n:z:{n}:1",
        "n:z:1:{n}",
        "s:{n}",
        "t:m:{n}",
        "t:lv:{n}",
        "t:lb:{n}",
        "t:c:{n}:staff",
        "c:rh:{n}:{v}",
        "c:rh:0:{n}",
        "i:ok:{n}",
        "i:no:{n}",
        "f:s:{n}:{v}",
        "f:back:{n}",
        "p:p:" + year + ":{n}",
        "p:y:" + year[:5] + "{n}",
    ]
    for template in templates:
        references = ("0",) if template.startswith("p:p:") else ("999999", "x")
        refusals = [
            text(await harness.forge(P, template.format(n=n, v=version()))) for n in references
        ]
        assert all(refusals), template
        for forged in FORGED_NUMBERS:
            data = template.format(n=forged, v=version())
            assert text(await harness.forge(P, data)) in refusals, data
    assert problems(caplog) == []
    # Nothing was changed: the same question is open, the answer kept, the row still there.
    [question] = await harness.send(P, "Công việc")
    assert "Ai chủ trì" in question["text"]
    assert draft(harness).expected_result == "Giữ vững Mức 2"
    [plan] = await harness.send(P, "/plan")
    assert "1 dòng" in plan["text"]


async def test_forged_data_cannot_write_lines_into_the_log(harness, caplog):
    """What a button carries is logged with repr(): a newline in it stays on its line."""
    await harness.principal(P)
    await setup_member(harness, 31, "staff")
    for user in (P, 31):
        for data in ("t:x\n2026-01-01 ERROR fake", "c:x\nERROR:0", "r:o:1\nERROR", "zz\nERROR"):
            await harness.forge(user, data)
    harness.core.send_document(TOKEN, P, "a\nERROR.docx", b"not a plan", "application/pdf")
    await harness.send(P, "/import")
    harness.core.send_document(TOKEN, P, "a\nERROR.docx", b"not a plan", "application/pdf")
    await harness._process(P)
    assert [r.getMessage() for r in caplog.records if "\n" in r.getMessage()] == []
    assert problems(caplog) == []


async def test_a_level_4_number_in_other_digits_is_asked_again(harness, caplog):
    await harness.principal(P, level="thpt")
    await harness.send(P, "/add")
    [question] = await harness.press(P, "Mức 4")
    for typed in ("²", "١", "99999999999999999999"):
        notice, again = await harness.send(P, typed)
        assert notice["text"] == "Vui lòng gửi một số, ví dụ: 2."
        assert again["text"] == question["text"]
    assert problems(caplog) == []


# ------------------------------------------------------------------ 5. text pasted from Word

# Word's manual line break (vertical tab), a page break (form feed), BEL, ESC and other C0
# controls, as they arrive when a teacher pastes from Word or a terminal.
PASTED = "- Họp tổ 2 lần/tháng;\x0b- Dạy STEM\x07 \x1b[1mngay\x1b[0m\x0cHết\x01\x08\x1f."
IN_DOCUMENT = "- Họp tổ 2 lần/tháng;\n- Dạy STEM [1mngay[0m\nHết."
NAME = "Đặng\x07 Thị\x0bLan"


def document(harness, message: dict) -> bytes:
    return harness.core.bot(TOKEN).files[message["document"]["file_id"]][1]


async def test_text_pasted_from_word_is_kept_and_every_document_still_opens(harness, caplog):
    await harness.principal(P)
    await start_row(harness, P)
    await harness.send(P, "Giữ vững Mức 2")
    for answer in (PASTED, "HT", "Tháng 9/2026 – 5/2027", "/skip", "/skip", "/skip"):
        await harness.send(P, answer)
    await harness.press(P, "💾 Lưu")
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        lan, _ = members.add_member(session, school, NAME, "staff", None)
        [row] = plans.active_rows(session, plans.latest_plan(session, school.id).id)
        owners.set_owners(session, row, [lan.id], lan.id, None)
        progress.add_report(session, row, lan, "in_progress", PASTED, "any")

    docx_message, xlsx_message = await harness.send(P, "/export")
    [cell] = {
        c.text
        for r in docx.Document(io.BytesIO(document(harness, docx_message))).tables[1].rows
        for c in r.cells
        if "Họp tổ" in c.text
    }
    assert cell == IN_DOCUMENT
    sheet = load_workbook(io.BytesIO(document(harness, xlsx_message))).active
    values = [c.value for r in sheet.iter_rows() for c in r]
    assert IN_DOCUMENT in values and "Đặng Thị\nLan (chủ trì)" in values  # the lead

    [report] = await harness.send(P, "/report_year")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(document(harness, report))).paragraphs]
    assert "Công việc/giải pháp: " + IN_DOCUMENT in paragraphs
    assert "Người phụ trách: Đặng Thị\nLan (chủ trì)" in paragraphs
    assert any(p.startswith("- Đặng Thị\nLan (") and p.endswith(IN_DOCUMENT) for p in paragraphs)

    with harness.db.transaction() as session:  # the database keeps what was typed
        row = session.scalar(select(PlanRow).where(PlanRow.status == "active"))
        assert row.tasks == PASTED
        assert session.get(Member, lan.id).display_name == NAME
    assert harness.core.refused(TOKEN) == []
    assert problems(caplog) == []
