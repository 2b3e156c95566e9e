"""The unit's roll-up XLSX and its ZIP of year-end reports, read back, against the hand counts
of the seeded unit (tests/unit_seed.py)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
from openpyxl import load_workbook

from bot.documents import unit_rollup as documents
from bot.services import plans, unit_digest, unit_rollup
from db.models import School
from tests.unit_seed import AT, SCHOOL_A, SCHOOL_B, SCHOOL_C, UNIT_1, UNIT_2, seed


def made(db, unit):
    seeded = seed(db)
    with db.transaction() as session:
        found = unit_digest.build(session, seeded.units[unit], AT)
        rows = unit_rollup.rows(session, found)
        reports, skipped = unit_rollup.year_reports(session, found, AT.date())
        title_11 = plans.regulation_of(session.get(School, seeded.schools[SCHOOL_A])).criterion(
            "1.1"
        )
        xlsx = documents.write_rollup_xlsx(found.name, AT.date(), AT.tzinfo, found.schools, rows)
        zipped = documents.write_reports_zip(reports, skipped, None)
    return found, rows, xlsx, zipped, title_11.title


def values(sheet):
    return [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]


def test_the_schools_sheet_by_hand(db):
    _found, _rows, xlsx, _zip, _title = made(db, UNIT_1)
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["Trường", "Các dòng"]
    sheet = book["Trường"]
    assert "PHÒNG VĂN HÓA – XÃ HỘI PHƯỜNG HOÀN KIẾM" in sheet["A1"].value
    assert "18/01/2027" in sheet["A1"].value
    assert [c.value for c in sheet[2]] == list(documents.SCHOOL_HEADERS)
    day = dt.datetime  # openpyxl reads a date cell back as a datetime
    assert values(sheet) == [
        [1, SCHOOL_C, None, "Chưa có kế hoạch", 0, 0, 0, 0, 0, 0, "0/0", None, None],
        [
            2,
            SCHOOL_A,
            "2026-2027",
            "Bảng 2018",
            4,
            1,
            1,
            1,
            1,
            2,
            "1/4",
            day(2027, 1, 12),
            "Trần Minh, Vũ Văn Hùng",
        ],
        [
            3,
            SCHOOL_B,
            "2026-2027",
            "Biểu 2 (TT57-2026)",
            3,
            2,
            1,
            0,
            0,
            0,
            "2/3",
            day(2027, 1, 16),
            None,
        ],
    ]
    assert sheet["L4"].number_format == "DD/MM/YYYY"


def test_the_rows_sheet_by_hand(db):
    _found, rows, xlsx, _zip, title_11 = made(db, UNIT_1)
    assert len(rows) == 7
    sheet = load_workbook(io.BytesIO(xlsx))["Các dòng"]
    assert [c.value for c in sheet[2]] == list(documents.ROW_HEADERS)
    found = values(sheet)
    day = dt.datetime
    lan = "Đặng Thị Lan (chủ trì)"
    assert [r[:3] for r in found] == [
        [1, SCHOOL_A, "1.1"],
        [2, SCHOOL_A, "1.2"],
        [3, SCHOOL_A, "2.1"],
        [4, SCHOOL_A, "3.1"],
        [5, SCHOOL_B, "TC1"],
        [6, SCHOOL_B, "TC1"],
        [7, SCHOOL_B, "TC1"],
    ]
    assert found[0][3:] == [title_11, lan, "Gặp khó khăn", day(2026, 11, 30), day(2027, 1, 12)]
    assert found[1][4:] == [lan, "Hoàn thành", day(2026, 12, 31), day(2027, 1, 5)]
    assert found[2][4:] == [
        "Trần Minh (chủ trì)",
        "Đang thực hiện",
        day(2027, 3, 31),
        day(2026, 12, 20),
    ]
    assert found[3][4:] == ["Vũ Văn Hùng (chủ trì)", "Chưa có báo cáo", day(2027, 1, 15), None]
    assert found[4][3:] == [
        "Nâng cao chất lượng sinh hoạt chuyên môn",
        "Nguyễn Thị Hoa (chủ trì)",
        "Hoàn thành",
        day(2027, 5, 31),
        day(2027, 1, 14),
    ]
    assert found[6][3:6] == [
        "Xây dựng thư viện thân thiện",
        "Lê Văn Phúc (chủ trì)",
        "Đang thực hiện",
    ]
    assert sheet["G3"].number_format == "DD/MM/YYYY"


def test_the_zip_holds_one_report_per_school_with_a_plan(db):
    _found, _rows, _xlsx, zipped, _title = made(db, UNIT_1)
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    assert sorted(archive.namelist()) == [
        f"{SCHOOL_A} - bao-cao-ket-qua-2026-2027.docx",
        f"{SCHOOL_B} - bao-cao-ket-qua-2026-2027.docx",
        "truong-chua-co-ke-hoach.txt",
    ]
    assert SCHOOL_C in archive.read("truong-chua-co-ke-hoach.txt").decode()
    a = docx.Document(io.BytesIO(archive.read(f"{SCHOOL_A} - bao-cao-ket-qua-2026-2027.docx")))
    text = "\n".join(p.text for p in a.paragraphs)
    assert "BÁO CÁO" in text and "năm học 2026-2027" in text
    b = docx.Document(io.BytesIO(archive.read(f"{SCHOOL_B} - bao-cao-ket-qua-2026-2027.docx")))
    whole = "\n".join(p.text for p in b.paragraphs) + "\n".join(
        c.text for t in b.tables for r in t.rows for c in r.cells
    )
    assert "2/3" in whole  # criterion 1.4's indicator of the Biểu 2 report


def test_a_unit_of_one_school_without_a_missing_list(db):
    found, rows, _xlsx, zipped, _title = made(db, UNIT_2)
    assert [s.name for s in found.schools] == ["Trường THCS Sóc Sơn"]
    assert [(r.code, r.status) for r in rows] == [("1.1", "Hoàn thành")]
    names = zipfile.ZipFile(io.BytesIO(zipped)).namelist()
    assert names == ["Trường THCS Sóc Sơn - bao-cao-ket-qua-2026-2027.docx"]
