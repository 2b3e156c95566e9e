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


async def test_telegram_in_english_still_gets_vietnamese_until_chosen(harness):
    # Issue 11: Telegram has no Vietnamese interface; its "en" is not a choice.
    harness.user(2, language="en-GB")
    reply = text(await harness.send(2, "/start"))
    assert "Xin chào! Tôi là trợ lý caitien." in reply
    await harness.send(2, "/language")
    await harness.press(2, "English")
    assert "Hello! I am caitien." in text(await harness.send(2, "/start"))


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


async def test_strangers_menu_is_vietnamese_for_all_private_chats(harness):
    # Issue 11: one menu for every private chat without its own, in Vietnamese whatever
    # language Telegram reports (no per-language menus left from earlier versions).
    commands = harness.core.bot(TOKEN).commands
    strangers = commands["all_private_chats:::"]
    assert [c["command"] for c in strangers] == ["start", "help", "language"]
    assert strangers[0]["description"] == "tham gia trường bằng mã mời"
    assert not any(
        key.startswith("all_private_chats:::") and key != "all_private_chats:::" for key in commands
    )
    assert set(commands) == {"all_private_chats:::"}
