"""/start, joining with the principal code, /help, /language, the command menus."""

from tests.conftest import TOKEN
from tests.handlers.conftest import buttons, text


async def test_unknown_user_gets_onboarding_only(harness):
    harness.user(1)
    reply = text(await harness.send(1, "/start"))
    assert "Xin chào! Tôi là trợ lý caitien." in reply
    assert "/start MÃ" in reply
    for attempt in ("/plan", "/add", "xin chào", "/foo"):
        again = text(await harness.send(1, attempt))
        assert "Tôi là trợ lý caitien" in again, attempt


async def test_english_user_gets_english(harness):
    harness.user(2, language="en-GB")
    reply = text(await harness.send(2, "/start"))
    assert "Hello! I am caitien." in reply


async def test_principal_code_makes_the_principal_once(harness):
    [welcome] = await harness.principal(3)
    assert (
        "Chào mừng! Thầy/cô đã tham gia THCS Lê Quý Đôn với vai trò hiệu trưởng." in welcome["text"]
    )
    assert "/add" in welcome["text"]
    harness.user(4)
    refused = text(await harness.send(4, "/start not-a-real-code"))
    assert "Mã này không hợp lệ." in refused and "Tôi là trợ lý caitien" in refused


async def test_plan_is_created_on_first_use(harness):
    await harness.principal(5)
    [plan] = await harness.send(5, "/plan")
    assert "Kế hoạch cải tiến chất lượng giáo dục năm học" in plan["text"]
    assert "Kế hoạch chưa có dòng nào. Gõ /add để viết dòng đầu tiên." in plan["text"]


async def test_language_switch(harness):
    await harness.principal(6)
    [menu] = await harness.send(6, "/language")
    assert buttons(menu) == ["Tiếng Việt", "English"]
    [done] = await harness.press(6, "English")
    assert done["text"] == "Language set: English."
    [plan] = await harness.send(6, "/plan")
    assert "Quality-improvement plan, school year" in plan["text"]
    await harness.send(6, "/language")
    await harness.press(6, "Tiếng Việt")
    [plan] = await harness.send(6, "/plan")
    assert "Kế hoạch cải tiến chất lượng giáo dục" in plan["text"]


async def test_command_menus_are_set_per_language(harness):
    commands = harness.core.bot(TOKEN).commands
    assert [c["command"] for c in commands["all_private_chats::vi"]] == [
        "plan",
        "add",
        "mine",
        "report",
        "team",
        "invite",
        "import",
        "export",
        "report_year",
        "digest",
        "settings",
        "language",
        "help",
        "cancel",
    ]
    assert commands["all_private_chats::vi"][1]["description"] == "viết dòng kế hoạch mới"
    assert commands["all_private_chats::en"][1]["description"] == "write a new row"
    assert commands["all_private_chats::"] == commands["all_private_chats::vi"]
