"""Biểu 2 (TT57-2026) plans as documents: the sample DOCX imported verbatim (rows, priority
issues, monitoring rows, prose sections), files laid out the ways schools lay them out (split
tables, the numbered row, merged cells, header wording), DOCX and XLSX exports in the form's
layout, export → import → export without a word lost, and a file of the other template refused.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import docx
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl import Workbook, load_workbook

from bot.documents.bieu2_import import heading_of
from bot.documents.plan_export import write_docx, write_xlsx
from bot.documents.plan_import import read_plan
from bot.domain import document_settings
from bot.domain.templates import END_YEAR, MID_YEAR, T2018, TT57
from bot.services import plan_json, plans, priorities, tt57_import
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.progress import add_report, status_labels
from bot.services.schools import create_school
from tests.unit.test_cli import caitien
from tests.unit.test_plan_import import HEADER as HEADER_2018
from tests.unit.test_plan_import import docx_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE = FIXTURES / "plan-tt57-tieu-hoc-2026-2027.docx"
SAMPLE_TEXT = (FIXTURES / "plan-tt57-tieu-hoc-2026-2027.txt").read_text(encoding="utf-8")
NOW = dt.datetime(2026, 9, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
HEADER = [
    "TT",
    "Nội dung cải tiến",
    "Mục tiêu",
    "Hoạt động, giải pháp",
    "Chỉ số đánh giá kết quả",
    "Thời gian",
    "Phụ trách",
    "Nguồn lực",
    "Minh chứng dự kiến",
    "Mức độ thực hiện",
]
NUMBERED = [f"({i})" for i in range(1, 11)]
FIELDS = (
    "content",
    "expected_result",
    "tasks",
    "indicators",
    "timeline_text",
    "lead_text",
    "budget_text",
    "expected_evidence",
    "implementation_text",
)


def cells_of(line: str) -> list[str]:
    return [cell.replace(" <br> ", "\n") for cell in line.split(" | ")]


def sample_part(start: str, end: str) -> list[str]:
    """The sample's lines from the one after `start` up to `end` (excluded)."""
    lines = SAMPLE_TEXT.split("\n")
    first = lines.index(start) + 1
    return lines[first : lines.index(end, first)]


def docx_text(data: bytes) -> list[str]:
    """The document's text in body order, a table row as "a | b" (a merged cell once)."""
    document = docx.Document(io.BytesIO(data))
    out = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(element, document).text)
        elif tag == "tbl":
            for row in Table(element, document).rows:
                seen: list[object] = []
                cells = []
                for cell in row.cells:
                    if not any(cell._tc is s for s in seen):
                        seen.append(cell._tc)
                        cells.append(cell.text.replace("\n", " <br> "))
                out.append(" | ".join(cells))
    return out


def _school(session, regulation="TT57-2026", name="Trường Tiểu học Hòa Bình"):
    school, invite = create_school(session, name, "tieu_hoc", regulation, "Asia/Ho_Chi_Minh")
    person = upsert_person(session, TelegramUser(501, "Hân"))
    member = join_with_code(session, person, invite.code, NOW).member
    document_settings.update(
        school,
        authority="UBND PHƯỜNG TÂN ĐỊNH",
        place="Tân Định",
        symbol="18/KH-THHB",
        principal_name="Phạm Thị Ngọc Hân",
    )
    return school, member


def import_into_new_school(db, data: bytes, filename: str, name="Trường Tiểu học Hòa Bình"):
    """A new TT57 school imports the file; its JSON export, DOCX and XLSX."""
    with db.transaction() as session:
        school, _ = _school(session, name=name)
        plan = plans.ensure_plan(session, school, "2026-2027")
        regulation = plans.regulation_of(school)
        result = read_plan(data, filename, regulation)
        tt57_import.import_plan(session, plan, result, None, regulation)
        document = plan_json.document(session, school, plan, NOW.date())
        exported = plan_json.export_plan(session, school, plan)
        xlsx = write_xlsx(
            document, plans.owner_names(session, plan), status_labels(session, document.rows)
        )
        return exported, write_docx(document), xlsx


def without_ids(exported: dict) -> dict:
    out = json.loads(json.dumps(exported))
    out.pop("school")
    for row in out["rows"]:
        row.pop("owners")
    return out


# ---------------------------------------------------------------- the sample


def test_the_sample_imports_every_row_issue_and_monitoring_row_verbatim():
    result = read_plan(SAMPLE.read_bytes(), "plan.docx")
    assert result.template == TT57 and result.school_year == "2026-2027"
    assert result.warnings == []
    rows = [cells_of(line) for line in sample_part(" | ".join(NUMBERED), "VI. THEO DÕI, ĐÁNH GIÁ")]
    assert len(result.rows) == len(rows) == 7
    for row, expected in zip(result.rows, rows, strict=True):
        got = [getattr(row, name) or "" for name in FIELDS]
        assert got == expected[1:]
    assert [r.criterion_code for r in result.rows] == [
        "1.3",
        "1.4",
        "2.2",
        "3.2",
        "3.3",
        "3.4",
        None,
    ]
    assert [r.standard for r in result.rows] == [1, 1, 2, 3, 3, 3, None]
    assert "\n- Ban hành Quy định lưu trữ hồ sơ số" in (result.rows[0].tasks or "")

    issues_header = (
        "TT | Tiêu chuẩn | Tiêu chí (nếu có) | Đánh giá hiện trạng | Điểm hạn chế | Nguyên nhân"
    )
    issues = [
        cells_of(line) for line in sample_part(issues_header, "V. KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG")
    ]
    assert len(result.issues) == len(issues) == 4
    for issue, expected in zip(result.issues, issues, strict=True):
        got = [
            issue.standard_text or "",
            issue.criterion_text or "",
            issue.current_state,
            issue.limitations,
            issue.causes,
        ]
        assert got == expected[1:]

    monitoring = [
        cells_of(line)
        for line in sample_part(
            "TT | Thời điểm | Nội dung | Kết quả | Điều chỉnh | Người đánh giá",
            "VII. TỔ CHỨC THỰC HIỆN",
        )
    ]
    assert [r.checkpoint for r in result.reviews] == [MID_YEAR, END_YEAR]
    for review, expected in zip(result.reviews, monitoring, strict=True):
        got = [review.content, review.result, review.adjustment, review.evaluator]
        assert [g or "" for g in got] == expected[2:]

    assert result.sections["general"] == sample_part(
        "I. THÔNG TIN CHUNG", "II. CĂN CỨ XÂY DỰNG KẾ HOẠCH"
    )
    assert result.sections["bases"] == sample_part(
        "II. CĂN CỨ XÂY DỰNG KẾ HOẠCH", "III. MỤC ĐÍCH, YÊU CẦU"
    )
    assert result.sections["purpose"] == sample_part(
        "III. MỤC ĐÍCH, YÊU CẦU", "IV. CÁC VẤN ĐỀ TRỌNG TÂM CẦN CẢI TIẾN"
    )
    assert result.sections["organisation"] == sample_part(
        "VII. TỔ CHỨC THỰC HIỆN", "VIII. CƠ CHẾ THEO DÕI, ĐÁNH GIÁ"
    )
    assert result.sections["mechanism"] == sample_part("VIII. CƠ CHẾ THEO DÕI, ĐÁNH GIÁ", "")
    receivers = SAMPLE_TEXT.rstrip("\n").split("\n")[-1].split(" | ")[0].split(" <br> ")
    assert result.sections["receivers"] == receivers[1:]


def test_the_sample_is_stored_with_issues_reviews_sections_and_links(db):
    with db.transaction() as session:
        school, member = _school(session)
        plan = plans.ensure_plan(session, school, "2026-2027")
        regulation = plans.regulation_of(school)
        result = read_plan(SAMPLE.read_bytes(), "plan.docx", regulation)
        done = tt57_import.import_plan(session, plan, result, member, regulation)
        assert (len(done.rows), done.issues, done.reviews) == (7, 4, 2)
        issues = priorities.issues_of(session, plan.id)
        assert [(i.standard, i.criterion_code) for i in issues] == [
            (1, "1.3"),
            (2, "2.2"),
            (3, "3.4"),
            (4, None),
        ]
        assert issues[3].criterion_text == ""
        linked = {r.criterion_code: r.issue_id for r in plans.active_rows(session, plan.id)}
        assert linked["1.3"] == issues[0].id and linked["3.4"] == issues[2].id
        assert linked["1.4"] is None and done.linked == 3
        end = priorities.reviews_of(session, plan.id)[END_YEAR]
        assert end.evaluator == "Hội đồng tự đánh giá; Hiệu trưởng"
        assert plan.sections["general"][0] == "1. Tên trường: Trường Tiểu học Hòa Bình."
        row = plans.active_rows(session, plan.id)[0]
        assert row.implementation_text == "Đang thực hiện"
        assert row.budget_vnd == 12_000_000 and row.due_date == dt.date(2027, 5, 31)


# ---------------------------------------------------------------- as schools lay it out

ROW_1 = [
    "1",
    "Tiêu chí 1.3: Hồ sơ số",
    "Dữ liệu đầy đủ",
    "- Rà soát dữ liệu\n- Ban hành quy định",
    "- 100% hồ sơ",
    "Tháng 9/2026 - tháng 5/2027",
    "Phó Hiệu trưởng",
    "12 triệu",
    "Quy định lưu trữ",
    "Đang thực hiện",
]
ROW_2 = [
    "2",
    "Tiêu chí 2.2: Giáo viên",
    "Giáo viên dùng học liệu số",
    "- Bồi dưỡng 04 buổi",
    "95% giáo viên",
    "Tháng 10/2026",
    "Hiệu trưởng",
    "8.500.000 đồng",
    "Danh sách",
    "",
]


def build_docx(blocks) -> bytes:
    """Paragraphs (str) and tables (lists of rows); a row of one cell merged across; a cell
    "^" merged with the cell above it (vertically)."""
    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        width = max(len(r) for r in block)
        table = document.add_table(rows=0, cols=width)
        for cells in block:
            row = table.add_row()
            if len(cells) == 1:
                row.cells[0].merge(row.cells[width - 1]).text = cells[0]
                continue
            for i, text in enumerate(cells):
                if text == "^":
                    above = table.rows[len(table.rows) - 2].cells[i]
                    above.merge(row.cells[i])
                    continue
                lines = text.split("\n")
                row.cells[i].text = lines[0]
                for line in lines[1:]:
                    row.cells[i].add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_plan_table_split_over_pages_with_merged_cells_and_other_headers():
    variant = [
        "STT",
        "Nội dung cần cải tiến (2)",
        "Mục tiêu cần đạt",
        "Hoạt động/Giải pháp",
        "Chỉ số đánh giá",
        "Thời gian thực hiện",
        "Người phụ trách",
        "Nguồn lực (kinh phí)",
        "Minh chứng",
        "Mức độ hoàn thành",
    ]
    data = build_docx(
        [
            "KẾ HOẠCH",
            "Cải tiến chất lượng giáo dục năm học 2026-2027",
            "I. THÔNG TIN CHUNG",
            "1. Tên trường: Trường Tiểu học Bình An.",
            "V. KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG",
            [variant, NUMBERED, ["Tiêu chuẩn 1: Quản trị nhà trường"], ROW_1],
            "",
            # the next page: the header repeated, then a row going on from the last one
            [variant, NUMBERED, ["", "", "", "- Kiểm tra hằng tháng", "", "", "", "", "", ""]],
            # a page starting with the numbered row, then a row with a cell merged downwards
            [
                NUMBERED,
                ROW_2,
                ["", "^", "", "- Hội thi bài giảng", "", "", "", "", "", ""],
            ],
            # a page starting directly with data
            [["3", "Nâng cấp phòng Tin học", "Đủ máy", "- Mua 18 máy", "", "", "", "", "", ""]],
            "VI. THEO DÕI, ĐÁNH GIÁ",
            [
                ["TT", "Thời điểm", "Nội dung", "Kết quả", "Điều chỉnh", "Người đánh giá"],
                ["1", "Cuối học kỳ I (tháng 01/2027)", "Rà soát", "2/3 đang làm", "", "HT"],
                ["2", "Cuối năm học", "", "", "", ""],
            ],
            "VII. TỔ CHỨC THỰC HIỆN",
            "1. Hiệu trưởng",
            "- Chỉ đạo chung.",
        ]
    )
    result = read_plan(data, "plan.docx")
    assert result.template == TT57 and result.school_year == "2026-2027"
    assert [r.content for r in result.rows] == [
        "Tiêu chí 1.3: Hồ sơ số",
        "Tiêu chí 2.2: Giáo viên",
        "Nâng cấp phòng Tin học",
    ]
    first, second, third = result.rows
    assert first.tasks == "- Rà soát dữ liệu\n- Ban hành quy định\n- Kiểm tra hằng tháng"
    assert first.implementation_text == "Đang thực hiện" and first.lead_text == "Phó Hiệu trưởng"
    assert second.tasks == "- Bồi dưỡng 04 buổi\n- Hội thi bài giảng"
    assert second.expected_evidence == "Danh sách" and second.implementation_text is None
    assert (first.criterion_code, second.criterion_code, third.criterion_code) == (
        "1.3",
        "2.2",
        None,
    )
    assert third.standard == 1  # under the group row "Tiêu chuẩn 1"
    assert [(r.checkpoint, r.result, r.evaluator) for r in result.reviews] == [
        (MID_YEAR, "2/3 đang làm", "HT"),
        (END_YEAR, None, None),
    ]
    assert result.sections == {
        "general": ["1. Tên trường: Trường Tiểu học Bình An."],
        "organisation": ["1. Hiệu trưởng", "- Chỉ đạo chung."],
    }
    assert result.warnings == [
        "monitoring row 'Cuối học kỳ I (tháng 01/2027)' read as 'Cuối học kỳ I' (the rest of "
        "its label is not stored)"
    ]


def test_a_column_that_is_not_of_bieu_2_goes_into_the_notes():
    data = build_docx([[[*HEADER, "Ghi chú"], [*ROW_1, "Ưu tiên"]]])
    result = read_plan(data, "plan.docx")
    assert result.rows[0].notes == "Ghi chú: Ưu tiên"
    assert result.warnings == ["column 'Ghi chú' is not one of Biểu 2: kept in the rows' notes"]


def test_a_school_xlsx_in_one_sheet():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG GIÁO DỤC NĂM HỌC 2026-2027"])
    sheet.append(["IV. CÁC VẤN ĐỀ TRỌNG TÂM CẦN CẢI TIẾN"])
    sheet.append(["TT", "Tiêu chuẩn", "Tiêu chí (nếu có)", "Hiện trạng", "Hạn chế", "Nguyên nhân"])
    sheet.append(
        ["1", "Tiêu chuẩn 2: Đội ngũ", "Tiêu chí 2.2: Giáo viên", "44 GV", "CNTT", "Ít giờ"]
    )
    sheet.append(["V. KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG"])
    sheet.append(HEADER)
    sheet.append(NUMBERED)
    sheet.append(ROW_2)
    sheet.append(["", "", "", "Dòng tiếp", "", "", "", "", "", ""])
    sheet.merge_cells("A10:J10")
    sheet["A10"] = "Tiêu chuẩn 4: Điều kiện"
    sheet.append(["3", "Nâng cấp phòng Tin học", "Đủ máy", "", "", "", "", "", "", "Hoàn thành"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_plan(buffer.getvalue(), "plan.xlsx")
    assert result.template == TT57 and result.school_year == "2026-2027"
    assert [r.tasks for r in result.rows] == ["- Bồi dưỡng 04 buổi\nDòng tiếp", None]
    assert result.rows[1].standard == 4 and result.rows[1].implementation_text == "Hoàn thành"
    [issue] = result.issues
    assert (issue.standard_text, issue.criterion_text, issue.causes) == (
        "Tiêu chuẩn 2: Đội ngũ",
        "Tiêu chí 2.2: Giáo viên",
        "Ít giờ",
    )


def test_headings_of_sections():
    assert heading_of("IV. CÁC VẤN ĐỀ TRỌNG TÂM CẦN CẢI TIẾN") == "issues"
    assert heading_of("VI. Theo dõi, đánh giá kết quả thực hiện") == "monitoring"
    assert heading_of("VIII. CƠ CHẾ THEO DÕI, ĐÁNH GIÁ") == "mechanism"
    assert heading_of("1. Mục đích") is None
    assert heading_of("- Theo dõi, đánh giá") is None


def test_a_2018_file_still_reads_as_2018():
    rows = [HEADER_2018, ["1", "Tiêu chí 1.4 Hiệu trưởng", "Mức 2", "CV", "HT", "", "", "", ""]]
    result = read_plan(docx_bytes([rows]), "plan.docx")
    assert result.template == T2018 and result.issues == [] and result.sections == {}


# ---------------------------------------------------------------- exports and round trips


def test_docx_export_is_bieu_2(db):
    _, data, _ = import_into_new_school(db, SAMPLE.read_bytes(), "plan.docx")
    text = docx_text(data)
    heading = text[0]
    assert heading.startswith("UBND PHƯỜNG TÂN ĐỊNH <br> TRƯỜNG TIỂU HỌC HÒA BÌNH")
    assert "Số: 18/KH-THHB" in heading and "Tân Định, ngày 20 tháng 9 năm 2026" in heading
    assert "KẾ HOẠCH" in text and "Cải tiến chất lượng giáo dục năm học 2026-2027" in text
    sample = [line for line in SAMPLE_TEXT.split("\n") if line]
    # every line of the sample but the heading and the signature, in the same order
    body = sample[1:-1]
    assert [line for line in text if line in body] == body
    assert text[-1].startswith("Nơi nhận: <br> - Phòng VH-XH phường Tân Định (để b/c);")
    assert "HIỆU TRƯỞNG" in text[-1] and "Phạm Thị Ngọc Hân" in text[-1]
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    plan_table = next(t for t in document.tables if len(t.columns) == 10)
    repeated = [
        row._tr.trPr is not None and row._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None
        for row in plan_table.rows
    ]
    assert repeated[:3] == [True, True, False]
    runs = [r for p in document.paragraphs for r in p.runs if r.text]
    assert {r.font.name for r in runs} == {"Times New Roman"}


def test_docx_of_a_plan_written_in_the_chat_uses_the_template_and_the_catalog(db):
    with db.transaction() as session:
        school, member = _school(session)
        plan = plans.ensure_plan(session, school, "2026-2027")
        regulation = plans.regulation_of(school)
        issue = priorities.add_issue(
            session,
            plan,
            priorities.IssueWords(None, None, "Hiện trạng", "Hạn chế", "Nguyên nhân", 2, "2.2"),
            member,
            regulation,
        )
        row = plans.new_draft(session, member, plan)
        plans.set_criterion(session, row, regulation, "2.2", member)
        plans.set_field(session, row, "tasks", "- Bồi dưỡng", plan.school_year, member)
        priorities.link_row(session, row, issue)
        plans.save_draft(session, row, member)
        add_report(session, row, member, "done", "Xong", "mid_year")
        document = plan_json.document(session, school, plan, NOW.date())
        data = write_docx(document)
        xlsx = write_xlsx(document, plans.owner_names(session, plan), {})
    text = docx_text(data)
    criterion = regulation.criterion("2.2")
    standard = regulation.standard(2)
    standard_cell = f"Tiêu chuẩn 2: {standard.title}" if standard.title else "Tiêu chuẩn 2"
    assert f"1 | Tiêu chí 2.2: {criterion.title} |  | - Bồi dưỡng" in "\n".join(text)
    assert any(line.endswith("| Hoàn thành") for line in text)  # column (10) from the report
    assert any(
        line.startswith(f"1 | {standard_cell} | Tiêu chí 2.2: {criterion.title} | Hiện trạng")
        for line in text
    )
    assert "1. Tên trường: Trường Tiểu học Hòa Bình." in text  # the standing text, filled in
    assert "2. Cấp học: Tiểu học." in text
    assert "1 | Cuối học kỳ I |  |  |  | " in text and "2 | Cuối năm học |  |  |  | " in text
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    assert sheet.cell(4, 10).value == "Hoàn thành" and sheet.cell(4, 16).value == 1


def test_xlsx_has_the_ten_columns_the_understood_values_and_sections_iv_and_vi(db):
    _, _, data = import_into_new_school(db, SAMPLE.read_bytes(), "plan.docx")
    workbook = load_workbook(io.BytesIO(data))
    plan_sheet, issues, monitoring, prose = workbook.worksheets
    assert [c.value for c in plan_sheet[2]][:10] == HEADER
    assert [c.value for c in plan_sheet[2]][10:] == [
        "Bắt đầu (đã hiểu)",
        "Hạn (đã hiểu)",
        "Số tiền (đồng)",
        "Thành viên phụ trách",
        "Trạng thái",
        "Vấn đề trọng tâm (mục IV)",
    ]
    assert [c.value for c in plan_sheet[3]][:10] == NUMBERED
    first = [c.value for c in plan_sheet[4]]
    assert first[1].startswith("Tiêu chí 1.3") and first[9] == "Đang thực hiện"
    assert first[10] == dt.datetime(2026, 9, 1) and first[11] == dt.datetime(2027, 5, 31)
    assert first[12] == 12_000_000 and first[15] == 1  # linked to issue 1 (criterion 1.3)
    assert plan_sheet.max_row == 3 + 7
    assert plan_sheet.page_setup.orientation == "landscape"
    assert plan_sheet.print_title_rows == "$2:$3"
    assert plan_sheet.sheet_properties.pageSetUpPr.fitToPage
    assert issues.cell(1, 1).value == "IV. CÁC VẤN ĐỀ TRỌNG TÂM CẦN CẢI TIẾN"
    assert issues.max_row == 2 + 4 and issues.cell(6, 3).value is None
    assert [monitoring.cell(r, 2).value for r in (3, 4)] == ["Cuối học kỳ I", "Cuối năm học"]
    assert monitoring.cell(4, 6).value == "Hội đồng tự đánh giá; Hiệu trưởng"
    assert prose.cell(1, 1).value == "I. THÔNG TIN CHUNG"
    assert all(s.page_setup.orientation == "landscape" for s in workbook.worksheets)


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_export_import_export_loses_nothing(db, kind):
    first, docx_data, xlsx_data = import_into_new_school(db, SAMPLE.read_bytes(), "plan.docx")
    data = docx_data if kind == "docx" else xlsx_data
    second, docx_again, _ = import_into_new_school(db, data, f"again.{kind}")
    assert without_ids(second) == without_ids(first)
    assert docx_text(docx_again) == docx_text(docx_data)


# ---------------------------------------------------------------- templates do not mix


def test_a_file_of_the_other_template_is_refused(db):
    with db.transaction() as session:
        school, member = _school(session, regulation="TT17-2018", name="TH Bình An")
        plan = plans.ensure_plan(session, school, "2026-2027")
        regulation = plans.regulation_of(school)
        result = read_plan(SAMPLE.read_bytes(), "plan.docx", regulation)
        with pytest.raises(tt57_import.TemplateMismatch):
            tt57_import.import_plan(session, plan, result, member, regulation)
        assert plans.count_rows(session, plan.id) == 0
        tt57_school, _ = _school(session, name="TH Hòa Bình")
        tt57_plan = plans.ensure_plan(session, tt57_school, "2026-2027")
        rows = [HEADER_2018, ["1", "Tiêu chí 1.4", "Mức 2", "CV", "HT", "", "", "", ""]]
        old = read_plan(docx_bytes([rows]), "plan.docx")
        with pytest.raises(tt57_import.TemplateMismatch):
            tt57_import.import_plan(session, tt57_plan, old, member, regulation)


def test_plan_import_and_export_on_the_command_line(db_url, tmp_path):
    created = caitien(
        db_url,
        "school",
        "create",
        "--name",
        "Trường Tiểu học Hòa Bình",
        "--level",
        "tieu_hoc",
        "--regulation",
        "TT57-2026",
    )
    school = str(json.loads(created.stdout)["school_id"])
    done = caitien(db_url, "plan", "import", str(SAMPLE), "--school", school, "--year", "2026-2027")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["rows"] == 7 and summary["template"] == TT57
    assert (summary["priority_issues"], summary["monitoring"]) == (4, 2)
    out = tmp_path / "plan.docx"
    exported = caitien(
        db_url, "plan", "export", "--school", school, "--format", "docx", "-o", str(out)
    )
    assert exported.returncode == 0, exported.stderr
    assert read_plan(out.read_bytes(), "plan.docx").template == TT57
    old = caitien(db_url, "school", "create", "--name", "THCS A", "--level", "thcs")
    other = str(json.loads(old.stdout)["school_id"])
    refused = caitien(
        db_url, "plan", "import", str(SAMPLE), "--school", other, "--year", "2026-2027"
    )
    assert refused.returncode == 2
    assert "Biểu 2 of Thông tư 57/2026" in refused.stderr and "2018 layout" in refused.stderr
