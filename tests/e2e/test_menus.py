"""Issue 11, point 5, against `caitien run` over HTTP: each chat's command menu is that of the
person's role (read back through the emulator's control API, as a newcomer would), and a file
sent through that API reaches /import."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import TOKEN

PRINCIPAL, TEACHER, STRANGER = 9501, 9502, 9503
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "plan-thcs-2025-2026.docx"
PRINCIPAL_ONLY = {"invite", "import", "export", "report_year", "digest"}


async def control(port: int, action: str, **params: Any) -> Any:
    async with aiohttp.ClientSession() as http:
        url = f"http://127.0.0.1:{port}/_emu/{action}"
        async with http.get(url, params={k: str(v) for k, v in params.items()}) as answer:
            assert answer.status == 200, await answer.text()
            return await answer.json()


async def chat_menu(port: int, chat_id: int, scope: str) -> list[str]:
    """The menu the chat shows, once the sender has set it (it goes out through the outbox)."""
    for _ in range(100):
        found = await control(port, "menu", token=TOKEN, chat_id=chat_id)
        if found["scope"] == scope:
            return [c["command"] for c in found["commands"]]
        await asyncio.sleep(0.1)
    raise AssertionError(f"the menu of {chat_id} is still {found}")


async def test_role_menus_and_the_strangers_menu(server, bot):
    core = server.core
    school = bot.cli("school", "create", "--name", "THCS Lê Quý Đôn", "--level", "thcs")
    teacher = bot.cli(
        "member",
        "add",
        "--school",
        str(school["school_id"]),
        "--name",
        "Lê Thị Mai",
        "--role",
        "staff",
        "--title",
        "Giáo viên",
    )
    await bot.start()
    for user, command in (
        (PRINCIPAL, school["start_command"]),
        (TEACHER, teacher["start_command"]),
    ):
        core.user(user, "Mai", language_code="en")  # as most Vietnamese phones report
        core.send_text(TOKEN, user, command)
        await core.wait_for_bot_messages(TOKEN, user, timeout=20)
    core.user(STRANGER, "Khách", language_code="en")
    core.send_text(TOKEN, STRANGER, "/start")
    await core.wait_for_bot_messages(TOKEN, STRANGER, timeout=20)

    principal = await chat_menu(server.port, PRINCIPAL, f"chat:{PRINCIPAL}::")
    assert set(principal) >= PRINCIPAL_ONLY | {"plan", "add", "settings", "language"}
    mine = await chat_menu(server.port, TEACHER, f"chat:{TEACHER}::")
    assert not set(mine) & (PRINCIPAL_ONLY | {"add"}) and {"plan", "mine", "report"} <= set(mine)
    described = await control(server.port, "commands", token=TOKEN, scope="chat", chat_id=TEACHER)
    assert described[0] == {"command": "plan", "description": "kế hoạch năm học này"}
    strangers = await chat_menu(server.port, STRANGER, "all_private_chats:::")
    assert strangers == ["start", "help", "language"]
    # The emulator refuses what Telegram refuses; the bot sent nothing it would refuse.
    assert [r for r in core.refused(TOKEN) if "MyCommands" in r["method"]] == []


async def test_a_docx_sent_through_the_control_api_reaches_import(server, bot):
    core = server.core
    core.user(PRINCIPAL, "Hà")
    school = bot.cli("school", "create", "--name", "THCS Lê Quý Đôn", "--level", "thcs")
    await bot.start()
    core.send_text(TOKEN, PRINCIPAL, school["start_command"])
    await core.wait_for_bot_messages(TOKEN, PRINCIPAL, timeout=20)
    core.send_text(TOKEN, PRINCIPAL, "/import")
    await core.wait_for_bot_messages(TOKEN, PRINCIPAL, timeout=20)
    url = f"http://127.0.0.1:{server.port}/_emu/send_document"
    async with aiohttp.ClientSession() as http:
        form = aiohttp.FormData()
        form.add_field("token", TOKEN)
        form.add_field("user_id", str(PRINCIPAL))
        form.add_field("file", SAMPLE.read_bytes(), filename=SAMPLE.name)
        async with http.post(url, data=form) as answer:  # a multipart upload
            assert answer.status == 200, await answer.text()
            sent = await answer.json()
    document = sent["message"]["document"]
    assert document["file_name"] == SAMPLE.name
    assert document["mime_type"].endswith("wordprocessingml.document")  # guessed from the name
    [preview] = await core.wait_for_bot_messages(TOKEN, PRINCIPAL, timeout=20)
    assert "Tìm thấy 3 dòng" in preview["text"]
    # A local path works too (and a path that does not exist is a clear 400).
    async with aiohttp.ClientSession() as http:
        payload = {"token": TOKEN, "user_id": PRINCIPAL, "path": "/nonexistent/plan.docx"}
        async with http.post(url, json=payload) as answer:
            assert answer.status == 400 and "FileNotFoundError" in (await answer.json())["error"]
        photo = {"token": TOKEN, "user_id": PRINCIPAL, "path": str(SAMPLE)}
        async with http.post(
            f"http://127.0.0.1:{server.port}/_emu/send_photo", json=photo
        ) as answer:
            assert answer.status == 200 and "photo" in (await answer.json())["message"]
