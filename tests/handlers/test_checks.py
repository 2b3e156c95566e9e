"""Issue 11 point 4: what people type is checked where it matters.

A timeline of an earlier school year is shown back for confirmation (wizard and card), listed
in the import preview, not counted overdue until confirmed; a refused file says why; a long
answer is stored whole and shown with a note of how much was kept."""

from sqlalchemy import select

from bot.domain import notification_rules
from bot.services import digest, outbox
from db.models import PlanRow, ProgressReport, RowHistory, RowStatus, School
from tests.conftest import TOKEN
from tests.emulator.core import MAX_TEXT
from tests.handlers.conftest import START, buttons
from tests.handlers.test_add_row import start_row
from tests.handlers.test_import import PLAN, count, docx_bytes, send_file
from tests.handlers.test_reminders import LAN, at, chat, seed, states
from tests.handlers.test_report import OWNER
from tests.handlers.test_report import setup as report_setup
from tests.handlers.test_rows import P, write_row

EARLY = "Năm học 2025-2026"  # in the 2026-2027 plan: ends 31/05/2026, before 05/09/2026
QUESTION = "thời gian này kết thúc trước năm học 2026-2027, thầy/cô xác nhận?"


def the_row(harness, status=None):
    with harness.db.transaction() as session:
        query = select(PlanRow).order_by(PlanRow.id.desc())
        if status is not None:
            query = query.where(PlanRow.status == status)
        row = session.scalars(query).first()
        session.expunge(row)
        return row


async def answer_until_timeline(harness):
    await start_row(harness, P)
    for answer in ("Giữ vững Mức 2", "CV", "HT"):
        await harness.send(P, answer)


async def test_wizard_shows_an_earlier_year_back_and_keeps_the_flag_until_confirmed(harness):
    await harness.principal(P)
    await answer_until_timeline(harness)
    [ask] = await harness.send(P, EARLY)
    assert "→ Hiểu là: 01/09/2025 – 31/05/2026" in ask["text"] and QUESTION in ask["text"]
    assert EARLY in ask["text"]  # the words as written, above what was understood
    assert buttons(ask) == ["✅ Đúng, giữ nguyên", "✏️ Nhập lại"]
    draft = the_row(harness)
    assert draft.timeline_text == EARLY and draft.timeline_flags == ["before_school_year"]
    [again] = await harness.press(P, "✏️ Nhập lại")
    assert "Thời gian thực hiện và hoàn thành?" in again["text"]
    assert the_row(harness).timeline_flags == ["before_school_year"]  # kept until confirmed
    [ask] = await harness.send(P, "Tháng 8/2026")  # still before 05/09/2026
    assert "→ Hiểu là: 01/08/2026 – 31/08/2026" in ask["text"] and QUESTION in ask["text"]
    [budget] = await harness.press(P, "✅ Đúng, giữ nguyên")
    assert "Dự kiến kinh phí" in budget["text"]
    row = the_row(harness)
    assert row.timeline_text == "Tháng 8/2026"
    assert row.timeline_flags == ["before_school_year", "before_school_year_confirmed"]
    for answer in ("/skip", "/skip", "/skip"):
        [card] = await harness.send(P, answer)
    assert "thời gian này kết thúc trước khi năm học bắt đầu (đã xác nhận)" in card["text"]
    assert "✅ Xác nhận thời gian" not in buttons(card)


async def test_a_text_at_the_confirmation_is_the_timeline_written_again(harness):
    await harness.principal(P)
    await answer_until_timeline(harness)
    await harness.send(P, EARLY)
    [budget] = await harness.send(P, "Tháng 9/2026 – 5/2027")
    assert "Dự kiến kinh phí" in budget["text"]
    row = the_row(harness)
    assert row.timeline_text == "Tháng 9/2026 – 5/2027" and row.timeline_flags == []


async def test_card_edit_asks_again_and_the_card_confirms_later(harness):
    await harness.principal(P)
    await write_row(harness)
    await harness.send(P, "/plan")
    await harness.press(P, "1.4 —")
    await harness.press(P, "✏️ Thời gian thực hiện và hoàn thành")
    [ask] = await harness.send(P, EARLY)
    assert QUESTION in ask["text"]
    [card] = await harness.send(P, "/cancel")  # walks away without confirming
    await harness.send(P, "/plan")
    [card] = await harness.press(P, "1.4 —")
    assert "chưa tính quá hạn và chưa nhắc hạn cho đến khi được xác nhận" in card["text"]
    assert "✅ Xác nhận thời gian" in buttons(card)
    row = the_row(harness, RowStatus.ACTIVE)
    assert row.timeline_text == EARLY and row.timeline_flags == ["before_school_year"]
    [confirmed] = await harness.press(P, "✅ Xác nhận thời gian")
    assert confirmed["message_id"] == card["message_id"]  # the card is replaced in place
    assert "(đã xác nhận)" in confirmed["text"]
    assert "✅ Xác nhận thời gian" not in buttons(confirmed)
    row = the_row(harness, RowStatus.ACTIVE)
    assert row.timeline_flags == ["before_school_year", "before_school_year_confirmed"]
    with harness.db.transaction() as session:
        fields = session.scalars(select(RowHistory.field).where(RowHistory.row_id == row.id))
        assert "timeline_confirmed" in list(fields)


async def test_digest_and_reminders_skip_the_row_until_confirmed(harness):
    await harness.principal(P)
    await write_row(harness)
    await harness.send(P, "/plan")
    await harness.press(P, "1.4 —")
    await harness.press(P, "✏️ Thời gian thực hiện và hoàn thành")
    await harness.send(P, EARLY)
    await harness.send(P, "/cancel")
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        found = digest.build(session, school, START)
        assert found is not None and found.total == 1
        assert found.overdue == ()  # due 31/05/2026, today 01/12/2026: not late until confirmed
        plan_id = the_row(harness, RowStatus.ACTIVE).plan_id
        [facts] = outbox.row_facts(session, [plan_id]).values()
        assert facts[0].unconfirmed
    await harness.send(P, "/plan")
    await harness.press(P, "1.4 —")
    await harness.press(P, "✅ Xác nhận thời gian")
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        found = digest.build(session, school, START)
        assert found is not None and [r.label for r in found.overdue] == ["1.4 — KQ"]
        [facts] = outbox.row_facts(session, [plan_id]).values()
        assert not facts[0].unconfirmed


def test_no_deadline_reminders_for_an_unconfirmed_row():
    owner = notification_rules.Owner(7, None)
    row = notification_rules.RowFacts(1, 1, START.date(), False, (owner,))
    tz = START.tzinfo
    kinds = {n.kind for n in notification_rules.planned([row], [], "2026-2027", tz)}
    assert notification_rules.DUE_TODAY in kinds
    waiting = notification_rules.RowFacts(1, 1, START.date(), False, (owner,), unconfirmed=True)
    kinds = {n.kind for n in notification_rules.planned([waiting], [], "2026-2027", tz)}
    assert not kinds & set(notification_rules.REMINDERS)
    assert notification_rules.MID_YEAR in kinds  # the prompts still come


async def test_import_preview_lists_rows_of_an_earlier_year(harness):
    await harness.principal(50)
    early = [*PLAN[:3], [*PLAN[3][:5], EARLY, *PLAN[3][6:]], PLAN[4]]
    await harness.send(50, "/import")
    [preview] = await send_file(harness, "ke-hoach.docx", docx_bytes([early]))
    assert "1 dòng có thời gian kết thúc trước khi năm học 2026-2027 bắt đầu" in preview["text"]
    assert (
        "• 1.4 — Giữ vững Mức 2: Năm học 2025-2026 → 01/09/2025 – 31/05/2026" in (preview["text"])
    )
    assert "1.6" not in preview["text"].split("bắt đầu")[1].split("\n\n")[0]
    await harness.press(50, buttons(preview)[0])
    assert count(harness) == 2
    with harness.db.transaction() as session:
        found = session.execute(select(PlanRow.criterion_code, PlanRow.timeline_flags)).all()
    flags = {code: value for code, value in found}
    assert flags["1.4"] == ["before_school_year"] and flags["1.6"] == ["no_date"]


async def test_import_refusals_say_why(harness):
    await harness.principal(50)
    await harness.send(50, "/import")
    refused, again = await send_file(harness, "ke-hoach.doc", b"\xd0\xcf\x11\xe0 old word")
    assert (
        "tệp Word định dạng cũ (.doc)" in refused["text"]
        and "lưu lại dưới dạng .docx" in (refused["text"])
    )
    assert "Gửi tệp kế hoạch" in again["text"]
    refused, _ = await send_file(harness, "ke-hoach.xls", b"\xd0\xcf\x11\xe0 old excel")
    assert "lưu lại dưới dạng .xlsx" in refused["text"]
    harness.core.send_document(TOKEN, 50, "ke-hoach.pdf", b"%PDF-1.4 plan", "application/pdf")
    refused, _ = await harness._process(50)
    assert refused["text"].startswith("Tệp PDF không đọc lại được")
    assert "gửi tệp Word hoặc Excel của kế hoạch" in refused["text"]
    harness.core.send_photo(TOKEN, 50, b"\xff\xd8\xff\xe0 a photo of the plan")
    refused, again = await harness._process(50)
    assert refused["text"].startswith("Ảnh chụp không đọc được")
    assert "gửi tệp Word hoặc Excel của kế hoạch" in refused["text"]
    assert "Gửi tệp kế hoạch" in again["text"]
    big, _ = await send_file(harness, "ke-hoach.docx", b"0" * (21 * 1024 * 1024))
    assert big["text"].startswith("Tệp này 21 MB, vượt giới hạn 20 MB mà bot nhận được")
    assert count(harness) == 0


async def test_report_evidence_over_the_limit_names_the_limit(harness):
    await report_setup(harness)
    await harness.send(OWNER, "/report")
    await harness.press(OWNER, "1.4 —")
    await harness.press(OWNER, "Đang thực hiện")
    await harness.send(OWNER, "/skip")
    harness.core.send_document(TOKEN, OWNER, "video.mp4", b"0" * (25 * 1024 * 1024), "video/mp4")
    refused, again = await harness._process(OWNER)
    assert refused["text"].startswith("Tệp này 25 MB, vượt giới hạn 20 MB mà bot nhận được")
    assert "Gửi ảnh hoặc tệp minh chứng" in again["text"]


def all_sent_fit(messages):
    return all(len((m.get("text") or "").encode("utf-16-le")) // 2 <= MAX_TEXT for m in messages)


async def test_a_5000_character_answer_is_kept_whole(harness):
    await harness.principal(P)
    await start_row(harness, P)
    await harness.send(P, "Giữ vững Mức 2")
    long = ("Tổ chức họp tổ chuyên môn định kỳ, rà soát kế hoạch. " * 100)[:5000]
    assert len(long) == 5000
    [lead] = await harness.send(P, long)
    assert "Ai chủ trì" in lead["text"]
    assert the_row(harness).tasks == long  # stored whole
    [again] = await harness.send(P, "/back")
    assert "Hiện tại:" in again["text"] and "(đã lưu đủ 5.000 ký tự)" in again["text"]
    assert len(again["text"]) < MAX_TEXT
    # answered again from that question (the tasks), then the rest of the row
    for answer in (long, "HT", "Tháng 9/2026 – 5/2027", "/skip", "/skip"):
        await harness.send(P, answer)
    card = await harness.send(P, "/skip")
    assert len(card) >= 2 and all_sent_fit(card)  # the card is split, nothing cut
    shown = "".join(m["text"] for m in card)
    assert shown.count("rà soát kế hoạch") >= 90
    saved = await harness.press(P, "💾 Lưu")
    assert all_sent_fit(saved) and the_row(harness, RowStatus.ACTIVE).tasks == long


async def test_a_5000_character_report_is_kept_whole(harness):
    await report_setup(harness)
    await harness.send(OWNER, "/report")
    await harness.press(OWNER, "1.4 —")
    await harness.press(OWNER, "Đang thực hiện")
    long = ("Đã tổ chức chuyên đề cấp trường, có biên bản kèm theo. " * 100)[:5000]
    [files] = await harness.send(OWNER, long)
    assert "Nội dung đã ghi:" in files["text"] and "(đã lưu đủ 5.000 ký tự)" in files["text"]
    with harness.db.transaction() as session:
        assert session.scalar(select(ProgressReport.text)) == long


async def test_a_reminder_planned_before_the_flag_is_skipped_at_send_time(harness):
    """A reminder already in the outbox when the row's timeline becomes one of an earlier
    school year (edited, imported again) is not sent on dates in doubt: skipped, with why."""
    [row_id] = await seed(harness)
    harness.running_at(at(2026, 12, 17, 7, 59))
    harness.clock.advance(minutes=2)
    with harness.db.transaction() as session:  # the 14-day reminder is written...
        outbox.materialise(session, harness.clock.now())
        row = session.get(PlanRow, row_id)
        row.timeline_flags = ["before_school_year"]  # ...then the timeline is in doubt
    await harness.sender.drain()
    reasons = {(s[2], s[3]) for s in states(harness) if s[0] == "due_soon"}
    assert reasons == {("skipped", "timeline_unconfirmed")}
    with harness.db.transaction() as session:
        session.get(PlanRow, row_id).timeline_flags = [
            "before_school_year",
            "before_school_year_confirmed",
        ]
    harness.running_at(at(2026, 12, 28, 7, 59))  # 3 days before: confirmed, it goes
    assert await harness.tick(minutes=2) >= 1
    assert "còn 3 ngày đến hạn" in chat(harness, LAN)[-1]["text"]
