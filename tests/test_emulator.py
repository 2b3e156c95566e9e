"""The emulator refuses what Telegram refuses, with the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dt

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter

from tests.conftest import TOKEN
from tests.emulator import BotApiEmulator, EmulatorRequest, EmulatorServer

USER = 42


@pytest.fixture
async def server():
    emulator = EmulatorServer()
    await emulator.start()
    emulator.core.user(USER, "Hà")
    yield emulator
    await emulator.stop()


@pytest.fixture(params=["http", "in-process"])
async def bot(request, server):
    if request.param == "http":
        client = Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url)
    else:
        client = Bot(
            TOKEN,
            request=EmulatorRequest(server.core),
            get_updates_request=EmulatorRequest(server.core),
        )
    async with client:
        yield client


async def test_get_me_and_messages(bot):
    me = await bot.get_me()
    assert me.is_bot and me.username == "caitien_test_bot"
    sent = await bot.send_message(USER, "<b>Xin chào</b> &amp; chào", parse_mode="HTML")
    assert sent.text == "Xin chào & chào" and sent.from_user.id == me.id
    edited = await bot.edit_message_text("Đã sửa", USER, sent.message_id)
    assert edited.text == "Đã sửa"
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text("Đã sửa", USER, sent.message_id)
    assert await bot.delete_message(USER, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)not found"):
        await bot.edit_message_text("x", USER, sent.message_id)


async def test_limits(bot):
    await bot.send_message(USER, "x" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(USER, "x" * 4097)
    # Telegram counts the text after entity parsing, not the raw HTML.
    await bot.send_message(USER, "&lt;" * 4000, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(USER, "😀" * 2049)  # 4098 UTF-16 units
    with pytest.raises(BadRequest, match=r"(?i)empty"):
        await bot.send_message(USER, "  ")
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(
            USER,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("A", callback_data="é" * 33)]]
            ),
        )  # 66 bytes
    for bad in ("<b>x", "a < b", "<script>x</script>", "AT&T"):
        with pytest.raises(BadRequest, match=r"(?i)parse entities"):
            await bot.send_message(USER, bad, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "x")


async def test_injected_failures(server, bot):
    server.core.fail_next(TOKEN, "sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert caught.value.retry_after in (7, __import__("datetime").timedelta(seconds=7))
    server.core.block(TOKEN, USER)
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "x")
    server.core.unblock(TOKEN, USER)
    await bot.send_message(USER, "x")


async def test_updates_commands_and_buttons(server, bot):
    core = server.core
    await bot.send_message(
        USER,
        "Chọn:",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Lưu", callback_data="save:1")]]),
    )
    core.send_text(TOKEN, USER, "/start abc")
    [update] = await bot.get_updates(timeout=1)
    assert update.message.text == "/start abc"
    assert update.message.entities[0].type == "bot_command"
    # Not confirmed yet: delivered again.
    [again] = await bot.get_updates(timeout=0)
    assert again.update_id == update.update_id
    core.press(TOKEN, USER, button_text="Lưu")
    [press] = await bot.get_updates(offset=update.update_id + 1, timeout=1)
    assert press.callback_query.data == "save:1" and press.callback_query.chat_instance
    assert await press.callback_query.answer("ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await press.callback_query.answer("again")
    with pytest.raises(AssertionError, match=r"(?i)no button"):
        core.press(TOKEN, USER, button_text="Xoá")


async def test_a_newer_get_updates_supersedes_the_older(server):
    core = server.core
    first = Bot(TOKEN, base_url=server.base_url)
    second = Bot(TOKEN, base_url=server.base_url)
    async with first, second:
        older = asyncio.create_task(first.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        newer = asyncio.create_task(second.get_updates(timeout=1))
        with pytest.raises(Conflict):
            await older
        core.send_text(TOKEN, USER, "hi")
        assert [u.message.text for u in await newer] == ["hi"]


async def test_files_round_trip(server, bot):
    sent = await bot.send_document(USER, b"minh chung", filename="mc.pdf")
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"minh chung"


async def test_control_api_over_http(server):
    base = f"http://127.0.0.1:{server.port}/_emu"
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{base}/send_text", json={"token": TOKEN, "user_id": USER, "text": "/plan"}
        ) as r:
            assert (await r.json())["message"]["text"] == "/plan"
        bot = Bot(TOKEN, base_url=server.base_url)
        async with bot:
            [update] = await bot.get_updates(timeout=1)
            await bot.send_message(update.message.chat_id, "Kế hoạch")
        async with http.post(f"{base}/wait", json={"token": TOKEN, "chat_id": USER}) as r:
            assert [m["text"] for m in (await r.json())["messages"]] == ["Kế hoạch"]
        async with http.get(f"{base}/messages", params={"token": TOKEN, "chat_id": USER}) as r:
            assert len(await r.json()) == 1


def test_bad_tokens_are_unauthorized():
    status, body = asyncio.run(BotApiEmulator().call("nope", "getMe", {}))
    assert status == 401 and body["description"] == "Unauthorized"


async def test_flood_limits_answer_429_with_retry_after(server, bot):
    server.core.set_limits(TOKEN, per_second=5)
    for i in range(5):
        await bot.send_message(USER, f"tin {i}")
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(USER, "một tin quá nhiều")
    assert refused.value.retry_after in (1, dt.timedelta(seconds=1))
    assert server.core.flood_refusals(TOKEN) == 1
    server.core.set_limits(TOKEN, per_chat_per_second=1)
    await bot.send_message(USER, "một")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "hai")
    server.core.user(43, "Lan")
    await bot.send_message(43, "chat khác thì được")


async def test_a_file_made_unavailable_is_refused_by_get_file(server, bot):
    sent = await bot.send_document(USER, b"minh chung", filename="mc.pdf")
    server.core.file_unavailable(TOKEN, sent.document.file_id)
    with pytest.raises(BadRequest, match="temporarily unavailable"):
        await bot.get_file(sent.document.file_id)
    [refusal] = server.core.refused(TOKEN, injected=True)
    assert refusal["method"].lower() == "getfile" and refusal["injected"]
    assert server.core.refused(TOKEN) == []  # asked for by the test: not the bot's mistake


async def test_refusals_the_bot_caused_are_recorded(server, bot):
    with pytest.raises(BadRequest, match="text is empty"):
        await bot.send_message(USER, " ")
    [refusal] = server.core.refused(TOKEN)
    assert refusal == {
        "method": "sendMessage",
        "status": 400,
        "description": "Bad Request: message text is empty",
        "injected": False,
        "chat_id": USER,
    }


async def test_raw_updates_are_delivered_whatever_allowed_updates_says(server):
    core = server.core
    post = {"message_id": 1, "date": 1, "chat": {"id": -100, "type": "channel", "title": "K"}}
    channel = core.push_raw(TOKEN, {"channel_post": {**post, "text": "tin"}})
    core.send_text(TOKEN, USER, "hi")
    status, body = await core.call(
        TOKEN, "getUpdates", {"timeout": 0, "allowed_updates": ["message", "callback_query"]}
    )
    assert status == 200
    assert [u["update_id"] for u in body["result"]] == [channel["update_id"], 2]
    assert core.pending_updates(TOKEN) == [1, 2]
    await core.call(TOKEN, "getUpdates", {"timeout": 0, "offset": 3})
    assert core.pending_updates(TOKEN) == []


async def test_a_file_with_any_name_downloads_and_a_missing_one_is_a_json_404(server, bot):
    update = server.core.send_document(TOKEN, USER, "../../a\x07 b.pdf", b"%PDF", "application/pdf")
    file = await bot.get_file(update["message"]["document"]["file_id"])
    assert file.file_path.endswith("documents/" + update["message"]["document"]["file_id"] + ".pdf")
    assert bytes(await file.download_as_bytearray()) == b"%PDF"
    missing = f"{server.base_file_url}{TOKEN}/documents/file999.pdf"
    async with aiohttp.ClientSession() as http, http.get(missing) as r:
        assert r.status == 404 and (await r.json())["description"] == "Not Found"


async def test_disable_notification_is_recorded(server, bot):
    """A message sent without sound is told apart (the sender's night-time alerts)."""
    loud = await bot.send_message(USER, "ban ngày")
    quiet = await bot.send_message(USER, "ban đêm", disable_notification=True)
    raw = await bot.do_api_request(
        "sendMessage", api_kwargs={"chat_id": USER, "text": "thô", "disable_notification": True}
    )
    assert not server.core.is_silent(TOKEN, USER, loud.message_id)
    assert server.core.is_silent(TOKEN, USER, quiet.message_id)
    assert server.core.is_silent(TOKEN, USER, raw["message_id"])


async def test_command_scopes_as_telegram_keeps_and_refuses_them(server, bot):
    core = server.core
    core.user(USER, "Hà", language_code="en")
    strangers = [BotCommand("start", "tham gia"), BotCommand("help", "trợ giúp")]
    assert await bot.set_my_commands(strangers, scope=BotCommandScopeAllPrivateChats())
    assert await bot.set_my_commands(
        [BotCommand("plan", "plan")], scope=BotCommandScopeAllPrivateChats(), language_code="en"
    )
    # A user whose Telegram speaks English sees the English menu of all private chats...
    assert core.menu(TOKEN, USER)["scope"] == "all_private_chats:::en"
    # ...until the chat has its own (any language), which getMyCommands reads back exactly.
    assert await bot.set_my_commands(
        [BotCommand("plan", "kế hoạch"), BotCommand("add", "viết dòng")],
        scope=BotCommandScopeChat(USER),
    )
    assert core.menu(TOKEN, USER) == {
        "scope": f"chat:{USER}::",
        "commands": [
            {"command": "plan", "description": "kế hoạch"},
            {"command": "add", "description": "viết dòng"},
        ],
    }
    read = await bot.get_my_commands(scope=BotCommandScopeChat(USER))
    assert [c.command for c in read] == ["plan", "add"]
    assert await bot.get_my_commands(scope=BotCommandScopeChat(USER), language_code="vi") == ()
    assert await bot.delete_my_commands(scope=BotCommandScopeChat(USER))
    assert await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="en")
    assert core.menu(TOKEN, USER)["commands"][0]["command"] == "start"
    # Refused as Telegram refuses them.
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands(strangers, scope=BotCommandScopeChat(999_999))
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands(strangers, scope=BotCommandScopeChatAdministrators(USER))
    with pytest.raises(BadRequest, match=r"(?i)language_code_invalid"):
        await bot.set_my_commands(strangers, language_code="vie")
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Plan-2", "x")])
    with pytest.raises(BadRequest, match="too long"):
        await bot.set_my_commands([BotCommand("plan", "x" * 257)])
    with pytest.raises(BadRequest, match=r"(?i)botcommandscope"):
        await bot.do_api_request(
            "setMyCommands", api_kwargs={"commands": [], "scope": {"type": "x"}}
        )
