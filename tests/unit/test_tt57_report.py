"""The end-of-year report of a TT57-2026 plan, read back with python-docx: the signed heading,
criterion 1.4's indicator with its ratio, each row's Biểu 2 columns with column (10) and what
the owners wrote, section VI's two reviews, the evidence list of Phụ lục IV with codes
MC.x.y.zz in order (one file listed once), the evidence ZIP by code; and the digest's 1.4 line.
A 2018 plan's report is the one it always was (tests/unit/test_report.py,
test_signed_documents.py)."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from pathlib import Path

import docx

from bot.core.i18n import translator
from bot.documents.report import write_evidence_zip, write_report_docx
from bot.documents.report_tt57 import criterion_key, indicator_line
from bot.domain import document_settings, notification_rules
from bot.domain.templates import END_YEAR, MID_YEAR, template_of
from bot.services import digest, members, owners, plans, priorities, progress, year_report
from bot.services.files import FileStore
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from bot.ui import digest_view, notices
from db.models import OutboxItem, School
from tests.unit.test_cli import caitien
from tests.unit.test_signed_documents import _all_text, _jpeg

STORE = FileStore(Path(tempfile.mkdtemp()))
VN = dt.timezone(dt.timedelta(hours=7))
JOINED = dt.datetime(2026, 9, 1, 8, 0, tzinfo=VN)
YEAR = "2026-2027"


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    year = 2026 if month >= 8 else 2027
    return dt.datetime(year, month, day, hour, 0, tzinfo=VN)


def seed(db, regulation: str | None = "TT57-2026", store: FileStore = STORE):
    """Seven rows, five of them done; two issues of section IV; evidence sent out of order.
    The principal is Telegram user 71."""
    with db.transaction() as session:
        school, invite = create_school(
            session, "TH Hòa Bình", "tieu_hoc", regulation, "Asia/Ho_Chi_Minh"
        )
        person = upsert_person(session, TelegramUser(71, "Hân"))
        principal = join_with_code(session, person, invite.code, JOINED).member
        document_settings.update(
            school,
            authority="UBND PHƯỜNG TÂN ĐỊNH",
            place="Tân Định",
            symbol="18/KH-THHB",
            principal_name="Phạm Thị Ngọc Hân",
        )
        lan, _ = members.add_member(session, school, "Đặng Thị Lan", "staff", "Tổ trưởng")
        minh, _ = members.add_member(session, school, "Vũ Minh", "staff", "Giáo viên")
        plan = plans.ensure_plan(session, school, YEAR)
        regulation_ = plans.regulation_of(school)
        issue_22 = priorities.add_issue(
            session,
            plan,
            priorities.IssueWords(
                "Tiêu chuẩn 2: Phát triển đội ngũ",
                "Tiêu chí 2.2: Giáo viên",
                "44 giáo viên",
                "11/44 còn lúng túng",
                "Ít thời gian bồi dưỡng",
            ),
            principal,
            regulation_,
        )
        issue_4 = priorities.add_issue(
            session,
            plan,
            priorities.IssueWords(
                "Tiêu chuẩn 4: Điều kiện giáo dục", "", "30 phòng học", "Máy tính cũ", "Kinh phí"
            ),
            principal,
            regulation_,
        )
        rows = {}

        def row(name, content, code=None, issue=None, **fields):
            new = plans.new_draft(session, principal, plan)
            if code:
                plans.set_criterion(session, new, regulation_, code, principal)
            plans.set_field(session, new, "content", content, YEAR, principal)
            for field, value in fields.items():
                plans.set_field(session, new, field, value, YEAR, principal)
            if issue is not None:
                priorities.link_row(session, new, issue)
            plans.save_draft(session, new, principal)
            rows[name] = new
            return new

        row(
            "data",
            "Tiêu chí 1.3: Chuẩn hóa hồ sơ số",
            code="1.3",
            expected_result="Dữ liệu đầy đủ, chính xác",
            indicators="100% hồ sơ học sinh được cập nhật",
            timeline_text="Từ tháng 9/2026 đến tháng 5/2027",
            lead_text="Phó Hiệu trưởng (chủ trì)",
        )
        row(
            "teachers",
            "Nâng cao năng lực ứng dụng CNTT",
            issue=issue_22,
            expected_result="Giáo viên sử dụng thành thạo học liệu số",
            indicators="95% giáo viên (42/44)",
            timeline_text="Tháng 10/2026 - tháng 4/2027",
        )
        row("room", "Nâng cấp phòng Tin học số 2", issue=issue_4, timeline_text="Tháng 01/2027")
        row("library", "Tủ sách lớp cho khối 4, 5")
        row("publish", "Công khai kết quả tự đánh giá", code="1.3")
        row("inclusion", "Hỗ trợ học sinh khuyết tật", code="3.4")
        unreported = row("swim", "Lớp bơi an toàn", code="3.3")
        unreported.implementation_text = "Chưa hoàn thành"
        owners.set_owners(session, rows["data"], [lan.id, minh.id], lan.id, principal)
        owners.set_owners(session, rows["teachers"], [minh.id], minh.id, principal)

        def report(name, member, status, text, when):
            made = progress.add_report(session, rows[name], member, status, text, "end_year")
            made.created_at = when
            return made

        def evidence(made, name, mime, content, when, caption=None):
            found = progress.add_evidence(
                session, store, made, school.id, name, mime, content, caption=caption
            )
            found.created_at = when

        early = report("data", lan, "in_progress", "Đã rà soát 20 lớp", at(11, 20))
        evidence(early, "danh-sach-ra-soat.xlsx", None, b"xlsx 1", at(11, 20))
        final = report("data", lan, "done", "Đã cập nhật đủ 30 lớp", at(5, 10))
        evidence(final, "anh-AgADBQ.jpg", "image/jpeg", _jpeg(), at(5, 10), "Ảnh tập huấn")
        report("data", minh, "done", None, at(5, 11))
        teachers = report("teachers", minh, "done", "42/44 giáo viên hoàn thành", at(4, 20))
        evidence(teachers, "ds-boi-duong.pdf", "application/pdf", b"%PDF 22", at(4, 20))
        # the same file sent again for another row: one piece of evidence, listed once
        evidence(teachers, "danh-sach-ra-soat.xlsx", None, b"xlsx 1", at(4, 21))
        room = report("room", principal, "done", "Đã bàn giao 18 máy", at(1, 25))
        evidence(room, "bien-ban-ban-giao.docx", None, b"docx", at(1, 25))
        library = report("library", principal, "done", "11/11 lớp có tủ sách", at(4, 2))
        evidence(library, "video-ngay-hoi.mp4", "video/mp4", b"mp4", at(4, 2))
        publish = report("publish", principal, "done", "Đã niêm yết", at(10, 15))
        evidence(publish, "bang-tin.pdf", "application/pdf", b"%PDF 14", at(10, 15))
        report("inclusion", principal, "in_progress", "Đang làm kế hoạch cá nhân", at(2, 1))
        mid = priorities.review(session, plan, MID_YEAR)
        for field, value in {
            "content": "Rà soát tiến độ 07 nội dung",
            "result": "2/7 nhiệm vụ hoàn thành",
            "adjustment": "Lùi thời hạn nội dung 7",
            "evaluator": "Hội đồng tự đánh giá",
        }.items():
            priorities.set_review_field(session, mid, field, value, principal)
        end = priorities.review(session, plan, END_YEAR)
        priorities.set_review_field(session, end, "result", "5/7 nhiệm vụ hoàn thành", principal)
        document = plans.plan_document(session, school, plan, dt.date(2027, 5, 28))
        items = progress.row_progress(session, plan.id, document.rows)
        facts = year_report.facts(session, plan, items)
        built = digest.build(session, school, at(5, 28))
        return document, items, facts, built


def test_the_tt57_report(db):
    document, items, facts, _ = seed(db)
    assert facts is not None and (facts.done, facts.total) == (5, 7)
    report = docx.Document(io.BytesIO(write_report_docx(document, items, STORE.read, facts)))
    text = _all_text(report)
    # the same signed heading as every report
    left, right = (c.text.split("\n") for c in report.tables[0].rows[0].cells)
    assert left[:2] == ["UBND PHƯỜNG TÂN ĐỊNH", "TH HÒA BÌNH"] and "Số: …/BC-THHB" in left
    assert "Tân Định, ngày 28 tháng 5 năm 2027" in right
    sign = "\n".join(c.text for c in report.tables[-1].rows[0].cells)
    assert "HIỆU TRƯỞNG" in sign and "Phạm Thị Ngọc Hân" in sign
    assert (
        "Số nhiệm vụ cải tiến hoàn thành / tổng số nhiệm vụ cải tiến theo kế hoạch: 5/7 (71,4 %)"
        in text
    )
    # each row with its Biểu 2 columns, column (10) and what its owners wrote
    for line in (
        "Mục tiêu (3): Dữ liệu đầy đủ, chính xác",
        "Chỉ số đánh giá kết quả (5): 100% hồ sơ học sinh được cập nhật",
        "Thời gian (6): Từ tháng 9/2026 đến tháng 5/2027",
        "Phụ trách (7): Phó Hiệu trưởng (chủ trì)",
        "Người được giao: Đặng Thị Lan (chủ trì), Vũ Minh",
        "Phụ trách (7): Vũ Minh (chủ trì)",  # no lead written: the owners
        "Mức độ thực hiện (10): Hoàn thành",
        "Mức độ thực hiện (10): Đang thực hiện",  # Hỗ trợ học sinh khuyết tật
        "Mức độ thực hiện (10): Chưa hoàn thành",  # as written, nobody reported
        "- Đặng Thị Lan (10/05/2027, hoàn thành): Đã cập nhật đủ 30 lớp",
        "- Vũ Minh (11/05/2027, hoàn thành)",
        "- Vũ Minh (20/04/2027, hoàn thành): 42/44 giáo viên hoàn thành",
    ):
        assert line in text, line
    assert "Đã rà soát 20 lớp" not in text  # each owner's last report only
    # the rows in the table's order, numbered
    body = [p.text for p in report.paragraphs]
    part_2 = body[
        body.index("II. KẾT QUẢ THỰC HIỆN TỪNG NỘI DUNG CẢI TIẾN") : body.index(
            "III. THEO DÕI, ĐÁNH GIÁ"
        )
    ]
    titles = [line for line in part_2 if line[:2] in {f"{n}." for n in range(1, 8)}]
    assert titles[:2] == ["1. Tiêu chí 1.3: Chuẩn hóa hồ sơ số", "2. Công khai kết quả tự đánh giá"]
    assert len(titles) == 7
    # section VI: the two reviews
    reviews = next(t for t in report.tables if t.rows[0].cells[1].text == "Thời điểm")
    assert [c.text for c in reviews.rows[0].cells] == [
        "TT", "Thời điểm", "Nội dung", "Kết quả", "Điều chỉnh", "Người đánh giá",
    ]  # fmt: skip
    assert [c.text for c in reviews.rows[1].cells] == [
        "1", "Cuối học kỳ I", "Rà soát tiến độ 07 nội dung", "2/7 nhiệm vụ hoàn thành",
        "Lùi thời hạn nội dung 7", "Hội đồng tự đánh giá",
    ]  # fmt: skip
    assert [c.text for c in reviews.rows[2].cells] == [
        "2", "Cuối năm học", "", "5/7 nhiệm vụ hoàn thành", "", ""
    ]  # fmt: skip
    # Phụ lục IV: the evidence list, codes per criterion in date order, one file once
    listing = next(t for t in report.tables if t.rows[0].cells[1].text == "Mã minh chứng")
    assert [c.text for c in listing.rows[0].cells] == list(
        template_of(facts.template).evidence_columns
    )
    lines = [[c.text for c in r.cells] for r in listing.rows[1:]]
    assert [line[1] for line in lines] == [
        "MC.1.3.01",  # bang-tin.pdf, 15/10/2026 (row 2, Công khai)
        "MC.1.3.02",  # danh-sach-ra-soat.xlsx, 20/11/2026 (row 1), sent again for 2.2
        "MC.1.3.03",  # the photo, 10/05/2027
        "MC.2.2.01",  # the issue's criterion
        "MC.4.0.01",  # the issue names standard 4, no criterion
        "MC.0.0.01",  # neither
    ]
    assert [line[0] for line in lines] == ["1", "2", "3", "4", "5", "6"]
    by_code = {line[1]: line for line in lines}
    assert by_code["MC.1.3.03"][2].startswith("Ảnh tập huấn")
    assert (
        by_code["MC.1.3.03"][3]
        == "Ảnh (JPEG)\nTệp minh chứng (ZIP): MC.1.3/MC.1.3.03 - anh-AgADBQ.jpg"
    )
    assert by_code["MC.2.2.01"][3].startswith("Tệp PDF\n")
    assert by_code["MC.4.0.01"][3].startswith("Tệp Word (DOCX)\n")
    assert by_code["MC.0.0.01"][3].startswith("Video (MP4)\n")
    assert by_code["MC.1.3.02"][4] == "Đặng Thị Lan, 20/11/2026; dùng cho nội dung 1, 3"
    assert by_code["MC.1.3.02"][2] == "danh-sach-ra-soat.xlsx"
    assert sum(line[2] == "danh-sach-ra-soat.xlsx" for line in lines) == 1  # listed once
    assert text.count("- MC.1.3.02: danh-sach-ra-soat.xlsx") == 2  # under rows 1 and 5
    # the photo is a picture in the list
    assert listing._tbl.xpath(".//pic:pic")
    # what carries over: the rows not done
    carried = text.split("V. NHỮNG NỘI DUNG CHUYỂN SANG NĂM HỌC SAU")[1]
    assert "Hỗ trợ học sinh khuyết tật: đang thực hiện" in carried
    assert "Lớp bơi an toàn: chưa hoàn thành" in carried
    assert "Chuẩn hóa hồ sơ số" not in carried
    assert "[H" not in text  # no 2018 code


def test_the_tt57_evidence_zip_is_named_by_code(db):
    _, items, facts, _ = seed(db)
    archive = zipfile.ZipFile(io.BytesIO(write_evidence_zip(items, STORE.read, facts)))
    assert sorted(archive.namelist()) == [
        "MC.0.0/MC.0.0.01 - video-ngay-hoi.mp4",
        "MC.1.3/MC.1.3.01 - bang-tin.pdf",
        "MC.1.3/MC.1.3.02 - danh-sach-ra-soat.xlsx",
        "MC.1.3/MC.1.3.03 - anh-AgADBQ.jpg",
        "MC.2.2/MC.2.2.01 - ds-boi-duong.pdf",
        "MC.4.0/MC.4.0.01 - bien-ban-ban-giao.docx",
    ]
    assert archive.read("MC.2.2/MC.2.2.01 - ds-boi-duong.pdf") == b"%PDF 22"


def test_the_digest_shows_criterion_1_4(db):
    _, _, _, built = seed(db)
    assert built is not None and built.indicator_14 == (5, 7)
    vi = "".join(text for _, text in digest_view.render(translator("vi"), built))
    en = "".join(text for _, text in digest_view.render(translator("en"), built))
    assert "Tiêu chí 1.4: 5/7 nhiệm vụ cải tiến hoàn thành" in vi
    assert "Criterion 1.4: 5/7 improvement tasks completed" in en


def test_a_2018_plan_keeps_its_report_and_digest(db):
    document, items, facts, built = seed(db, regulation=None)
    assert facts is None and built is not None and built.indicator_14 is None
    text = _all_text(docx.Document(io.BytesIO(write_report_docx(document, items, STORE.read))))
    assert "I. TỔNG HỢP THEO TIÊU CHUẨN" in text and "Mã minh chứng" in text
    assert "MC.1.3" not in text and "[H1-1.3-01]" in text
    vi = "".join(text for _, text in digest_view.render(translator("vi"), built))
    assert "Tiêu chí 1.4" not in vi


def test_codes_and_ratio_words():
    assert criterion_key("2.2", 2) == "2.2"
    assert criterion_key(None, 4) == "4.0" and criterion_key(None, None) == "0.0"
    tt57 = template_of("TT57-2026")
    assert indicator_line(tt57, 7, 7).endswith(": 7/7 (100 %)")
    assert indicator_line(tt57, 1, 3).endswith(": 1/3 (33,3 %)")
    assert indicator_line(tt57, 0, 0).endswith(": 0/0")


def test_cli_report_of_a_tt57_plan(db, db_url, tmp_path):
    seed(db)
    out, evidence = tmp_path / "bao-cao.docx", tmp_path / "minh-chung.zip"
    done = caitien(
        db_url, "plan", "report", "--school", "1", "--year", YEAR, "-o", str(out),
        "--evidence", str(evidence), files_dir=STORE.root,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["done"] == 5
    text = _all_text(docx.Document(str(out)))
    assert "5/7 (71,4 %)" in text and "MC.4.0.01" in text
    assert "MC.2.2/MC.2.2.01 - ds-boi-duong.pdf" in zipfile.ZipFile(evidence).namelist()


def test_the_june_digest_brings_the_tt57_report(db):
    seed(db)
    with db.transaction() as session:
        school = session.get(School, 1)
        item = OutboxItem(kind=notification_rules.DIGEST, day=dt.date(2027, 6, 7))
        views = notices._digest(translator("vi"), session, school, item, at(6, 7), STORE.read)
    name, later = views[-1].document
    assert name == f"bao-cao-ket-qua-{YEAR}.docx"
    text = _all_text(docx.Document(io.BytesIO(later.make())))
    assert "5/7 (71,4 %)" in text and "IV. DANH MỤC MINH CHỨNG" in text
