"""A principal invites three people with three roles; each joins from the deep link; rows get
owners; each member's /mine is right. All through `caitien run` and the emulator over HTTP."""

from __future__ import annotations

from tests.conftest import TOKEN

PRINCIPAL = 8001
PEOPLE = {  # user id → (role button, name, position)
    8002: ("Phó hiệu trưởng", "Trần Văn Bình", "PHT chuyên môn"),
    8003: ("Thành viên hội đồng", "Lê Thị Mai", "TTCM tổ Toán - Tin"),
    8004: ("Giáo viên", "Đặng Thị Lan", "Kế toán"),
}


async def say(core, user, text, count=1):
    core.send_text(TOKEN, user, text)
    return await core.wait_for_bot_messages(TOKEN, user, count=count, timeout=20)


async def press(core, user, label, count=1):
    core.press(TOKEN, user, button_text=label)
    return await core.wait_for_bot_messages(TOKEN, user, count=count, timeout=20)


async def write_row(core, standard, criterion, lead):
    await say(core, PRINCIPAL, "/add", count=2)
    await press(core, PRINCIPAL, standard)
    await press(core, PRINCIPAL, criterion, count=2)  # "Đã chọn: …", then the question
    for answer in (
        "Giữ vững Mức 2",
        "Các nhiệm vụ",
        lead,
        "Tháng 9/2026 – 5/2027",
        "/skip",
        "/skip",
    ):
        await say(core, PRINCIPAL, answer)
    [card] = await say(core, PRINCIPAL, "/skip")
    return card


async def test_invite_three_people_assign_rows_and_mine(server, bot):
    core = server.core
    core.user(PRINCIPAL, "Hà")
    school = bot.cli("school", "create", "--name", "THCS Lê Quý Đôn", "--level", "thcs")
    await bot.start()
    await say(core, PRINCIPAL, f"/start {school['principal_code']}")

    for user, (role, name, title) in PEOPLE.items():
        await say(core, PRINCIPAL, "/invite")
        [link] = await press(core, PRINCIPAL, role)
        url = link["text"].split()[
            [w.startswith("https://t.me/") for w in link["text"].split()].index(True)
        ]
        assert url.startswith("https://t.me/caitien_test_bot?start=")
        code = url.split("?start=")[1]
        core.user(user, name.split()[-1])
        welcome, _ = await say(core, user, f"/start {code}", count=2)
        assert "THCS Lê Quý Đôn" in welcome["text"]
        await say(core, user, name)
        [done] = await say(core, user, title)
        assert f"{name} ({title}) đã tham gia THCS Lê Quý Đôn" in done["text"]
        # The principal is told who joined (issue 11), before the next invitation.
        [joined] = await core.wait_for_bot_messages(TOKEN, PRINCIPAL, timeout=20)
        assert f"{name} đã tham gia THCS Lê Quý Đôn" in joined["text"]
        assert f"Chức vụ: {title}." in joined["text"]

    # Row 1: the accountant is suggested from the lead text and made the lead.
    await write_row(core, "Tiêu chuẩn 1", "1.6", "Kế toán chủ trì; thủ quỹ phối hợp")
    [picker] = await press(core, PRINCIPAL, "👥 Người phụ trách")
    assert "Gợi ý theo nội dung chủ trì: Đặng Thị Lan (Kế toán)" in picker["text"]
    await press(core, PRINCIPAL, "☐ Đặng Thị Lan")
    await press(core, PRINCIPAL, "✅ Xong")
    await press(core, PRINCIPAL, "💾 Lưu", count=2)
    # Row 2: the group leader and the vice-principal, the vice-principal leading.
    await write_row(core, "Tiêu chuẩn 5", "5.4", "PHT phụ trách chuyên môn và các tổ bộ môn")
    await press(core, PRINCIPAL, "👥 Người phụ trách")
    await press(core, PRINCIPAL, "☐ Lê Thị Mai")
    [picker] = await press(core, PRINCIPAL, "☐ Trần Văn Bình")
    rows = picker["reply_markup"]["inline_keyboard"]
    star = next(
        r[1] for r in rows if r[0]["text"].startswith("☑ Trần Văn Bình")
    )  # the ☆ beside him
    core.press(TOKEN, PRINCIPAL, data=star["callback_data"])
    await core.wait_for_bot_messages(TOKEN, PRINCIPAL, timeout=20)
    [card] = await press(core, PRINCIPAL, "✅ Xong")
    assert "Người phụ trách: Lê Thị Mai, ⭐ Trần Văn Bình" in card["text"]
    await press(core, PRINCIPAL, "💾 Lưu", count=2)

    # Each new owner is told once, naming the row (issue 11).
    for user, code in ((8004, "1.6"), (8002, "5.4"), (8003, "5.4")):
        [told] = await core.wait_for_bot_messages(TOKEN, user, timeout=20)
        assert "Thầy/cô được giao" in told["text"] and f"{code} — " in told["text"]
    mine = {user: (await say(core, user, "/mine"))[0]["text"] for user in PEOPLE}
    assert "1.6 — Quản lý hành chính, tài chính và tài sản" in mine[8004]
    assert "⭐ chủ trì" in mine[8004] and "5.4" not in mine[8004]
    assert "5.4 — Các hoạt động trải nghiệm và hướng nghiệp" in mine[8002]
    assert "⭐ chủ trì" in mine[8002] and "1.6" not in mine[8002]
    assert "5.4 —" in mine[8003] and "⭐" not in mine[8003]
    [principal_mine] = await say(core, PRINCIPAL, "/mine")
    assert "chưa được giao" in principal_mine["text"]

    export = bot.cli("plan", "export", "--school", str(school["school_id"]), "--format", "json")
    owners = {r["criterion"]: [(o["name"], o["lead"]) for o in r["owners"]] for r in export["rows"]}
    assert owners == {
        "1.6": [("Đặng Thị Lan", True)],
        "5.4": [("Lê Thị Mai", False), ("Trần Văn Bình", True)],
    }
