"""Import through the emulator over HTTP: send the sample .docx, confirm, export."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import TOKEN

USER = 9001
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "plan-thcs-2025-2026.docx"


async def test_send_the_sample_plan_and_confirm(server, bot):
    core = server.core
    core.user(USER, "Hà")
    school = bot.cli("school", "create", "--name", "THCS Lê Quý Đôn", "--level", "thcs")
    await bot.start()
    core.send_text(TOKEN, USER, f"/start {school['principal_code']}")
    await core.wait_for_bot_messages(TOKEN, USER, timeout=20)
    core.send_text(TOKEN, USER, "/import")
    await core.wait_for_bot_messages(TOKEN, USER, timeout=20)
    core.send_document(TOKEN, USER, "bad.docx", b"not a docx", "application/octet-stream")
    refused, _ = await core.wait_for_bot_messages(TOKEN, USER, count=2, timeout=20)
    assert "không phải kế hoạch" in refused["text"]
    core.send_document(
        TOKEN,
        USER,
        SAMPLE.name,
        SAMPLE.read_bytes(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    [preview] = await core.wait_for_bot_messages(TOKEN, USER, timeout=20)
    assert "Tìm thấy 3 dòng" in preview["text"]
    assert "Nhập vào kế hoạch năm học 2025-2026" in preview["text"] or any(
        "2025-2026" in b["text"] for r in preview["reply_markup"]["inline_keyboard"] for b in r
    )
    core.press(TOKEN, USER, button_text="Nhập vào kế hoạch năm học 2025-2026")
    [done] = await core.wait_for_bot_messages(TOKEN, USER, timeout=20)
    assert "Đã thêm 3 dòng vào kế hoạch năm học 2025-2026" in done["text"]
    export = bot.cli(
        "plan",
        "export",
        "--school",
        str(school["school_id"]),
        "--year",
        "2025-2026",
        "--format",
        "json",
    )
    assert [r["criterion"] for r in export["rows"]] == ["1.4", "5.2", "5.4"]
    assert export["rows"][0]["budget"]["amount_vnd"] == 5_000_000
