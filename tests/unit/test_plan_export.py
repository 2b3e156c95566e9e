"""Exports in the official layout, and the round trip: export → import gives the same rows."""

from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from openpyxl import load_workbook

from bot.documents.plan_export import write_docx, write_xlsx
from bot.documents.plan_import import read_plan
from bot.domain import document_settings
from bot.services import plans
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from tests.unit.test_plan_import import HEADER, docx_bytes
from tests.unit.test_storage import NOW

FIELDS = (
    "block",
    "standard",
    "criterion_code",
    "criterion_text",
    "expected_result",
    "tasks",
    "lead_text",
    "timeline_text",
    "budget_text",
    "support",
    "notes",
)
SOURCE = [
    HEADER,
    ["MỨC 1, 2, 3"],
    ["1", "Tiêu chuẩn 1: Tổ chức và quản lý nhà trường"],
    [
        "",
        "Tiêu chí 1.4 Hiệu trưởng, phó hiệu trưởng",
        "Giữ vững Mức 2",
        "- Xây dựng kế hoạch <chuyên đề> & STEM;\n- Họp tổ 2 lần/tháng.",
        "PHT, TTCM",
        "Tháng 9/2025 –\n9/2026",
        "Dự kiến 5.000.000/năm học",
        "BĐD CMHS",
        "",
    ],
    ["2", "Tiêu chuẩn 5: Hoạt động giáo dục"],
    [
        "",
        "Tiêu chí 5.2 Tổ chức hoạt động",
        "Đạt Mức 3",
        "Phụ đạo",
        "GV",
        "Năm học 2025-2026",
        "Từ nguồn thu tại đơn vị",
        "",
        "ghi chú 1",
    ],
    ["MỨC 4"],
    ["", "Tiêu chí 2", "Đạt", "Kế hoạch 5 năm", "HT", "2026", "Không", "", ""],
]


@pytest.fixture
def saved(db):
    """A plan imported from a built DOCX, plus one row written in the chat."""
    with db.transaction() as session:
        school, invite = create_school(session, "THCS Lê Quý Đôn", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Hà"))
        principal = join_with_code(session, person, invite.code, NOW).member
        document_settings.update(
            school,
            authority="UBND PHƯỜNG THỦ ĐỨC",
            place="Thủ Đức",
            symbol="25/KH-THCSLQĐ",
            principal_name="Nguyễn Thị Thu Hà",
        )
        plan = plans.ensure_plan(session, school, "2025-2026")
        imported = read_plan(docx_bytes([SOURCE]), "plan.docx").rows
        plans.import_rows(session, plan, imported, principal)
        row = plans.new_draft(session, principal, plan)
        plans.set_criterion(session, row, plans.regulation_of(school), "3.2", principal)
        plans.set_field(session, row, "tasks", "Sửa phòng học", "2025-2026", principal)
        plans.save_draft(session, row, principal)
        document = plans.plan_document(session, school, plan, dt.date(2025, 9, 5))
        expected = [{f: getattr(r, f) for f in FIELDS} for r in document.rows]
        owners = plans.owner_names(session, plan)
    return document, expected, owners


def compare(imported, expected):
    assert len(imported) == len(expected)
    for row, want in zip(imported, expected, strict=True):
        for field in FIELDS:
            value = getattr(row, field)
            if field == "criterion_text" and want[field] is None:  # written in the chat
                assert value.startswith(f"Tiêu chí {want['criterion_code']}")
                continue
            assert value == want[field], (field, value, want[field])


def test_docx_round_trip(saved):
    document, expected, _ = saved
    compare(read_plan(write_docx(document), "export.docx").rows, expected)


def test_xlsx_round_trip(saved):
    document, expected, owners = saved
    compare(read_plan(write_xlsx(document, owners, {}), "export.xlsx").rows, expected)


def test_docx_is_in_the_official_layout(saved):
    document, _, _ = saved
    exported = docx.Document(io.BytesIO(write_docx(document)))
    section = exported.sections[0]
    assert section.page_width > section.page_height  # landscape A4
    assert round(section.page_width.cm, 1) == 29.7
    assert exported.styles["Normal"].font.name == "Times New Roman"
    assert exported.styles["Normal"].font.size.pt == 13
    text = "\n".join(p.text for p in exported.paragraphs)
    head = "\n".join(c.text for c in exported.tables[0].rows[0].cells)
    assert "THCS LÊ QUÝ ĐÔN" in head and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head
    assert "Độc lập - Tự do - Hạnh phúc" in head
    assert "UBND PHƯỜNG THỦ ĐỨC" in head and "Số: 25/KH-THCSLQĐ" in head
    assert "Thủ Đức, ngày 05 tháng 9 năm 2025" in head  # Nghị định 30: no 0 before month 9
    assert "Cải tiến chất lượng giáo dục năm học 2025-2026" in text
    assert "18/2018/TT-BGDĐT" in text
    table = exported.tables[1]
    assert [c.text for c in table.rows[0].cells] == HEADER
    first_cells = [row.cells[0].text for row in table.rows[1:]]
    assert "MỨC 1, 2, 3" in first_cells and "MỨC 4" in first_cells
    groups = [row.cells[1].text for row in table.rows[1:]]
    assert "Tiêu chuẩn 1: Tổ chức và quản lý nhà trường" in groups
    assert "Tiêu chuẩn 3: Cơ sở vật chất và thiết bị dạy học" in groups
    sign = "\n".join(c.text for c in exported.tables[2].rows[0].cells)
    assert "HIỆU TRƯỞNG" in sign and "Nguyễn Thị Thu Hà" in sign  # as set, not Telegram's "Hà"


def test_xlsx_has_the_understood_values(saved):
    document, _, owners = saved
    sheet = load_workbook(io.BytesIO(write_xlsx(document, owners, {}))).active
    header = [c.value for c in sheet[2]]
    assert header[:9] == HEADER and header[9:] == [
        "Bắt đầu (đã hiểu)",
        "Hạn (đã hiểu)",
        "Số tiền (đồng)",
        "Người phụ trách",
        "Trạng thái",
    ]
    data = [row for row in sheet.iter_rows(min_row=3, values_only=True) if row[2]]
    first = data[0]
    assert first[1].startswith("Tiêu chí 1.4") and first[11] == 5_000_000
    assert first[10].date() == dt.date(2026, 9, 30)


def test_a_plan_with_control_characters_and_formulas_exports(saved):
    document, _, owners = saved
    row = document.rows[0]
    row.tasks = '=HYPERLINK("http://x")\x0b- Họp tổ\x07'
    row.notes = "=1+"
    exported = docx.Document(io.BytesIO(write_docx(document)))
    cells = {c.text for r in exported.tables[1].rows for c in r.cells}
    assert '=HYPERLINK("http://x")\n- Họp tổ' in cells
    sheet = load_workbook(io.BytesIO(write_xlsx(document, owners, {}))).active
    cells = {c.value: c.data_type for r in sheet.iter_rows() for c in r if c.value}
    assert cells['=HYPERLINK("http://x")\n- Họp tổ'] == "s"  # text, not a formula
    assert cells["=1+"] == "s"


def test_xlsx_prints_whole_rows_on_landscape_pages(saved):
    """Seen converting it with LibreOffice: without heights of its own a wrapped cell showed
    one line, the rest hidden under the next row; and the columns ran over three pages."""
    document, _, owners = saved
    sheet = load_workbook(io.BytesIO(write_xlsx(document, owners, {}))).active
    tall = [
        sheet.row_dimensions[row[0].row].height
        for row in sheet.iter_rows(min_row=3)
        if any(isinstance(c.value, str) and len(c.value) > 60 for c in row)
    ]
    assert tall and all(height > 15 for height in tall)
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$2:$2"
