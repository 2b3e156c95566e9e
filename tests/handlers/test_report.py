"""/report: status → text → evidence files kept on disk; difficulties reach the principal."""

from pathlib import Path

from sqlalchemy import select

from bot.services import members, owners, plans
from db.models import Evidence, Member, ProgressReport, School
from tests.conftest import TOKEN
from tests.handlers.conftest import buttons, text
from tests.handlers.test_rows import write_row

P, OWNER, OTHER = 30, 61, 62  # write_row works for principal 30


async def setup(harness):
    await harness.principal(P)
    await write_row(harness)
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        lan, lan_code = members.add_member(session, school, "Đặng Thị Lan", "staff", "Kế toán")
        _, other_code = members.add_member(session, school, "Bùi Văn Hải", "staff", None)
        [row] = plans.active_rows(session, plans.latest_plan(session, school.id).id)
        owners.set_owners(session, row, [lan.id], lan.id, None)
        codes = (lan_code.code, other_code.code)
    for user, code in zip((OWNER, OTHER), codes, strict=True):
        harness.user(user)
        await harness.send(user, f"/start {code}")
    # Out of the way: the principal told of the two who joined, the members' command menus.
    await harness.sender.drain()


async def test_report_with_two_photos_and_a_pdf(harness, settings):
    await setup(harness)
    [rows] = await harness.send(OWNER, "/report")
    assert "báo cáo dòng kế hoạch nào" in rows["text"]
    [statuses] = await harness.press(OWNER, "1.4 —")
    assert buttons(statuses) == ["Chưa thực hiện", "Đang thực hiện", "Hoàn thành", "Gặp khó khăn"]
    await harness.press(OWNER, "Hoàn thành")
    [ask_files] = await harness.send(OWNER, "Đã tổ chức 2 chuyên đề; biên bản kèm theo.")
    assert "Gửi ảnh hoặc tệp minh chứng" in ask_files["text"]
    harness.core.send_photo(TOKEN, OWNER, b"\x89PNG photo one")
    await harness._process(OWNER)
    harness.core.send_photo(TOKEN, OWNER, b"\x89PNG photo two")
    await harness._process(OWNER)
    harness.core.send_document(TOKEN, OWNER, "bien-ban.pdf", b"%PDF-1.4 minutes", "application/pdf")
    [received] = await harness._process(OWNER)
    assert "Đã nhận 3 tệp." in received["text"]
    [done] = await harness.press(OWNER, "✅ Xong")
    assert done["text"] == "✅ Đã lưu báo cáo: hoàn thành, 3 tệp minh chứng."
    with harness.db.transaction() as session:
        [report] = session.scalars(select(ProgressReport)).all()
        files = session.scalars(select(Evidence)).all()
        assert report.status == "done" and report.text.startswith("Đã tổ chức")
        stored = [Path(settings.files_dir) / e.path for e in files]
    assert [f.read_bytes() for f in stored] == [
        b"\x89PNG photo one",
        b"\x89PNG photo two",
        b"%PDF-1.4 minutes",
    ]
    assert stored[2].name.endswith("bien-ban.pdf")
    await harness.send(P, "/plan")
    [card] = await harness.press(P, "1.4 —")
    assert "Tiến độ: hoàn thành" in card["text"]
    assert "Đặng Thị Lan: hoàn thành — Đã tổ chức 2 chuyên đề" in card["text"]
    assert "(3 tệp)" in card["text"]
    [mine] = await harness.send(OWNER, "/mine")
    assert "hạn" in mine["text"] and "· hoàn thành" in mine["text"]


async def test_difficulties_reach_the_principal(harness):
    await setup(harness)
    await harness.send(OWNER, "/report")
    await harness.press(OWNER, "1.4 —")
    await harness.press(OWNER, "Gặp khó khăn")
    harness.core.mark(TOKEN, P)
    await harness.send(OWNER, "Thiếu kinh phí mua thiết bị.")
    assert await harness.sender.drain() == 1  # woken at once in `caitien run`
    [alert] = await harness.core.wait_for_bot_messages(TOKEN, P, timeout=2)
    assert "Đặng Thị Lan báo gặp khó khăn ở 1.4 — " in alert["text"]
    assert "Thiếu kinh phí mua thiết bị." in alert["text"]
    assert buttons(alert) == ["Mở dòng kế hoạch"]


async def test_only_owners_report(harness):
    await setup(harness)
    assert "chưa được giao" in text(await harness.send(OTHER, "/report"))
    with harness.db.transaction() as session:
        row_id = session.scalar(select(Member.id))  # any id: a forged row choice
    replies = await harness.forge(OTHER, f"g:r:{row_id}:1")
    assert "Nút này" in text(replies) or "không phụ trách" in text(replies)
    with harness.db.transaction() as session:
        assert session.scalars(select(ProgressReport)).all() == []


async def test_stopping_half_way_keeps_the_report(harness):
    await setup(harness)
    await harness.send(OWNER, "/report")
    await harness.press(OWNER, "1.4 —")
    await harness.press(OWNER, "Đang thực hiện")
    [stopped] = await harness.send(OWNER, "/cancel")
    assert stopped["text"] == "Đã dừng. Nội dung đã báo cáo được giữ lại."
    with harness.db.transaction() as session:
        [report] = session.scalars(select(ProgressReport)).all()
        assert report.status == "in_progress"


async def test_the_caption_sent_with_a_photo_is_kept(harness):
    await setup(harness)
    await harness.send(OWNER, "/report")
    await harness.press(OWNER, "1.4 —")
    await harness.press(OWNER, "Hoàn thành")
    # A photo with words, sent where the few words are asked: the words become the report's
    # text and the photo's caption; nothing is dropped.
    harness.core.send_photo(TOKEN, OWNER, b"\x89PNG one", caption="Buổi sinh hoạt chuyên đề STEM")
    [ask_files] = await harness._process(OWNER)
    assert "Đã nhận 1 tệp." in ask_files["text"]
    harness.core.send_photo(TOKEN, OWNER, b"\x89PNG two", caption="Biên bản họp tổ")
    await harness._process(OWNER)
    await harness.press(OWNER, "✅ Xong")
    with harness.db.transaction() as session:
        [report] = session.scalars(select(ProgressReport)).all()
        files = session.scalars(select(Evidence).order_by(Evidence.id)).all()
        assert report.text == "Buổi sinh hoạt chuyên đề STEM"
        assert [e.caption for e in files] == ["Buổi sinh hoạt chuyên đề STEM", "Biên bản họp tổ"]
