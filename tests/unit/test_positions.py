import pytest

from bot.domain.positions import positions_in


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "HT chủ trì; PHT, TTCM, GVCN phối hợp",
            {"hieu truong", "pho hieu truong", "to truong chuyen mon"},
        ),
        ("P.HT phụ trách CSVC, tổ VP", {"pho hieu truong"}),
        ("Phó HT phụ trách chuyên môn", {"pho hieu truong"}),
        ("TPT Đội, GVCN, BĐD CMHS", {"tong phu trach doi"}),
        ("Kế toán, thủ quỹ", {"ke toan", "thu quy"}),
        ("KT chủ trì", {"ke toan"}),
        ("Nhân viên y tế", {"nhan vien y te"}),
        ("Cán bộ quản lý, giáo viên", set()),
        ("", set()),
    ],
)
def test_positions_named_in_lead_text(text, expected):
    assert positions_in(text) == expected
