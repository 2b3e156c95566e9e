"""Issue 12, point 2: a TT57-2026 plan (Biểu 2) in the chat. /add asks the template's
questions (criterion optional, the priority issue the row answers), the card and /plan show
the Biểu 2 columns, /priorities writes section IV; a 2018 plan is as it always was."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain import document_settings
from bot.services import members, plans, priorities
from bot.services.schools import create_school
from db.models import Member, Plan, PlanRow, PriorityIssue, RowStatus
from tests.conftest import TOKEN
from tests.handlers.conftest import buttons, text

P, TEACHER = 9700, 9701
YEAR = "2026-2027"


def tt57_school(harness, with_issues: bool = True) -> dict[str, str]:
    """A THCS school under TT57-2026 with a teacher; the plan of 2026-2027 with two issues."""
    with harness.db.transaction() as session:
        school, invite = create_school(
            session, "THCS Nguyễn Du", "thcs", "TT57-2026", "Asia/Ho_Chi_Minh"
        )
        document_settings.update(school, principal_name="Trần Văn Bình")
        _teacher, teacher_invite = members.add_member(
            session, school, "Lê Thị Mai", "staff", "Giáo viên"
        )
        plan = plans.ensure_plan(session, school, YEAR)
        assert plan.template == "TT57-2026"
        if with_issues:
            regulation = plans.regulation_of(school)
            for words in (
                priorities.IssueWords(
                    None,
                    None,
                    "2/28 giáo viên chưa đạt chuẩn",
                    "Một số giáo viên chưa ứng dụng công nghệ số trong dạy học",
                    "Bồi dưỡng còn ít",
                    standard=2,
                    criterion_code="2.2",
                ),
                priorities.IssueWords(
                    None,
                    None,
                    "Hoạt động trải nghiệm còn đơn điệu",
                    "Chưa tổ chức thường xuyên hoạt động trải nghiệm",
                    "Thiếu kinh phí",
                    standard=3,
                ),
            ):
                priorities.add_issue(session, plan, words, None, regulation)
        return {"principal": invite.code, "teacher": teacher_invite.code}


async def join(harness, codes: dict[str, str]) -> None:
    harness.user(P)
    await harness.send(P, f"/start {codes['principal']}")


def stored(harness, status=RowStatus.ACTIVE) -> list[PlanRow]:
    with harness.db.transaction() as session:
        found = session.scalars(select(PlanRow).where(PlanRow.status == status))
        rows = list(found)
        session.expunge_all()
        return rows


def issues(harness, status=RowStatus.ACTIVE) -> list[PriorityIssue]:
    with harness.db.transaction() as session:
        found = session.scalars(
            select(PriorityIssue)
            .where(PriorityIssue.status == status)
            .order_by(PriorityIssue.position, PriorityIssue.id)
        )
        rows = list(found)
        session.expunge_all()
        return rows


ANSWERS = [
    ("Chuẩn hoá ứng dụng công nghệ số trong dạy học", "Mục tiêu cần đạt"),
    ("100 phần trăm giáo viên dạy ít nhất 2 tiết/tháng có ứng dụng CNTT", "hoạt động, giải pháp"),
    ("- Bồi dưỡng theo tổ;\n- Dự giờ, rút kinh nghiệm.", "Chỉ số nào cho thấy kết quả"),
    ("28/28 giáo viên đạt yêu cầu trước 15/5/2027", "Thời gian thực hiện"),
    ("Tháng 9/2026 – 5/2027", "Ai phụ trách"),
    ("PHT chuyên môn chủ trì; các TTCM phối hợp", "Nguồn lực thực hiện"),
    ("Ngân sách nhà nước, khoảng 12 triệu", "Minh chứng dự kiến"),
]


async def test_a_tt57_row_every_question_card_and_save(harness):
    await join(harness, tt57_school(harness))
    notice, standards = await harness.send(P, "/add")
    assert "Dòng mới cho kế hoạch năm học 2026-2027" in notice["text"]
    assert "Chọn tiêu chuẩn" in standards["text"] and "Mức 4" not in buttons(standards)
    [criteria] = await harness.press(P, "Tiêu chuẩn 2")
    assert "Tiêu chuẩn 2: chọn tiêu chí" in criteria["text"]
    assert "Không chọn tiêu chí cụ thể" in buttons(criteria)
    picked, issue_question = await harness.press(P, "2.2 Giáo viên")
    assert picked["text"].startswith("✅ Đã chọn: 2.2 Giáo viên")
    assert "giải quyết vấn đề trọng tâm nào (mục IV)" in issue_question["text"]
    # The issue of the same criterion is preselected (stored), the others offered, and none.
    first, second, none = buttons(issue_question)[:3]
    assert first == "✅ 1. Tiêu chí 2.2 — Một số giáo viên chưa ứng dụng công nghệ…"
    assert second.startswith("2. Tiêu chuẩn 3 — Chưa tổ chức thường xuyên")
    assert none == "Không gắn vấn đề nào"
    [draft] = stored(harness, RowStatus.DRAFT)
    assert draft.issue_id is not None and draft.criterion_code == "2.2"
    linked, question = await harness.press(P, "✅ 1. Tiêu chí 2.2")
    assert linked["text"].startswith("✅ Vấn đề trọng tâm: 1. Tiêu chí 2.2")
    assert "(1/8) Nội dung cần cải tiến là gì" in question["text"]
    for answer, next_question in ANSWERS:
        [reply] = await harness.send(P, answer)
        assert next_question in reply["text"], reply["text"]
    assert "(8/8)" in reply["text"] and "Bỏ qua ▶" in buttons(reply)
    [card] = await harness.send(P, "Kế hoạch bồi dưỡng; biên bản dự giờ")
    assert "Tóm tắt dòng kế hoạch mới" in card["text"]
    for shown in (
        "Tiêu chí 2.2: Giáo viên",
        "Vấn đề trọng tâm: 1. Tiêu chí 2.2 — Một số giáo viên",
        "(2) Nội dung cải tiến: Chuẩn hoá ứng dụng công nghệ số trong dạy học",
        "(3) Mục tiêu: 100 phần trăm",
        "(4) Hoạt động, giải pháp: - Bồi dưỡng theo tổ;",
        "(5) Chỉ số đánh giá kết quả: 28/28 giáo viên",
        "(6) Thời gian: Tháng 9/2026 – 5/2027",
        "Hiểu là: 01/09/2026 – 31/05/2027",
        "(7) Phụ trách: PHT chuyên môn chủ trì",
        "(8) Nguồn lực: Ngân sách nhà nước, khoảng 12 triệu",
        "Hiểu là: 12.000.000 đồng",
        "(9) Minh chứng dự kiến: Kế hoạch bồi dưỡng; biên bản dự giờ",
        "(10) Mức độ thực hiện: (chưa có báo cáo)",
    ):
        assert shown in card["text"], shown
    assert "Kết quả cần đạt" not in card["text"] and "Ghi chú" not in card["text"]
    for button in (
        "✏️ Nội dung cải tiến",
        "✏️ Chỉ số đánh giá kết quả",
        "✏️ Minh chứng dự kiến",
        "🔗 Gắn với vấn đề trọng tâm",
        "👥 Người phụ trách",
        "💾 Lưu",
    ):
        assert button in buttons(card), button
    assert "✏️ Ghi chú" not in buttons(card)
    assert stored(harness) == []
    saved, row_card = await harness.press(P, "💾 Lưu")
    assert "Đã lưu 2.2 — Chuẩn hoá ứng dụng công nghệ số" in saved["text"]
    assert "Dòng 1" in row_card["text"] and "(10) Mức độ thực hiện" in row_card["text"]
    assert "🔗 Gắn với vấn đề trọng tâm" in buttons(row_card)
    [row] = stored(harness)
    assert row.content == "Chuẩn hoá ứng dụng công nghệ số trong dạy học"
    assert row.indicators == "28/28 giáo viên đạt yêu cầu trước 15/5/2027"
    assert row.expected_evidence == "Kế hoạch bồi dưỡng; biên bản dự giờ"
    assert row.budget_vnd == 12_000_000 and row.standard == 2 and row.issue_id == draft.issue_id
    [plan] = await harness.send(P, "/plan")
    for shown in (
        "Biểu 2, Phụ lục V · Thông tư số 57/2026/TT-BGDĐT",
        "2 vấn đề trọng tâm (mục IV) · /priorities",
        "Tiêu chuẩn 2",
        "1. 2.2 — Chuẩn hoá ứng dụng công nghệ số",
        "hạn 31/05/2027 · Phụ trách: PHT chuyên môn chủ trì",
        "vấn đề 1",
    ):
        assert shown in plan["text"], shown
    assert "MỨC 1, 2, 3" not in plan["text"]
    assert buttons(plan)[0].startswith("2.2 — Chuẩn hoá")


async def test_no_criterion_no_issue_timeline_before_the_year_edit_and_link(harness):
    await join(harness, tt57_school(harness))
    await harness.send(P, "/add")
    await harness.press(P, "Tiêu chuẩn 4")
    picked, issue_question = await harness.press(P, "Không chọn tiêu chí cụ thể")
    assert picked["text"] == "✅ Đã chọn: Tiêu chuẩn 4 · Không chọn tiêu chí cụ thể"
    assert "✅ Không gắn vấn đề nào" in buttons(issue_question)  # nothing of standard 4
    [_linked, content] = await harness.press(P, "✅ Không gắn vấn đề nào")
    assert "Nội dung cần cải tiến" in content["text"]
    [back] = await harness.send(P, "/back")  # back from the first question: the issue again
    assert "giải quyết vấn đề trọng tâm nào" in back["text"]
    await harness.press(P, "✅ Không gắn vấn đề nào")
    await harness.send(P, "Bổ sung thiết bị phòng học bộ môn")
    await harness.send(P, "Đủ thiết bị tối thiểu")
    [back] = await harness.send(P, "/back")
    assert "Mục tiêu cần đạt" in back["text"] and "Hiện tại: Đủ thiết bị tối thiểu" in back["text"]
    await harness.send(P, "Đủ thiết bị tối thiểu theo danh mục")
    await harness.send(P, "Mua sắm, sửa chữa")
    await harness.send(P, "Đủ 100 phần trăm danh mục")
    [confirm] = await harness.send(P, "Tháng 9/2025 – 5/2026")  # ends before 2026-2027
    assert "kết thúc trước năm học 2026-2027" in confirm["text"]
    [lead] = await harness.press(P, "✅ Đúng, giữ nguyên")
    assert "Ai phụ trách" in lead["text"]
    await harness.send(P, "Kế toán")
    [evidence] = await harness.send(P, "/skip")
    assert "Minh chứng dự kiến" in evidence["text"]
    [card] = await harness.send(P, "/skip")
    assert "Tiêu chuẩn 4" in card["text"] and "Không chọn tiêu chí cụ thể" in card["text"]
    assert "Vấn đề trọng tâm: không có" in card["text"]
    assert "(8) Nguồn lực: (trống)" in card["text"] or "(8) Nguồn lực:" in card["text"]
    saved, _card = await harness.press(P, "💾 Lưu")
    assert "Đã lưu TC4 — Bổ sung thiết bị phòng học bộ môn" in saved["text"]
    [row] = stored(harness)
    assert row.criterion_code is None and row.standard == 4 and row.issue_id is None
    # Edit one field from the saved card; the card comes back with it.
    [question] = await harness.press(P, "✏️ Chỉ số đánh giá kết quả")
    assert "Hiện tại: Đủ 100 phần trăm danh mục" in question["text"]
    [again] = await harness.send(P, "Đủ 100 phần trăm danh mục trước 31/12/2026")
    assert "(5) Chỉ số đánh giá kết quả: Đủ 100 phần trăm danh mục trước" in again["text"]
    # Link it to a priority issue from the card.
    [choose] = await harness.press(P, "🔗 Gắn với vấn đề trọng tâm")
    assert "✅ Không gắn vấn đề nào" in buttons(choose)
    _done, linked_card = await harness.press(P, "2. Tiêu chuẩn 3")
    assert "Vấn đề trọng tâm: 2. Tiêu chuẩn 3 — Chưa tổ chức" in linked_card["text"]
    [row] = stored(harness)
    assert row.issue_id == issues(harness)[1].id and row.standard == 4
    # A button of an older question is refused and changes nothing.
    stale = await harness.press(P, message_id=confirm["message_id"], button_text="✅ Đúng")
    assert "Nút này thuộc một tin nhắn cũ." in text(stale)
    [row] = stored(harness)
    assert row.issue_id == issues(harness)[1].id


async def test_the_issue_question_is_skipped_without_issues_and_2018_is_unchanged(harness):
    await join(harness, tt57_school(harness, with_issues=False))
    await harness.send(P, "/add")
    await harness.press(P, "Tiêu chuẩn 1")
    _picked, question = await harness.press(P, "1.1 ")
    assert "(1/8) Nội dung cần cải tiến" in question["text"]
    # A 2018 school: the nine-column questions, no issue, no "no specific criterion".
    await harness.principal(9710)
    await harness.send(9710, "/add")
    [criteria] = await harness.press(9710, "Tiêu chuẩn 1")
    assert "Không chọn tiêu chí cụ thể" not in buttons(criteria)
    _picked, question = await harness.press(9710, "1.4 ")
    assert "(1/7) Kết quả cần đạt" in question["text"]
    [answer] = await harness.send(9710, "/priorities")
    assert "chỉ có trong kế hoạch theo Thông tư 57/2026" in answer["text"]
    assert "theo mẫu năm 2018" in answer["text"]


async def test_priorities_add_edit_delete(harness):
    await join(harness, tt57_school(harness, with_issues=False))
    [empty] = await harness.send(P, "/priorities")
    assert "IV. CÁC VẤN ĐỀ TRỌNG TÂM CẦN CẢI TIẾN" in empty["text"]
    assert "Chưa có vấn đề trọng tâm nào." in empty["text"]
    [standards] = await harness.press(P, "➕ Thêm vấn đề trọng tâm")
    assert "Chọn tiêu chuẩn" in standards["text"]
    [criteria] = await harness.press(P, "Tiêu chuẩn 3")
    assert "Không chọn tiêu chí cụ thể" in buttons(criteria)
    picked, state_question = await harness.press(P, "3.2 ")
    assert picked["text"].startswith("✅ Đã chọn: Tiêu chí 3.2")
    assert "Đánh giá hiện trạng như thế nào?" in state_question["text"]
    [draft] = issues(harness, RowStatus.DRAFT)
    assert draft.standard == 3 and draft.criterion_code == "3.2" and draft.position is None
    empty_answer, _again = await harness.send(P, "   ")
    assert empty_answer["text"] == "Câu trả lời đang trống."
    [limits] = await harness.send(P, "Học sinh còn thụ động")
    assert "Điểm hạn chế là gì?" in limits["text"]
    # Stopped half-way: the draft is kept (not in section IV), /priorities continues it.
    [stopped] = await harness.send(P, "/cancel")
    assert "/priorities để viết tiếp" in stopped["text"]
    assert issues(harness) == []
    with harness.db.transaction() as session:
        plan = session.scalar(select(Plan))
        assert priorities.issues_of(session, plan.id) == []
    [listed] = await harness.send(P, "/priorities")
    [limits] = await harness.press(P, "➕ Viết tiếp vấn đề đang soạn")
    assert "Điểm hạn chế là gì?" in limits["text"]
    [causes] = await harness.send(P, "Giáo viên ít đổi mới phương pháp")
    assert "Nguyên nhân là gì?" in causes["text"]
    [card] = await harness.send(P, "Sĩ số lớp đông")
    for shown in (
        "Vấn đề trọng tâm mới (bản nháp)",
        "Tiêu chuẩn: Tiêu chuẩn 3: Thực hiện chương trình",
        "Tiêu chí: Tiêu chí 3.2: Đổi mới phương pháp giáo dục",
        "Đánh giá hiện trạng: Học sinh còn thụ động",
        "Điểm hạn chế: Giáo viên ít đổi mới phương pháp",
        "Nguyên nhân: Sĩ số lớp đông",
    ):
        assert shown in card["text"], shown
    [edit] = await harness.press(P, "✏️ Nguyên nhân")
    assert "Hiện tại: Sĩ số lớp đông" in edit["text"]
    [card] = await harness.send(P, "Sĩ số lớp đông; thiếu phòng học")
    assert "Nguyên nhân: Sĩ số lớp đông; thiếu phòng học" in card["text"]
    saved, issue_card = await harness.press(P, "💾 Lưu")
    assert "Đã lưu vấn đề trọng tâm 1 vào kế hoạch năm học 2026-2027" in saved["text"]
    assert "Vấn đề trọng tâm 1" in issue_card["text"]
    [issue] = issues(harness)
    assert issue.position == 1 and issue.causes == "Sĩ số lớp đông; thiếu phòng học"
    # Edit the standard and criterion of the saved issue: no specific criterion.
    await harness.press(P, "✏️ Tiêu chuẩn, tiêu chí")
    await harness.press(P, "Tiêu chuẩn 4")
    _picked, issue_card = await harness.press(P, "Không chọn tiêu chí cụ thể")
    assert "Tiêu chí: Không chọn tiêu chí cụ thể" in issue_card["text"]
    [edit] = await harness.press(P, "✏️ Đánh giá hiện trạng")
    [issue_card] = await harness.send(P, "Học sinh còn thụ động trong giờ học")
    assert "Đánh giá hiện trạng: Học sinh còn thụ động trong giờ học" in issue_card["text"]
    [issue] = issues(harness)
    assert issue.standard == 4 and issue.criterion_code is None
    [listed] = await harness.send(P, "/priorities")
    assert "1. Tiêu chuẩn 4 — Giáo viên ít đổi mới phương pháp" in listed["text"]
    # Delete, with a confirmation; a row that answered it keeps its words, unlinked.
    with harness.db.transaction() as session:
        plan = session.scalar(select(Plan))
        found = session.get(PriorityIssue, issue.id)
        row = plans.new_draft(session, _principal(session), plan)
        row.content = "Đổi mới phương pháp"
        priorities.link_row(session, row, found)
        row_id = row.id
    await harness.press(P, "1. Tiêu chuẩn 4")
    [ask] = await harness.press(P, "🗑 Xoá vấn đề này")
    assert "Xoá 1. Tiêu chuẩn 4" in ask["text"] and "vẫn giữ nguyên nội dung" in ask["text"]
    [done] = await harness.press(P, "🗑 Có, xoá")
    assert done["text"].startswith("🗑 Đã xoá 1. Tiêu chuẩn 4")
    assert issues(harness) == []
    with harness.db.transaction() as session:
        kept = session.get(PlanRow, row_id)
        assert kept.issue_id is None and kept.content == "Đổi mới phương pháp"


def _principal(session):
    return session.scalar(select(Member).where(Member.role == "principal"))


async def test_priorities_refused_to_a_teacher_even_by_a_forged_button(harness):
    codes = tt57_school(harness)
    await join(harness, codes)
    harness.user(TEACHER)
    await harness.send(TEACHER, f"/start {codes['teacher']}")
    [refused] = await harness.send(TEACHER, "/priorities")
    assert refused["text"] == "Chỉ hiệu trưởng và phó hiệu trưởng quản lý các vấn đề trọng tâm."
    first = issues(harness)[0]
    for data in ("q:a", f"q:o:{first.id}", f"q:d:{first.id}", f"q:e:{first.id}:h", "q:y:1:1"):
        answer = await harness.forge(TEACHER, data)
        assert "Chỉ hiệu trưởng và phó hiệu trưởng" in text(answer), data
    assert len(issues(harness)) == 2 and issues(harness, RowStatus.DRAFT) == []
    # The teacher does not see the command; the principal does.
    await harness.sender.drain()
    teacher_menu = [c["command"] for c in harness.core.menu(TOKEN, TEACHER)["commands"]]
    principal_menu = [c["command"] for c in harness.core.menu(TOKEN, P)["commands"]]
    assert "priorities" not in teacher_menu and "priorities" in principal_menu
    [help_principal] = await harness.send(P, "/help")
    assert "/priorities — các vấn đề trọng tâm" in help_principal["text"]


async def test_edit_from_the_summary_card_and_mine(harness):
    await join(harness, tt57_school(harness))
    await harness.send(P, "/add")
    await harness.press(P, "Tiêu chuẩn 4")
    await harness.press(P, "Không chọn tiêu chí cụ thể")
    await harness.press(P, "✅ Không gắn vấn đề nào")
    for answer in ("Sửa phòng thí nghiệm", "Đủ phòng", "Sửa chữa", "Đủ 3 phòng", "Tháng 10/2026"):
        await harness.send(P, answer)
    await harness.send(P, "Kế toán")
    await harness.send(P, "/skip")
    [card] = await harness.send(P, "/skip")
    [question] = await harness.press(P, "✏️ Nội dung cải tiến")
    assert "Hiện tại: Sửa phòng thí nghiệm" in question["text"] and "(1/8)" not in question["text"]
    [card] = await harness.send(P, "Sửa chữa phòng thí nghiệm Hoá")
    assert "Tóm tắt dòng kế hoạch mới" in card["text"]
    assert "(2) Nội dung cải tiến: Sửa chữa phòng thí nghiệm Hoá" in card["text"]
    [choose] = await harness.press(P, "🔗 Gắn với vấn đề trọng tâm")
    assert "giải quyết vấn đề trọng tâm nào" in choose["text"]
    [card] = await harness.send(P, "/back")  # back to the summary, nothing changed
    assert "Tóm tắt dòng kế hoạch mới" in card["text"]
    # Owners are picked on the summary card, as for a 2018 row; then /mine names the row.
    [picker] = await harness.press(P, "👥 Người phụ trách")
    assert "Kế toán" in picker["text"]
    principal = next(b for b in buttons(picker) if b.startswith("☐ ") and "Mai" not in b)
    [picker] = await harness.press(P, principal)
    assert principal.replace("☐", "☑") in buttons(picker)
    [card] = await harness.press(P, "✅ Xong")
    await harness.press(P, "💾 Lưu")
    [mine] = await harness.send(P, "/mine")
    assert "TC4 — Sửa chữa phòng thí nghiệm Hoá" in mine["text"]
