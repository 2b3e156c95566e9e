from importlib import resources

from bot.domain.catalog import (
    DEFAULT_REGULATION,
    LEVELS,
    TT57,
    criterion_sort_key,
    is_level4_code,
    level4_code,
    load_catalog,
)


def test_counts_match_the_regulations():
    catalog = load_catalog()
    assert len(catalog.regulation("TT17-2018").criteria()) == 27
    assert len(catalog.regulation("TT18-2018").criteria()) == 28
    assert len(catalog.regulation("TT19-2018").criteria()) == 25


def test_level_picks_regulation():
    catalog = load_catalog()
    assert {lv: catalog.for_level(lv).code for lv in LEVELS} == DEFAULT_REGULATION
    assert (
        catalog.for_level("tieu_hoc").criterion("5.4").title == "Công tác phổ cập giáo dục tiểu học"
    )


def test_tt18_has_5_6_and_level4():
    tt18 = load_catalog().regulation("TT18-2018")
    assert tt18.criterion("5.6").title == "Kết quả giáo dục"
    assert (
        tt18.criterion("1.4").title == "Hiệu trưởng, phó hiệu trưởng, tổ chuyên môn và tổ văn phòng"
    )
    assert tt18.has_level4
    assert [s.number for s in tt18.standards] == [1, 2, 3, 4, 5]


def test_tt57_is_provisional_with_two_levels_and_no_level4():
    catalog = load_catalog()
    mam_non = catalog.regulation(TT57, "mam_non")
    pho_thong = catalog.regulation(TT57, "thcs")
    assert mam_non.provisional and not mam_non.has_level4
    assert len(mam_non.criteria()) == 15
    assert len(pho_thong.criteria()) == 15
    # Titles not read for phổ thông stay empty rather than borrowed from mầm non.
    assert pho_thong.criterion("1.2").title is None
    assert pho_thong.criterion("3.1").title == "Tổ chức thực hiện chương trình giáo dục"


def test_level4_codes_and_order():
    assert level4_code(3) == "M4.3"
    assert is_level4_code("M4.12") and not is_level4_code("4.1")
    codes = ["M4.2", "5.2", "1.10", "1.9", "M4.1", "1.4"]
    assert sorted(codes, key=criterion_sort_key) == ["1.4", "1.9", "1.10", "5.2", "M4.1", "M4.2"]


def test_catalog_is_shipped_inside_the_package():
    assert resources.files("bot").joinpath("data/criteria.yaml").is_file()
