"""`caitien school list`, `member add/list/import`, `row assign`, and owners in the export."""

import json
import shutil
from pathlib import Path

from docx import Document
from openpyxl import Workbook

from bot.services import plans
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from db.models import Member, School
from tests.unit.test_cli import caitien
from tests.unit.test_storage import NOW

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "staff-list.csv"
STAFF_CSV = """STT,Họ và tên,Chức vụ,Tổ,Điện thoại,Ghi chú
1,Nguyễn Thị Thu Hà,Hiệu trưởng,Ban giám hiệu,0903 111 201,
2,Trần Văn Bình,Phó hiệu trưởng,Ban giám hiệu,0903 111 202,Phụ trách chuyên môn
3,Lê Thị Mai,Tổ trưởng chuyên môn,Tổ Toán - Tin,0903 111 203,
7,Đặng Thị Lan,Kế toán,Tổ Văn phòng,0903 111 207,
"""


def ok(db_url, *args):
    done = caitien(db_url, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_member_add_list_and_school_list(db_url):
    school = ok(db_url, "school", "create", "--name", "TH Bình An", "--level", "tieu_hoc")
    added = ok(
        db_url,
        "member",
        "add",
        "--school",
        str(school["school_id"]),
        "--name",
        "Đặng Thị Lan",
        "--role",
        "staff",
        "--title",
        "Kế toán",
    )
    assert set(added) >= {"member_id", "invite_code"} and len(added["invite_code"]) <= 64
    listed = ok(db_url, "member", "list", "--school", str(school["school_id"]))
    assert listed == [
        {
            "member_id": added["member_id"],
            "name": "Đặng Thị Lan",
            "role": "staff",
            "title": "Kế toán",
            "joined": False,
        }
    ]
    [entry] = ok(db_url, "school", "list")
    assert entry["name"] == "TH Bình An" and entry["members"] == 1
    bad = caitien(db_url, "member", "add", "--school", "9", "--name", "X", "--role", "staff")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_member_import_csv_and_xlsx(db_url, tmp_path):
    school = ok(db_url, "school", "create", "--name", "THCS A", "--level", "thcs")
    csv_file = tmp_path / "staff.csv"
    csv_file.write_text(STAFF_CSV, encoding="utf-8")
    imported = ok(db_url, "member", "import", str(csv_file), "--school", str(school["school_id"]))
    assert [(m["name"], m["role"]) for m in imported] == [
        ("Nguyễn Thị Thu Hà", "principal"),
        ("Trần Văn Bình", "vice_principal"),
        ("Lê Thị Mai", "council"),
        ("Đặng Thị Lan", "staff"),
    ]
    assert all(len(m["invite_code"]) <= 64 for m in imported)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH CÁN BỘ, GIÁO VIÊN"])
    sheet.append(["STT", "Ho va ten", "Chuc vu", "To"])  # headers without diacritics
    sheet.append([1, "Huỳnh Minh Tâm", "Tổng phụ trách Đội", "Tổ Văn phòng"])
    xlsx = tmp_path / "staff.xlsx"
    workbook.save(xlsx)
    [tam] = ok(db_url, "member", "import", str(xlsx), "--school", str(school["school_id"]))
    assert tam["name"] == "Huỳnh Minh Tâm" and tam["role"] == "staff"
    not_a_list = tmp_path / "photo.xlsx"
    not_a_list.write_bytes(b"\xff\xd8 jpeg")
    bad = caitien(db_url, "member", "import", str(not_a_list), "--school", "1")
    assert bad.returncode == 2 and "cannot read" in bad.stderr


def test_the_sample_staff_list_imports(db_url, tmp_path):
    school = ok(db_url, "school", "create", "--name", "THCS B", "--level", "thcs")
    copy = tmp_path / "staff-list.csv"
    shutil.copy(SAMPLE, copy)
    imported = ok(db_url, "member", "import", str(copy), "--school", str(school["school_id"]))
    assert len(imported) == 10 and imported[2]["role"] == "council"


def school_with_a_row(db) -> tuple[int, int, int, int]:
    """A school with its principal (joined), one saved row (1.4) and a member Lan not yet on
    any row: (school id, Lan's member id, the principal's member id, the row id)."""
    with db.transaction() as session:
        school, invite = create_school(session, "THCS C", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Hà"))
        principal = join_with_code(session, person, invite.code, NOW).member
        plan = plans.ensure_plan(session, school, "2026-2027")
        row = plans.new_draft(session, principal, plan)
        plans.set_criterion(session, row, plans.regulation_of(school), "1.4", principal)
        plans.save_draft(session, row, principal)
        lan = Member(school_id=school.id, display_name="Đặng Thị Lan", role="staff")
        session.add(lan)
        session.flush()
        return school.id, lan.id, principal.id, row.id


def test_row_assign_and_export_owners(db, db_url):
    school_id, lan_id, principal_id, _ = school_with_a_row(db)
    ok(
        db_url,
        "row",
        "assign",
        "--school",
        str(school_id),
        "--row",
        "1",
        "--member",
        str(lan_id),
        "--lead",
    )
    result = ok(
        db_url,
        "row",
        "assign",
        "--school",
        str(school_id),
        "--row",
        "1",
        "--member",
        str(principal_id),
        "--year",
        "2026-2027",
    )
    assert result["owners"] == [
        {"member_id": lan_id, "name": "Đặng Thị Lan", "lead": True},
        {"member_id": principal_id, "name": "Hà", "lead": False},
    ]
    export = ok(db_url, "plan", "export", "--school", str(school_id), "--format", "json")
    assert export["rows"][0]["owners"] == result["owners"]
    bad = caitien(
        db_url, "row", "assign", "--school", str(school_id), "--row", "9", "--member", str(lan_id)
    )
    assert bad.returncode == 2 and "no row 9" in bad.stderr
    with db.transaction() as session:
        assert session.get(School, school_id).name == "THCS C"


def test_member_import_writes_printable_links(db_url, tmp_path):
    school = ok(db_url, "school", "create", "--name", "THCS D", "--level", "thcs")
    csv_file = tmp_path / "staff.csv"
    csv_file.write_text(STAFF_CSV, encoding="utf-8")
    links = tmp_path / "links.docx"
    missing_bot = caitien(
        db_url,
        "member",
        "import",
        str(csv_file),
        "--school",
        str(school["school_id"]),
        "--links",
        str(links),
    )
    assert missing_bot.returncode == 2 and "--bot" in missing_bot.stderr
    imported = ok(
        db_url,
        "member",
        "import",
        str(csv_file),
        "--school",
        str(school["school_id"]),
        "--links",
        str(links),
        "--bot",
        "@caitien_bot",
    )
    document = Document(str(links))
    cells = "\n".join(c.text for row in document.tables[0].rows for c in row.cells)
    for member in imported:
        assert member["name"] in cells
        assert f"https://t.me/caitien_bot?start={member['invite_code']}" in cells
    assert "phó hiệu trưởng" in cells and "Kế toán" in cells
    assert len(document.inline_shapes) == len(imported)  # one QR code each
