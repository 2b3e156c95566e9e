"""/import in the chat: .docx → preview → confirm; bad files get a clear answer, change nothing."""

from pathlib import Path

from sqlalchemy import func, select

from bot.services import members
from db.models import Plan, PlanRow, PriorityIssue, RowStatus, School
from tests.conftest import TOKEN
from tests.handlers.conftest import buttons
from tests.unit.test_plan_import import HEADER, docx_bytes

P = 50
TT57_SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "plan-tt57-tieu-hoc-2026-2027.docx"
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


def _tt57(harness):
    """The school follows Thông tư 57/2026: its new plans are Biểu 2."""
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        school.regulation = "TT57-2026"


async def test_import_of_a_bieu_2_plan(harness):
    await harness.principal(P, school="Trường Tiểu học Hòa Bình", level="tieu_hoc")
    _tt57(harness)
    await harness.send(P, "/import")
    [preview] = await send_file(harness, "bieu-2.docx", TT57_SAMPLE.read_bytes())
    assert "Tìm thấy 7 dòng" in preview["text"]
    assert "Biểu 2 của Thông tư 57/2026 (mười cột)." in preview["text"]
    assert "4 vấn đề trọng tâm (mục IV); 2 dòng theo dõi, đánh giá (mục VI)" in preview["text"]
    assert "1.3 — Tiêu chí 1.3: Chuẩn hóa hồ sơ số" in preview["text"]
    assert buttons(preview)[0] == "Nhập vào kế hoạch năm học 2026-2027"
    assert count(harness) == 0
    [done] = await harness.press(P, buttons(preview)[0])
    assert done["text"].startswith(
        "✅ Đã thêm 7 dòng, 4 vấn đề trọng tâm và 2 dòng theo dõi, đánh giá vào kế hoạch "
        "năm học 2026-2027."
    )
    assert count(harness) == 7
    with harness.db.transaction() as session:
        plan = session.scalar(select(Plan))
        assert plan.template == "TT57-2026" and len(plan.sections["general"]) == 5
        assert session.scalar(select(func.count()).select_from(PriorityIssue)) == 4
    [docx_file, xlsx_file] = await harness.send(P, "/export")
    assert docx_file["document"]["file_name"].endswith(".docx")
    assert xlsx_file["document"]["file_name"].endswith(".xlsx")


async def test_a_file_of_the_other_template_is_refused_with_the_reason(harness):
    await harness.principal(P, school="Trường Tiểu học Hòa Bình", level="tieu_hoc")
    await harness.send(P, "/import")
    refused, again = await send_file(harness, "bieu-2.docx", TT57_SAMPLE.read_bytes())
    assert refused["text"].startswith("Tệp này là kế hoạch theo Biểu 2 của Thông tư 57/2026")
    assert "mẫu năm 2018 (chín cột)" in refused["text"] and "Gửi tệp kế hoạch" in again["text"]
    _tt57(harness)
    refused, _ = await send_file(harness, "ke-hoach.docx", docx_bytes([PLAN]))
    assert refused["text"].startswith("Tệp này là kế hoạch theo mẫu năm 2018 (chín cột)")
    assert count(harness) == 0
