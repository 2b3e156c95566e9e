"""The principal's digest (bot.services.digest) on a seeded school, every number worked out by hand.

The school, as of Monday 19/01/2026 07:30 (Asia/Ho_Chi_Minh); the last prompt was 10/01/2026.
Members: Hà (principal, joined), Lan (joined), Tú (joined, on leave until 18/01: back),
Hải (joined, on leave until 19/01: still on leave that day), Minh (not joined), Bình (not
joined, owns only a draft and a deleted row), Nga (not joined, on leave, then removed), Oanh
(not joined, on leave until 01/02, owns nothing).

 pos code  due         owners (lead first)  budget            latest report (local time)
 1   1.2   30/11/2025  Lan                  5 triệu           in_progress 12/01 (difficulty 01/10)
 2   1.5   31/12/2025  Tú, Lan              —                 done 14/01
 3   2.1   15/01/2026  Hải                  —                 none
 4   2.3   31/03/2026  Minh                 xã hội hóa (?)    difficulty 15/01 "Thiếu kinh phí…"
 5   3.1   20/11/2025  Lan, Hải             10.000.000 đồng   in_progress 10/12/2025 only
 6   3.4   15/01/2026  Tú                   Không (0)         not_started 10/01 00:30 (= 09/01 UTC)
 7   5.1   15/01/2026  nobody               —                 none
 8   5.3   19/01/2026  Nga, Minh            2,5 triệu         in_progress 09/01 23:30 (= 09/01 UTC)
 9   M4.1  none        Lan                  1-2 triệu (2 tr.) done 16/01
 plus a draft (4.1) and a deleted row (1.1), both Bình's, which count for nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import struct
import threading
import warnings
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from bot.core.i18n import translator
from bot.services import digest, members, owners, plans, progress
from bot.services.digest import Digest, DigestRow
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from bot.ui import digest_view
from bot.ui.views import to_html
from db.models import School

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = "2025-2026"
AT = dt.datetime(2026, 1, 19, 7, 30, tzinfo=TZ)  # a Monday
SCHOOL = "THCS Lê Quý Đôn"

LAN, TU, HAI, MINH = "Đặng Thị Lan", "Ngô Văn Tú", "Bùi Văn Hải", "Trần Minh"
BINH, NGA, OANH = "Cao Văn Bình", "Võ Thị Nga", "Lê Thị Oanh"
LONG = (
    "Bổ sung đủ thiết bị dạy học tối thiểu cho các phòng học bộ môn theo quy định của Bộ Giáo dục"
)
STUCK = "Thiếu kinh phí mua thiết bị"


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# code, expected result, timeline, owners (lead first), budget, reports (status, at, text)
ROWS = (
    (
        "1.2",
        "Giữ vững mức 2",
        "trước 30/11/2025",
        [LAN],
        "5 triệu",
        [
            ("difficulty", local(2025, 10, 1, 15), "Chưa có hồ sơ"),
            ("in_progress", local(2026, 1, 12, 15), "Đang rà soát hồ sơ"),
        ],
    ),
    (
        "1.5",
        "Đạt mức 3",
        "trước 31/12/2025",
        [TU, LAN],
        None,
        [
            ("in_progress", local(2025, 11, 5, 15), None),
            ("done", local(2026, 1, 14, 15), "Đã hoàn thành"),
        ],
    ),
    ("2.1", "Đạt mức 2", "trước 15/01/2026", [HAI], None, []),
    (
        "2.3",
        LONG,
        "trước 31/03/2026",
        [MINH],
        "xã hội hóa",
        [("difficulty", local(2026, 1, 15, 15), STUCK)],
    ),
    (
        "3.1",
        "Đạt mức 3",
        "trước 20/11/2025",
        [LAN, HAI],
        "10.000.000 đồng",
        [("in_progress", local(2025, 12, 10, 15), "Đã họp tổ")],
    ),
    (
        "3.4",
        "Đạt mức 2",
        "trước 15/01/2026",
        [TU],
        "Không",
        [  # the same moment twice: the later id is the latest
            ("in_progress", utc(2026, 1, 9, 17, 30), None),
            ("not_started", utc(2026, 1, 9, 17, 30), None),
        ],
    ),
    ("5.1", "Duy trì mức 2", "trước 15/01/2026", [], None, []),
    (
        "5.3",
        "  Đạt   mức\n3 ",
        "trước 19/01/2026",
        [NGA, MINH],
        "2,5 triệu",
        [("in_progress", utc(2026, 1, 9, 16, 30), None)],
    ),
    (
        "M4.1",
        "Đạt mức 4",
        "Thường xuyên",
        [LAN],
        "1-2 triệu",
        [("done", local(2026, 1, 16, 15), None)],
    ),
)


def seed(db) -> tuple[int, dict[str, int]]:
    """The school above; returns its id and each row's id by criterion code."""
    with db.transaction() as session:
        school, invite = create_school(session, SCHOOL, "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Nguyễn Thị Thu Hà"))
        principal = join_with_code(session, person, invite.code, AT).member
        staff = {}
        for n, (name, joined, leave) in enumerate(
            (
                (LAN, True, None),
                (TU, True, dt.date(2026, 1, 18)),
                (HAI, True, dt.date(2026, 1, 19)),
                (MINH, False, None),
                (BINH, False, None),
                (NGA, False, dt.date(2026, 2, 28)),
                (OANH, False, dt.date(2026, 2, 1)),
            )
        ):
            member, code = members.add_member(session, school, name, "staff", None)
            if joined:
                someone = upsert_person(session, TelegramUser(100 + n, name))
                assert join_with_code(session, someone, code.code, AT).member is member
            member.on_leave_until = leave
            staff[name] = member
        plan = plans.ensure_plan(session, school, YEAR)
        regulation = plans.regulation_of(school)
        ids = {}
        for code, expected, timeline, row_owners, budget, reports in ROWS:
            row = plans.new_draft(session, principal, plan)
            if code.startswith("M4."):
                plans.set_level4(session, row, 1, "Trường có đề tài nghiên cứu", principal)
            else:
                plans.set_criterion(session, row, regulation, code, principal)
            plans.set_field(session, row, "expected_result", expected, YEAR, principal)
            plans.set_field(session, row, "timeline_text", timeline, YEAR, principal)
            if budget:
                plans.set_field(session, row, "budget_text", budget, YEAR, principal)
            plans.save_draft(session, row, principal)
            owner_ids = [staff[name].id for name in row_owners]
            owners.set_owners(
                session, row, owner_ids, owner_ids[0] if row_owners else None, principal
            )
            for status, at, text in reports:
                report = progress.add_report(session, row, staff.get(row_owners[0]), status, text)
                report.created_at = at
            session.flush()
            ids[code] = row.id
        staff[NGA].active = False  # removed after being given row 8: listed nowhere
        # A draft and a deleted row, both late, stuck, with budgets: they count for nothing.
        for code, budget, delete in (("4.1", "xã hội hóa", False), ("1.1", "7 triệu", True)):
            row = plans.new_draft(session, principal, plan)
            plans.set_criterion(session, row, regulation, code, principal)
            plans.set_field(session, row, "timeline_text", "trước 01/12/2025", YEAR, principal)
            plans.set_field(session, row, "budget_text", budget, YEAR, principal)
            owners.set_owners(session, row, [staff[BINH].id], staff[BINH].id, principal)
            progress.add_report(session, row, staff[BINH], "difficulty", "Không làm được")
            if delete:
                plans.save_draft(session, row, principal)
                plans.delete_row(session, row, principal)
        session.flush()
        return school.id, ids


def build(db, school_id: int, at: dt.datetime) -> Digest | None:
    with db.transaction() as session:
        return digest.build(session, session.get(School, school_id), at)


@pytest.fixture
def seeded(db) -> tuple[int, dict[str, int]]:
    return seed(db)


@pytest.fixture
def found(db, seeded) -> Digest:
    result = build(db, seeded[0], AT)
    assert result is not None
    return result


def test_every_field_by_hand(found, seeded):
    _, ids = seeded
    zero = {"not_started": 0, "in_progress": 0, "done": 0, "difficulty": 0, "no_report": 0}
    assert found.school_name == SCHOOL
    assert found.school_year == YEAR
    assert found.at == AT and found.at.utcoffset() == dt.timedelta(hours=7)
    assert found.total == 9
    assert found.counts == {
        "not_started": 1,  # 6
        "in_progress": 3,  # 1, 5, 8
        "done": 2,  # 2, 9
        "difficulty": 1,  # 4
        "no_report": 2,  # 3, 7
    }
    assert found.by_standard == {
        1: {**zero, "in_progress": 1, "done": 1},
        2: {**zero, "no_report": 1, "difficulty": 1},
        3: {**zero, "in_progress": 1, "not_started": 1},
        5: {**zero, "no_report": 1, "in_progress": 1},
        0: {**zero, "done": 1},  # Mức 4
    }
    assert list(found.by_standard) == [1, 2, 3, 5, 0]
    row1 = DigestRow(
        ids["1.2"],
        1,
        "1.2 — Giữ vững mức 2",
        dt.date(2025, 11, 30),
        (LAN,),
        "in_progress",
        "Đang rà soát hồ sơ",
    )
    row5 = DigestRow(
        ids["3.1"],
        5,
        "3.1 — Đạt mức 3",
        dt.date(2025, 11, 20),
        (LAN, HAI),
        "in_progress",
        "Đã họp tổ",
    )
    row6 = DigestRow(
        ids["3.4"], 6, "3.4 — Đạt mức 2", dt.date(2026, 1, 15), (TU,), "not_started", None
    )
    row7 = DigestRow(ids["5.1"], 7, "5.1 — Duy trì mức 2", dt.date(2026, 1, 15), (), None, None)
    # 3 (Hải on leave that very day) and 8 (due today) are not late; 2 and 9 are done; 4 is
    # due later. Earliest due first, then position (6 and 7 share 15/01).
    assert found.overdue == (row5, row1, row6, row7)
    assert found.difficulties == (
        DigestRow(
            ids["2.3"],
            4,
            "2.3 — Bổ sung đủ thiết bị dạy học tối thiểu cho các phòng học bộ môn…",
            dt.date(2026, 3, 31),
            (MINH,),
            "difficulty",
            STUCK,
        ),
    )
    # Not done and nothing on or after 10/01 in Vietnam: 3 and 7 (never), 5 (10/12 only),
    # 8 (09/01 23:30). Row 6's 09/01 17:30 UTC is 10/01 00:30 there: not silent.
    assert found.silent == (
        DigestRow(ids["2.1"], 3, "2.1 — Đạt mức 2", dt.date(2026, 1, 15), (HAI,), None, None),
        row5,
        row7,
        DigestRow(
            ids["5.3"], 8, "5.3 — Đạt mức 3", dt.date(2026, 1, 19), (NGA, MINH), "in_progress", None
        ),
    )
    assert found.silent_since == dt.date(2026, 1, 10)
    # 5 000 000 + 10 000 000 + 0 ("Không") + 2 500 000 + 2 000 000 (upper end of 1-2 triệu)
    assert found.budget_vnd == 19_500_000
    assert found.budget_unread == 1  # "xã hội hóa" on row 4
    assert found.not_joined == (MINH,)
    assert found.on_leave == (HAI, OANH)


def test_the_same_moment_in_utc_gives_the_same_digest(db, seeded, found):
    assert build(db, seeded[0], AT.astimezone(dt.UTC)) == found


def test_the_school_day_decides_near_midnight(db, seeded):
    # 18/01 17:30 UTC is 19/01 00:30 in Vietnam: Hải is still on leave, 8 is due "today".
    found = build(db, seeded[0], utc(2026, 1, 18, 17, 30))
    assert found is not None and found.at.date() == dt.date(2026, 1, 19)
    assert [r.position for r in found.overdue] == [5, 1, 6, 7]
    assert found.on_leave == (HAI, OANH)
    assert "19/01/2026" in to_html(digest_view.render(translator("en"), found))
    # 19/01 17:30 UTC is 20/01: Hải is back, so 3 is late, and 8 (due 19/01) too.
    later = build(db, seeded[0], utc(2026, 1, 19, 17, 30))
    assert later is not None
    assert [r.position for r in later.overdue] == [5, 1, 3, 6, 7, 8]
    assert later.on_leave == (OANH,)


def test_silence_counts_from_the_last_prompt(db, seeded):
    school_id, _ = seeded
    # Before 10/01: since 01/08/2025, i.e. no report at all this school year (the later
    # reports in the database are not this test's concern: latest statuses stay as seeded).
    early = build(db, school_id, local(2026, 1, 5, 7, 30))
    assert early is not None and early.silent_since == dt.date(2025, 8, 1)
    assert [r.position for r in early.silent] == [3, 7]
    on_the_day = build(db, school_id, local(2026, 1, 10, 0, 0))
    assert on_the_day is not None and on_the_day.silent_since == dt.date(2026, 1, 10)
    # After the end-of-year prompt (15/05) every row not done is silent.
    may = build(db, school_id, local(2026, 5, 20, 7, 30))
    assert may is not None and may.silent_since == dt.date(2026, 5, 15)
    assert [r.position for r in may.silent] == [1, 3, 4, 5, 6, 7, 8]
    assert may.on_leave == ()


def test_no_plan_for_that_school_year_and_naive_moments(db, seeded):
    school_id, _ = seeded
    assert build(db, school_id, local(2026, 8, 3, 7, 30)) is None  # 2026-2027
    assert build(db, school_id, local(2025, 7, 31, 23, 0)) is None  # 2024-2025
    # 31/07 18:00 UTC is already 01/08/2025 in Vietnam: the 2025-2026 plan.
    start = build(db, school_id, utc(2025, 7, 31, 18, 0))
    assert start is not None and start.school_year == YEAR
    with pytest.raises(ValueError):
        build(db, school_id, dt.datetime(2026, 1, 19, 7, 30))


def test_a_plan_with_no_rows(db):
    with db.transaction() as session:
        school, _ = create_school(session, "Trường Tiểu học A", "tieu_hoc", None, "Asia/Bangkok")
        plans.ensure_plan(session, school, YEAR)
        session.flush()
        found = digest.build(session, school, AT)
    assert found is not None
    assert (found.total, found.budget_vnd, found.budget_unread) == (0, 0, 0)
    assert found.counts == dict.fromkeys(
        ("not_started", "in_progress", "done", "difficulty", "no_report"), 0
    )
    assert found.by_standard == {}
    assert (found.overdue, found.difficulties, found.silent) == ((), (), ())
    assert (found.not_joined, found.on_leave) == ((), ())
    text = to_html(digest_view.render(translator("en"), found))
    assert "Nothing is overdue." in text and "Difficulties" not in text
    assert digest_view.chart_png(translator("en"), found).startswith(b"\x89PNG")


def test_bulk_queries_only(db, seeded):
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        build(db, seeded[0], AT)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # plan, rows, their owners, the owners' members, the reports, the school's members
    assert len(statements) <= 7, statements
    assert sum("FROM progress_reports" in s for s in statements) == 1


def test_rendered_in_vietnamese_and_english(found):
    vi_parts = digest_view.render(translator("vi"), found)
    en_parts = digest_view.render(translator("en"), found)
    for parts in (vi_parts, en_parts):
        assert parts and all(style in ("", "b", "i") for style, _ in parts)
        text = "".join(t for _, t in parts)
        assert SCHOOL in text and "19/01/2026" in text
        assert LAN in text and "20/11/2025" in text  # the first overdue row's owner and day
        assert "19.500.000" in text
        assert ("i", f"\n   “{STUCK}”") in parts  # the difficulty, in italics
        assert MINH in text and OANH in text
        assert "{" not in text and "}" not in text
    vi = to_html(vi_parts)
    assert "Bản tin THCS Lê Quý Đôn, ngày 19/01/2026" in vi
    assert "Quá hạn (4):" in vi and "19.500.000 đồng" in vi
    assert "Chưa báo cáo từ ngày 10/01/2026 (4):" in vi
    en = to_html(en_parts)
    assert "Overdue (4):" in en and "19.500.000 VND" in en
    assert "Difficulties (1):" in en and "No report since 10/01/2026 (4):" in en
    assert "Nothing is overdue." not in en
    quiet = dataclasses.replace(
        found, overdue=(), difficulties=(), silent=(), not_joined=(), on_leave=()
    )
    en = to_html(digest_view.render(translator("en"), quiet))
    assert "Nothing is overdue." in en
    for gone in ("Overdue", "Difficulties", "No report since", MINH, OANH):
        assert gone not in en


def test_chart_png(found):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. a Vietnamese glyph missing from the font
        png = digest_view.chart_png(translator("vi"), found)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
    width, height = struct.unpack(">II", png[16:24])
    assert 600 <= width <= 900 and 300 <= height <= 550


def test_charts_drawn_in_parallel_threads(found):
    results: list[bytes] = []

    def draw(language: str) -> None:
        results.append(digest_view.chart_png(translator(language), found))

    threads = [threading.Thread(target=draw, args=(lang,)) for lang in ("vi", "en") * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6 and all(png.startswith(b"\x89PNG") for png in results)
