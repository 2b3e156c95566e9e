"""A progress report with two photos and a PDF, made through the emulator over HTTP with
`caitien run` as a real process: the files are stored on disk, the row card shows the report,
and "gặp khó khăn" reaches the principal."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from db.models import Evidence
from db.session import Database
from tests.conftest import TOKEN
from tests.e2e.test_reminders import PRINCIPAL, TEACHERS, seed

TEACHER = TEACHERS[0]


async def act(core, user: int, count: int = 1, *, text=None, button=None) -> list[dict]:
    if text is not None:
        core.send_text(TOKEN, user, text)
    if button is not None:
        core.press(TOKEN, user, button_text=button)
    return await core.wait_for_bot_messages(TOKEN, user, count=count, timeout=20)


async def test_report_with_two_photos_and_a_pdf_and_a_difficulty(server, bot, db_url, tmp_path):
    core = server.core
    core.user(PRINCIPAL, "Hà")
    core.user(TEACHER, "Lan")
    seed(db_url, teachers=(TEACHER,), rows_each=2)
    await bot.start()

    [rows] = await act(core, TEACHER, text="/report")
    assert "báo cáo dòng kế hoạch nào" in rows["text"]
    await act(core, TEACHER, button="1.1 —")
    await act(core, TEACHER, button="Hoàn thành")
    [ask] = await act(core, TEACHER, text="Đã tổ chức chuyên đề; ảnh và biên bản kèm theo.")
    assert "minh chứng" in ask["text"]
    for content in (b"\xff\xd8 photo one", b"\xff\xd8 photo two"):
        core.send_photo(TOKEN, TEACHER, content)
        await core.wait_for_bot_messages(TOKEN, TEACHER, timeout=20)
    core.send_document(TOKEN, TEACHER, "bien-ban.pdf", b"%PDF-1.4 minutes", "application/pdf")
    [received] = await core.wait_for_bot_messages(TOKEN, TEACHER, timeout=20)
    assert "Đã nhận 3 tệp." in received["text"]
    [done] = await act(core, TEACHER, button="✅ Xong")
    assert "hoàn thành, 3 tệp minh chứng" in done["text"]

    db = Database(db_url)
    with db.transaction() as session:
        stored = [tmp_path / "files" / e.path for e in session.scalars(select(Evidence))]
    db.dispose()
    assert [Path(p).read_bytes() for p in stored] == [
        b"\xff\xd8 photo one",
        b"\xff\xd8 photo two",
        b"%PDF-1.4 minutes",
    ]

    await act(core, PRINCIPAL, text="/plan")
    [card] = await act(core, PRINCIPAL, button="1.1 —")
    assert "Tiến độ: hoàn thành" in card["text"] and "(3 tệp)" in card["text"]

    # "Gặp khó khăn" reaches the principal at once (through the outbox and the one sender).
    await act(core, TEACHER, text="/report")
    await act(core, TEACHER, button="1.2 —")
    await act(core, TEACHER, button="Gặp khó khăn")
    core.mark(TOKEN, PRINCIPAL)
    await act(core, TEACHER, text="Thiếu kinh phí mua thiết bị.")
    [alert] = await core.wait_for_bot_messages(TOKEN, PRINCIPAL, timeout=20)
    assert "báo gặp khó khăn ở 1.2 — Việc số 2:" in alert["text"]
    assert "Thiếu kinh phí mua thiết bị." in alert["text"]
