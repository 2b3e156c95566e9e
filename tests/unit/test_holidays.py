"""Holidays as a principal writes them: dates with or without their year, words kept."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.domain.school_settings import Holiday, parse_holiday

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        (
            "Tết Nguyên đán từ 14/02/2027 đến 21/02/2027",
            D(2027, 2, 14),
            D(2027, 2, 21),
            "Tết Nguyên đán",
        ),
        ("nghỉ Tết 14/2 - 21/2", D(2027, 2, 14), D(2027, 2, 21), "nghỉ Tết"),
        ("nghỉ Tết 4/2 - 14/2", D(2027, 2, 4), D(2027, 2, 14), "nghỉ Tết"),  # /settings example
        ("14/2-21/2 Tết", D(2027, 2, 14), D(2027, 2, 21), "Tết"),
        ("14/02/2027 - 22/02/2027 Nghỉ Tết", D(2027, 2, 14), D(2027, 2, 22), "Nghỉ Tết"),
        ("02/09/2026 Quốc khánh", D(2026, 9, 2), D(2026, 9, 2), "Quốc khánh"),
        ("Quốc khánh 2/9", D(2026, 9, 2), D(2026, 9, 2), "Quốc khánh"),
        ("Nghỉ Tết dương lịch 30/12 - 2/1", D(2026, 12, 30), D(2027, 1, 2), "Nghỉ Tết dương lịch"),
        ("Nghỉ giữa kỳ từ ngày 1/4 đến ngày 3/4", D(2027, 4, 1), D(2027, 4, 3), "Nghỉ giữa kỳ"),
        ("nghỉ Tết 14/2 tới 21/2/2027", D(2027, 2, 14), D(2027, 2, 21), "nghỉ Tết"),
        ("nghỉ Tết 14/2 - 21/2 năm 2027", D(2027, 2, 14), D(2027, 2, 21), "nghỉ Tết"),
    ],
)
def test_holiday_phrases(text, start, end, label):
    assert parse_holiday(text, "2026-2027") == Holiday(start, end, label)


def test_year_inferred_from_the_school_year_only():
    assert parse_holiday("nghỉ Tết 14/2 - 21/2") is None  # no school year: no year to infer
    assert parse_holiday("nghỉ Tết 14/2 - 21/2", "2027-2028") == Holiday(
        D(2028, 2, 14), D(2028, 2, 21), "nghỉ Tết"
    )
    with_year = parse_holiday("Tết Nguyên đán từ 14/02/2027 đến 21/02/2027")
    assert with_year is not None and with_year.start == D(2027, 2, 14)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "nghỉ Tết",
        "14/2 21/2",  # two days not joined as a range
        "1/2 - 3/2 - 5/2",
        "21/02/2027 - 14/02/2027",  # backwards
        "01/01/2027 - 30/06/2027",  # longer than 60 days
        "31/02 Tết",
        "14/13 - 21/13",
    ],
)
def test_unreadable_holidays_are_refused(text):
    assert parse_holiday(text, "2026-2027") is None
