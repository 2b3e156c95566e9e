"""Importing plans as schools keep them: the sample DOCX verbatim, prose, built variants, XLSX."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from openpyxl import Workbook

from bot.documents.plan_import import NotAPlan, read_plan
from bot.domain.parsing import parse_timeline
from tests.unit.test_cli import caitien

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures"  # copies of ../shared/samples
HEADER = [
    "TT",
    "Tiêu chuẩn, tiêu chí",
    "Kết quả cần đạt (so với hiện trạng)",
    "Công việc/giải pháp cần thực hiện",
    "Chủ trì và phối hợp thực hiện",
    "Thời gian thực hiện và hoàn thành",
    "Dự kiến kinh phí",
    "Điều kiện hỗ trợ khác",
    "Ghi chú",
]


def docx_bytes(tables: list[list[list[str]]], merge_single=True, paragraphs=()) -> bytes:
    """Tables of rows; a row of one cell is merged across the table, as schools do."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for rows in tables:
        width = max(len(r) for r in rows)
        table = document.add_table(rows=0, cols=width)
        for cells in rows:
            row = table.add_row().cells
            if len(cells) == 1 and merge_single:
                row[0].merge(row[width - 1])
                row[0].text = cells[0]
                continue
            for i, text in enumerate(cells):
                lines = text.split("\n")
                row[i].text = lines[0]
                for line in lines[1:]:
                    row[i].add_paragraph(line)
        document.add_paragraph("")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_the_sample_docx_imports_every_row_and_cell_verbatim():
    data = (SAMPLES / "plan-thcs-2025-2026.docx").read_bytes()
    result = read_plan(data, "plan.docx")
    assert [r.criterion_code for r in result.rows] == ["1.4", "5.2", "5.4"]
    assert result.warnings == []
    table = docx.Document(io.BytesIO(data)).tables[0]
    expected = [
        [c.text.strip() for c in row.cells]
        for row in table.rows
        if row.cells[1].text.strip().startswith("Tiêu chí")
    ]
    fields = [
        "criterion_text",
        "expected_result",
        "tasks",
        "lead_text",
        "timeline_text",
        "budget_text",
        "support",
        "notes",
    ]
    for row, cells in zip(result.rows, expected, strict=True):
        for field, cell in zip(fields, cells[1:], strict=True):
            assert (getattr(row, field) or "") == cell, field
    assert result.rows[0].budget_text == (
        "Từ nguồn hoạt động thường xuyên của đơn vị; Dự kiến 5.000.000/năm học."
    )


def test_the_binh_an_prose_imports_one_row_per_criterion():
    lines = (SAMPLES / "plan-tieu-hoc-binh-an-2020-2021.txt").read_text(encoding="utf-8")
    data = docx_bytes([], paragraphs=lines.splitlines())
    result = read_plan(data, "binh-an.docx")
    codes = [r.criterion_code for r in result.rows if r.criterion_code]
    assert len(codes) == len(set(codes)) == 26  # the file's first plan; 5.1 has no heading there
    assert codes[:3] == ["1.1", "1.2", "1.3"] and codes[-1] == "5.5"
    first = result.rows[0]
    assert first.timeline_text.startswith("* Thời gian thực hiện: tháng 12/2020")
    timeline = parse_timeline(first.timeline_text, "2020-2021")
    assert (str(timeline.start), str(timeline.due)) == ("2020-12-01", "2021-02-28")
    assert first.tasks.startswith("- Xây dựng kế hoạch chiến lược phát triển nhà trường")
    assert any("second version" in w for w in result.warnings)
    orphan = [r for r in result.rows if r.criterion_code is None]
    assert len(orphan) == 1 and orphan[0].criterion_text.startswith("Tiêu chuẩn 5")


def test_header_variants_missing_and_extra_columns_level4_and_split_tables():
    header = [
        "STT",
        "Tieu chuan, tieu chi",
        "Mức tiêu chí cần đạt",
        "Giải pháp thực hiện",
        "Người phụ trách",
        "Thời gian",
        "Sản phẩm/minh chứng",
        "Ghi chu",
    ]
    first = [
        header,
        ["MỨC 1, 2, 3"],
        ["1", "Tiêu chuẩn 1: Tổ chức và quản lý nhà trường"],
        [
            "",
            "Tiêu chí\n1.2",
            "Mức 2",
            "- Kiện toàn hội đồng\n- Họp định kỳ",
            "HT",
            "Tháng 10/2024",
            "Quyết định thành lập",
            "",
        ],
        [
            "",
            "Tiêu chí 1.1.",
            "Giữ vững Mức 3",
            "Rà soát chiến lược",
            "HT, PHT",
            "Năm học 2024-2025",
            "",
            "ưu tiên",
        ],
    ]
    second = [  # continued after a page break, no header
        ["", "Tiêu chuẩn 2: Cán bộ quản lý, giáo viên, nhân viên"],
        ["", "Tiêu chí 2.2 Đối với giáo viên", "Mức 2", "Bồi dưỡng", "TTCM", "HK I", "", ""],
        ["MỨC 4"],
        ["", "Tiêu chí 3", "Đạt", "Kế hoạch 5 năm", "HT", "2025", "", ""],
    ]
    result = read_plan(docx_bytes([first, second]), "plan.docx")
    rows = result.rows
    assert [(r.block, r.criterion_code) for r in rows] == [
        ("M123", "1.2"),
        ("M123", "1.1"),
        ("M123", "2.2"),
        ("M4", "M4.3"),
    ]
    assert rows[0].criterion_text == "Tiêu chí\n1.2"
    assert rows[0].expected_result == "Mức 2"  # no "Kết quả cần đạt": the level column is it
    assert rows[0].tasks == "- Kiện toàn hội đồng\n- Họp định kỳ"
    assert rows[0].notes == "Sản phẩm/minh chứng: Quyết định thành lập"  # unmapped → notes
    assert rows[1].notes == "ưu tiên"
    assert rows[0].budget_text is None  # no budget column
    assert rows[2].timeline_text == "HK I" and rows[3].criterion_text == "Tiêu chí 3"


def test_both_result_and_level_columns_keep_the_level_in_notes():
    header = [
        "TT",
        "Tiêu chí",
        "Kết quả cần đạt",
        "Mức cần đạt",
        "Công việc",
        "Chủ trì",
        "Thời gian",
    ]
    rows = [header, ["", "Tiêu chí 5.1 Kế hoạch", "Nâng chất lượng", "Mức 3", "CV", "HT", "2025"]]
    [row] = read_plan(docx_bytes([rows]), "p.docx").rows
    assert row.criterion_code is None or row.criterion_code == "5.1"
    assert row.expected_result == "Nâng chất lượng" and row.notes == "Mức cần đạt: Mức 3"


def test_xlsx_with_merged_group_rows():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["KẾ HOẠCH CẢI TIẾN CHẤT LƯỢNG"])
    sheet.append(HEADER)
    sheet.append(["MỨC 1, 2, 3"])
    sheet.merge_cells("A3:I3")
    sheet.append(["1", "Tiêu chuẩn 3: Cơ sở vật chất"])
    sheet.merge_cells("B4:I4")
    sheet.append(
        [
            "",
            "Tiêu chí 3.2: Phòng học",
            "Đạt Mức 2",
            "Sửa chữa\nphòng học",
            "PHT CSVC",
            "Tháng 6/2025 - 8/2025",
            "50 triệu",
            "XHH",
            None,
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    [row] = read_plan(buffer.getvalue(), "plan.xlsx").rows
    assert (row.criterion_code, row.standard) == ("3.2", 3)
    assert row.tasks == "Sửa chữa\nphòng học" and row.budget_text == "50 triệu"
    assert row.notes is None


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"\xff\xd8\xff\xe0 a photo", "plan.docx", "not a Word document"),
        (b"\xff\xd8\xff\xe0 a photo", "plan.xlsx", "not an Excel workbook"),
        (b"", "plan.pdf", ".docx or .xlsx"),
        (b"0" * (20 * 1024 * 1024 + 1), "big.docx", "20 MB"),
    ],
)
def test_files_that_are_not_plans(data, name, reason):
    with pytest.raises(NotAPlan, match=reason):
        read_plan(data, name)


def test_an_empty_table_is_not_a_plan():
    with pytest.raises(NotAPlan, match="no plan rows"):
        read_plan(docx_bytes([[HEADER]]), "empty.docx")


def test_cli_import_then_export(db_url, tmp_path):
    school = json.loads(
        caitien(db_url, "school", "create", "--name", "THCS A", "--level", "thcs").stdout
    )
    rows = [
        HEADER,
        ["MỨC 1, 2, 3"],
        ["1", "Tiêu chuẩn 1: Tổ chức"],
        [
            "",
            "Tiêu chí 1.4 Hiệu trưởng",
            "Giữ vững Mức 2",
            "CV",
            "HT",
            "Tháng 9/2024 – 5/2025",
            "10 triệu",
            "",
            "",
        ],
    ]
    path = tmp_path / "plan.docx"
    path.write_bytes(docx_bytes([rows]))
    done = caitien(
        db_url,
        "plan",
        "import",
        str(path),
        "--school",
        str(school["school_id"]),
        "--year",
        "2024-2025",
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["rows"] == 1 and summary["warnings"] == [] and summary["plan_id"]
    again = json.loads(
        caitien(
            db_url,
            "plan",
            "import",
            str(path),
            "--school",
            str(school["school_id"]),
            "--year",
            "2024-2025",
            "--replace",
        ).stdout
    )
    assert again["rows"] == 1
    export = json.loads(
        caitien(
            db_url, "plan", "export", "--school", str(school["school_id"]), "--year", "2024-2025"
        ).stdout
    )
    [row] = export["rows"]
    assert row["criterion"] == "1.4" and row["criterion_text"] == "Tiêu chí 1.4 Hiệu trưởng"
    assert row["timeline"]["start"] == "2024-09-01" and row["budget"]["amount_vnd"] == 10_000_000
    bad = tmp_path / "photo.docx"
    bad.write_bytes(b"\xff\xd8 jpeg")
    refused = caitien(db_url, "plan", "import", str(bad), "--school", "1", "--year", "2024-2025")
    assert refused.returncode == 2 and "not a Word document" in refused.stderr
