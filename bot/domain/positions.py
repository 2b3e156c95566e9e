"""Positions as schools write them, abbreviations included ("PHT", "P.HT", "TPT Đội", "KT").

Used to suggest a row's owners from its "Chủ trì và phối hợp" words: a position named there
and held by exactly one member points at that member (a suggestion, never an assignment).
"""

from __future__ import annotations

import re

from bot.domain.parsing import fold

# Canonical position → spellings (folded: no diacritics, lower case), from the glossary.
POSITIONS: dict[str, tuple[str, ...]] = {
    "pho hieu truong": ("pho hieu truong", "pht", "p ht", "pho ht"),
    "hieu truong": ("hieu truong", "ht"),
    "pho tong phu trach doi": ("pho tong phu trach doi", "pho tpt doi", "pho tpt"),
    "tong phu trach doi": ("tong phu trach doi", "tpt doi", "tpt"),
    "to truong chuyen mon": ("to truong chuyen mon", "ttcm"),
    "to truong to van phong": ("to truong to van phong", "tt to vp"),
    "ke toan": ("ke toan", "kt"),
    "van thu": ("van thu", "vt"),
    "thu quy": ("thu quy", "tq"),
    "nhan vien y te": ("nhan vien y te", "y te truong hoc", "y te", "nvyt", "yt"),
    "thu vien": ("nhan vien thu vien", "thu vien", "tv"),
    "thiet bi": ("nhan vien thiet bi", "thiet bi", "tb"),
    "bao ve": ("bao ve", "bv"),
    "chu tich cong doan": ("chu tich cong doan", "ctcd"),
    "bi thu doan": ("bi thu doan thanh nien", "bi thu doan", "btdtn"),
}
_SPELLINGS = sorted(
    ((spelling, key) for key, spellings in POSITIONS.items() for spelling in spellings),
    key=lambda item: -len(item[0]),
)


def positions_in(text: str | None) -> set[str]:
    """Canonical positions named in `text`; longer names first ("Phó HT" is not "HT")."""
    folded = " " + re.sub(r"[^a-z0-9]+", " ", fold(text or "")) + " "
    found: set[str] = set()
    for spelling, key in _SPELLINGS:
        needle = f" {spelling} "
        while needle in folded:
            found.add(key)
            folded = folded.replace(needle, " | ", 1)
    return found
