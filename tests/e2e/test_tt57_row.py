"""Issue 12, point 2, through `caitien run` over HTTP: the principal of a TT57-2026 school writes
a priority issue with /priorities and a Biểu 2 row with /add (killed once mid-way), then /plan
and the row's card show the Biểu 2 columns; the JSON export has them."""

from __future__ import annotations

from tests.conftest import TOKEN
from tests.e2e import test_write_row
from tests.e2e.test_write_row import text_of

USER = 7101

CONTENT = "Chuẩn hoá hồ sơ số và cơ sở dữ liệu ngành"
OBJECTIVE = "Hồ sơ đầy đủ, chính xác, khớp với hồ sơ giấy"
ACTIVITIES = "- Rà soát dữ liệu học sinh;\n- Cập nhật hồ sơ giáo viên."
INDICATORS = "100 phần trăm hồ sơ học sinh được cập nhật trước 31/10/2026"
TIMELINE = "Tháng 9/2026 – 5/2027"
LEAD = "PHT chủ trì; văn thư, GVCN phối hợp"
RESOURCES = "Ngân sách nhà nước, khoảng 12 triệu"
EVIDENCE = "Quy chế hồ sơ; biên bản kiểm tra"


async def say(core, text: str, count: int = 1) -> list[dict]:
    return await test_write_row.say(core, text, count, USER)


async def press(core, button_text: str, count: int = 1) -> list[dict]:
    return await test_write_row.press(core, button_text, count, USER)


def buttons(message: dict) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


async def test_a_tt57_principal_writes_an_issue_and_a_row(server, bot):
    core = server.core
    core.user(USER, first_name="Bình", language_code="vi")
    school = bot.cli(
        "school",
        "create",
        "--name",
        "THCS Nguyễn Du",
        "--level",
        "thcs",
        "--regulation",
        "TT57-2026",
    )
    await bot.start()
    await say(core, f"/start {school['principal_code']}")

    # Section IV: one priority issue.
    [listed] = await say(core, "/priorities")
    assert "IV. CÁC VẤN ĐỀ TRỌNG TÂM CẦN CẢI TIẾN" in text_of(listed)
    await press(core, "➕ Thêm vấn đề trọng tâm")
    await press(core, "Tiêu chuẩn 1")
    _picked, _question = await press(core, "Tiêu chí 1.4", count=2)
    await say(core, "Dữ liệu ngành chưa được cập nhật kịp thời")
    await say(core, "Hồ sơ số còn thiếu, chưa khớp hồ sơ giấy")
    [issue_card] = await say(core, "Chưa phân công người cập nhật")
    assert "Điểm hạn chế: Hồ sơ số còn thiếu" in text_of(issue_card)
    await press(core, "💾 Lưu", count=2)

    # A Biểu 2 row; the bot is killed after the criterion.
    await say(core, "/add", count=2)
    await press(core, "Tiêu chuẩn 1")
    _picked, issue_question = await press(core, "Tiêu chí 1.4", count=2)
    assert "giải quyết vấn đề trọng tâm nào" in text_of(issue_question)
    assert buttons(issue_question)[0].startswith("✅ 1. Tiêu chí 1.4 — Hồ sơ số còn thiếu")
    bot.kill()
    await bot.start()
    await bot.settled()  # the criterion press, if still in the inbox, asks its question again
    core.mark(TOKEN, USER)
    _linked, question = await press(core, "✅ 1. Tiêu chí 1.4", count=2)
    assert "(1/8)" in text_of(question) and "Nội dung cần cải tiến" in text_of(question)
    for answer in (CONTENT, OBJECTIVE, ACTIVITIES, INDICATORS, TIMELINE, LEAD, RESOURCES):
        await say(core, answer)
    [card] = await say(core, EVIDENCE)
    card_text = text_of(card)
    for shown in (
        f"(2) Nội dung cải tiến: {CONTENT}",
        f"(5) Chỉ số đánh giá kết quả: {INDICATORS}",
        "Hiểu là: 01/09/2026 – 31/05/2027",
        "Hiểu là: 12.000.000 đồng",
        f"(9) Minh chứng dự kiến: {EVIDENCE}",
        "(10) Mức độ thực hiện: (chưa có báo cáo)",
        "Vấn đề trọng tâm: 1. Tiêu chí 1.4",
    ):
        assert shown in card_text, shown
    saved, row_card = await press(core, "💾 Lưu", count=2)
    assert "Đã lưu 1.4 — Chuẩn hoá hồ sơ số" in text_of(saved)
    assert "(7) Phụ trách: PHT chủ trì" in text_of(row_card)

    [plan] = await say(core, "/plan")
    plan_text = text_of(plan)
    assert "Biểu 2, Phụ lục V" in plan_text and "1 vấn đề trọng tâm (mục IV)" in plan_text
    assert "1. 1.4 — Chuẩn hoá hồ sơ số" in plan_text and "vấn đề 1" in plan_text
    [opened] = await press(core, "1.4 — Chuẩn hoá hồ sơ số")
    assert "Dòng 1" in text_of(opened) and "(3) Mục tiêu: Hồ sơ đầy đủ" in text_of(opened)

    export = bot.cli("plan", "export", "--school", str(school["school_id"]), "--format", "json")
    assert export["template"] == "TT57-2026"
    [issue] = export["priority_issues"]
    assert issue["criterion"] == "1.4" and issue["limitations"].startswith("Hồ sơ số")
    [row] = export["rows"]
    assert row["content"] == CONTENT and row["indicators"] == INDICATORS
    assert row["activities"] == ACTIVITIES and row["expected_evidence"] == EVIDENCE
    assert row["issue"] == 1 and row["criterion"] == "1.4"
    assert row["resources"]["amount_vnd"] == 12_000_000
