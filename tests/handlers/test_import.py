"""/import in the chat: .docx → preview → confirm; bad files get a clear answer, change nothing."""

from sqlalchemy import func, select

from bot.services import members
from db.models import PlanRow, RowStatus, School
from tests.conftest import TOKEN
from tests.handlers.conftest import buttons
from tests.unit.test_plan_import import HEADER, docx_bytes

P = 50
PLAN = [
    HEADER,
    ["MỨC 1, 2, 3"],
    ["1", "Tiêu chuẩn 1: Tổ chức và quản lý nhà trường"],
    [
        "",
        "Tiêu chí 1.4 Hiệu trưởng",
        "Giữ vững Mức 2",
        "CV 1",
        "HT",
        "Tháng 9/2026 – 5/2027",
        "10 triệu",
        "",
        "",
    ],
    ["", "Tiêu chí 1.6 Quản lý tài chính", "Mức 2", "CV 2", "KT", "Thường xuyên", "", "", ""],
]


def count(harness):
    with harness.db.transaction() as session:
        return session.scalar(
            select(func.count()).select_from(PlanRow).where(PlanRow.status == RowStatus.ACTIVE)
        )


async def send_file(harness, name, content):
    harness.core.send_document(TOKEN, P, name, content, "application/octet-stream")
    return await harness._process(P)


async def test_import_preview_confirm_and_append(harness):
    await harness.principal(P)
    [ask] = await harness.send(P, "/import")
    assert "Gửi tệp kế hoạch" in ask["text"]
    [preview] = await send_file(harness, "ke-hoach.docx", docx_bytes([PLAN]))
    assert "Tìm thấy 2 dòng" in preview["text"] and "Tiêu chuẩn 1: 2" in preview["text"]
    assert "1 dòng không đọc được thời gian" in preview["text"]
    assert "1.4 — Tiêu chí 1.4 Hiệu trưởng" in preview["text"]
    assert "01/09/2026 – 31/05/2027" in preview["text"]
    assert count(harness) == 0  # nothing stored before the confirmation
    [done] = await harness.press(P, buttons(preview)[0])
    assert "Đã thêm 2 dòng vào kế hoạch năm học" in done["text"]
    assert count(harness) == 2
    await harness.send(P, "/import")
    [preview] = await send_file(harness, "ke-hoach.docx", docx_bytes([PLAN]))
    [question] = await harness.press(P, buttons(preview)[0])
    assert "đã có 2 dòng" in question["text"]
    [done] = await harness.press(P, "Thêm vào sau")
    assert count(harness) == 4


async def test_bad_files_get_a_clear_answer_and_change_nothing(harness):
    await harness.principal(P)
    await harness.send(P, "/import")
    refused, again = await send_file(harness, "anh.docx", b"\xff\xd8\xff\xe0 photo")
    assert "không phải kế hoạch" in refused["text"] and "Gửi tệp kế hoạch" in again["text"]
    refused, _ = await send_file(harness, "trong.docx", docx_bytes([[HEADER]]))
    assert "không phải kế hoạch" in refused["text"]
    big, _ = await send_file(harness, "to.docx", b"0" * (30 * 1024 * 1024))
    assert big["text"].startswith("Tệp này 30 MB, vượt giới hạn 20 MB")
    [notice, again] = await harness.send(P, "xin chào")
    assert notice["text"] == "Vui lòng gửi tệp, hoặc gõ /cancel."
    [cancelled] = await harness.send(P, "/cancel")
    assert cancelled["text"] == "Đã huỷ nhập. Không có gì thay đổi."
    assert count(harness) == 0


async def test_a_file_outside_import_is_not_read(harness):
    await harness.principal(P)
    [notice, _help] = await send_file(harness, "ke-hoach.docx", docx_bytes([PLAN]))
    assert notice["text"] == "Vui lòng trả lời bằng tin nhắn chữ."
    assert count(harness) == 0


async def test_staff_cannot_import(harness):
    await harness.principal(P)
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        _, invite = members.add_member(session, school, "GV", "staff", None)
        code = invite.code
    harness.user(51)
    await harness.send(51, f"/start {code}")
    [refused] = await harness.send(51, "/import")
    assert "Chỉ hiệu trưởng và phó hiệu trưởng" in refused["text"]


async def test_report_year_in_the_chat(harness):
    await harness.principal(P)
    await harness.send(P, "/import")
    [preview] = await send_file(harness, "ke-hoach.docx", docx_bytes([PLAN]))
    await harness.press(P, buttons(preview)[0])
    [report] = await harness.send(P, "/report_year")
    assert report["document"]["file_name"].startswith("bao-cao-ket-qua-")
    assert "hoàn thành 0/2 nội dung" in report["caption"]
