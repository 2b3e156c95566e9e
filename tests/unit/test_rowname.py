"""A row is named by criterion code and short title, cut at a word boundary."""

from __future__ import annotations

import pytest

from bot.domain.rowname import name, row_name, short_title
from db.models import PlanRow


def test_short_title_cuts_at_a_word_boundary():
    text = "Xây dựng kế hoạch giáo dục nhà trường theo định hướng phát triển năng lực"
    title = short_title(text, 30)
    assert title == "Xây dựng kế hoạch giáo dục…"
    assert len(title) <= 30 and text.startswith(title[:-1])


def test_short_title_keeps_short_text_and_collapses_whitespace():
    assert short_title("  Giữ mức 2\n\n ") == "Giữ mức 2"
    assert short_title(None) == ""


def test_short_title_of_one_long_word_is_cut_inside_it():
    assert short_title("a" * 100, 10) == "a" * 9 + "…"


def test_name_is_code_dash_title():
    named = name("1.4", "Xây dựng kế hoạch giáo dục nhà trường", 30)
    assert named == "1.4 — Xây dựng kế hoạch giáo…"
    assert name("1.4", None) == "1.4"
    assert name(None, "Giữ mức 2") == "? — Giữ mức 2"


@pytest.mark.parametrize("limit", [12, 40, 60, 200])
def test_name_fits_its_limit(limit):
    assert len(name("M4.3", "Đạt chuẩn quốc gia mức độ 2 " * 10, limit)) <= limit


def test_row_name_prefers_the_expected_result_then_the_criterion_wording():
    row = PlanRow(criterion_code="1.4", expected_result="Giữ mức 2; đạt mức 3", criterion_text="x")
    assert row_name(row) == "1.4 — Giữ mức 2; đạt mức 3"
    level4 = PlanRow(criterion_code="M4.2", criterion_text="Kế hoạch giáo dục tiếp cận quốc tế")
    assert row_name(level4, 30) == "M4.2 — Kế hoạch giáo dục tiếp…"
