"""The principal's name asked once at joining; /settings sets what the signed documents carry;
the exported plan is signed with that name, never the Telegram first name."""

from __future__ import annotations

import io

import docx
from sqlalchemy import select

from bot.documents.plan_export import write_docx
from bot.domain import document_settings
from bot.services import plans
from bot.services.schools import create_school
from db.models import Member, School
from tests.handlers.conftest import buttons, text

P = 70


def _signature(content: bytes) -> str:
    exported = docx.Document(io.BytesIO(content))
    return "\n".join(c.text for c in exported.tables[-1].rows[0].cells)


async def test_principal_name_is_asked_once_and_signs_the_plan(harness):
    [welcome] = await harness.principal(P, principal_name=None)  # Telegram first name "Hà"
    assert "vai trò hiệu trưởng" in welcome["text"] and "/add" in welcome["text"]
    assert "họ và tên đầy đủ, như ghi dưới chữ ký" in welcome["text"]
    [saved] = await harness.send(P, "  Nguyễn   Thị Thu Hà ")
    assert saved["text"].startswith("✅ Đã lưu. Văn bản sẽ ghi người ký: Nguyễn Thị Thu Hà.")
    with harness.db.transaction() as session:
        school = session.scalars(select(School)).one()
        assert document_settings.load(school).principal_name == "Nguyễn Thị Thu Hà"
        principal = session.scalars(select(Member)).one()
        assert principal.display_name == "Nguyễn Thị Thu Hà"
        plan = plans.ensure_plan(session, school, "2026-2027")
        document = plans.plan_document(session, school, plan, harness.clock.now().date())
    assert document.principal == "Nguyễn Thị Thu Hà"
    sign = _signature(write_docx(document))
    assert "HIỆU TRƯỞNG" in sign and "Nguyễn Thị Thu Hà" in sign and "\nHà\n" not in sign
    # Asked once: /start again greets, with no question.
    [again] = await harness.send(P, "/start")
    assert "họ và tên đầy đủ" not in again["text"]


async def test_a_second_principal_code_does_not_ask_again(harness):
    await harness.principal(P, principal_name=None)
    [skipped] = await harness.send(P, "/skip")
    assert "/settings" in skipped["text"]
    with harness.db.transaction() as session:
        school = session.scalars(select(School)).one()
        assert document_settings.load(school).principal_name is None  # never Telegram's "Hà"


async def test_settings_document_settings(harness):
    await harness.principal(P, principal_name=None)
    await harness.send(P, "/skip")
    [menu] = await harness.send(P, "/settings")
    assert "Văn bản ký ban hành (kế hoạch, báo cáo cuối năm):" in menu["text"]
    assert "Cơ quan chủ quản: chưa đặt (để dòng chấm, điền tay)" in menu["text"]
    assert {"Cơ quan chủ quản", "Địa danh ghi ngày tháng", "Số, ký hiệu văn bản"} <= set(
        buttons(menu)
    )
    answers = {
        "Cơ quan chủ quản": ("UBND PHƯỜNG THỦ ĐỨC", "Cơ quan chủ quản: UBND PHƯỜNG THỦ ĐỨC"),
        "Địa danh ghi ngày tháng": ("Thủ Đức", "Thủ Đức, ngày 01 tháng 12 năm 2026"),
        "Số, ký hiệu văn bản": ("KH-THCSLQĐ", "Số, ký hiệu văn bản: Số: …/KH-THCSLQĐ"),
        "Họ và tên hiệu trưởng": ("Nguyễn Thị Thu Hà", "Họ và tên hiệu trưởng: Nguyễn Thị Thu Hà"),
    }
    for label, (answer, shown) in answers.items():
        [question] = await harness.press(P, label)
        assert "/cancel" in question["text"]
        saved, menu = await harness.send(P, answer)
        assert saved["text"] == "✅ Đã lưu."
        assert shown in menu["text"], label
    # Bad input: a clear message and the same question again; nothing stored.
    await harness.press(P, "Cơ quan chủ quản")
    refused, question = await harness.send(P, "X" * 201)
    assert "Ví dụ: UBND PHƯỜNG THỦ ĐỨC" in refused["text"]
    assert "Tên cơ quan chủ quản ghi phía trên tên trường" in question["text"]
    await harness.send(P, "/cancel")
    with harness.db.transaction() as session:
        school = session.scalars(select(School)).one()
        settings = document_settings.load(school)
        assert settings.authority == "UBND PHƯỜNG THỦ ĐỨC" and settings.place == "Thủ Đức"


async def test_schedule_change_keeps_the_document_settings(harness):
    with harness.db.transaction() as session:
        school, _ = create_school(session, "Trường X", "thcs", None, "Asia/Ho_Chi_Minh")
        document_settings.update(school, place="Thủ Đức")
        school_id = school.id
    await harness.principal(P, principal_name=None)
    await harness.send(P, "/skip")
    await harness.send(P, "/settings")
    await harness.press(P, "Giờ gửi")
    await harness.send(P, "7:30")
    await harness.press(P, "Địa danh ghi ngày tháng")
    await harness.send(P, "Thủ Đức")
    await harness.press(P, "Giờ gửi")
    done = text(await harness.send(P, "7:45"))
    assert "07:45" in done and "Thủ Đức, ngày 01 tháng 12 năm 2026" in done
    with harness.db.transaction() as session:
        other = session.get(School, school_id)
        assert document_settings.load(other).place == "Thủ Đức"  # another school: untouched
