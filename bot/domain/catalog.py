"""The criteria catalogs of the accreditation regulations, shipped as data in `bot/data/`.

`criteria.yaml` is a copy of the project's domain catalog (TT17/TT18/TT19-2018 and the
provisional TT57-2026). A school's level picks its regulation; a school may choose TT57.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

LEVELS = ("mam_non", "tieu_hoc", "thcs", "thpt", "nhieu_cap")
DEFAULT_REGULATION = {
    "mam_non": "TT19-2018",
    "tieu_hoc": "TT17-2018",
    "thcs": "TT18-2018",
    "thpt": "TT18-2018",
    "nhieu_cap": "TT18-2018",
}
TT57 = "TT57-2026"
M4_PREFIX = "M4."
_M4_CODE = re.compile(r"^M4\.(\d{1,2})$")
_CODE = re.compile(r"^(\d{1,2})\.(\d{1,2})$")


@dataclass(frozen=True)
class Criterion:
    code: str
    title: str | None
    standard: int
    verified: bool = True
    alt_titles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standard:
    number: int
    title: str | None
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Regulation:
    code: str
    number: str
    title: str
    levels: int  # highest level (Mức) of the regulation: 4 for 2018, 2 for TT57
    standards: tuple[Standard, ...]
    provisional: bool = False
    _by_code: dict[str, Criterion] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for standard in self.standards:
            for criterion in standard.criteria:
                self._by_code[criterion.code] = criterion

    @property
    def has_level4(self) -> bool:
        return self.levels >= 4

    def standard(self, number: int) -> Standard | None:
        return next((s for s in self.standards if s.number == number), None)

    def criterion(self, code: str) -> Criterion | None:
        return self._by_code.get(code)

    def criteria(self) -> list[Criterion]:
        return [c for s in self.standards for c in s.criteria]


def is_level4_code(code: str) -> bool:
    return bool(_M4_CODE.match(code))


def level4_code(number: int) -> str:
    return f"{M4_PREFIX}{number}"


def criterion_sort_key(code: str | None) -> tuple[int, int, int]:
    """Order codes as the official table does: Mức 1-3 by standard and criterion, then Mức 4."""
    if code:
        if m := _CODE.match(code):
            return (0, int(m.group(1)), int(m.group(2)))
        if m := _M4_CODE.match(code):
            return (1, 0, int(m.group(1)))
    return (2, 0, 0)


def _criterion(raw: dict[str, Any], standard: int) -> Criterion:
    return Criterion(
        code=str(raw["code"]),
        title=raw.get("title"),
        standard=standard,
        verified=bool(raw.get("verified", True)),
        alt_titles=tuple(raw.get("alt_titles") or ()),
    )


def _standards(raw_standards: list[dict[str, Any]]) -> tuple[Standard, ...]:
    return tuple(
        Standard(
            number=int(s["number"]),
            title=s.get("title"),
            criteria=tuple(_criterion(c, int(s["number"])) for c in s.get("criteria") or ()),
        )
        for s in raw_standards
    )


def _tt57_pho_thong(raw: dict[str, Any]) -> tuple[Standard, ...]:
    """TT57 for phổ thông: the codes of Phụ lục I with the titles read for Phụ lục II.

    Where the phổ thông title was not read the criterion keeps its code and no title
    (shown as "Tiêu chí 1.2"), rather than borrowing the mầm non wording.
    """
    known = {c["code"]: c for s in raw["pho_thong"]["standards"] for c in s.get("criteria") or ()}
    titles = {s["number"]: s.get("title") for s in raw["pho_thong"]["standards"]}
    standards = []
    for s in raw["mam_non"]["standards"]:
        number = int(s["number"])
        criteria = tuple(
            Criterion(code=c["code"], title=known.get(c["code"], {}).get("title"), standard=number)
            for c in s["criteria"]
        )
        standards.append(Standard(number=number, title=titles.get(number), criteria=criteria))
    return tuple(standards)


class Catalog:
    """All regulations, looked up by code (and by school level for TT57)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._regulations: dict[tuple[str, str | None], Regulation] = {}
        for raw in data["regulations"]:
            regulation = Regulation(
                code=raw["code"],
                number=raw["number"],
                title=raw["title"],
                levels=int(raw.get("levels", 4)),
                standards=_standards(raw["standards"]),
            )
            self._regulations[(regulation.code, None)] = regulation
        cand = data["new_regulation_candidate"]
        for variant, standards in (
            ("mam_non", _standards(cand["mam_non"]["standards"])),
            ("pho_thong", _tt57_pho_thong(cand)),
        ):
            self._regulations[(cand["code"], variant)] = Regulation(
                code=cand["code"],
                number=cand["number"],
                title=cand.get("scope", ""),
                levels=2,
                standards=standards,
                provisional=True,
            )

    def codes(self) -> list[str]:
        return sorted({code for code, _ in self._regulations})

    def regulation(self, code: str, level: str = "thcs") -> Regulation:
        """The catalog of `code` for a school of `level`; KeyError for an unknown code."""
        if code == TT57:
            return self._regulations[(code, "mam_non" if level == "mam_non" else "pho_thong")]
        return self._regulations[(code, None)]

    def for_level(self, level: str) -> Regulation:
        return self.regulation(DEFAULT_REGULATION[level], level)


@functools.cache
def load_catalog() -> Catalog:
    text = resources.files("bot").joinpath("data/criteria.yaml").read_text(encoding="utf-8")
    return Catalog(yaml.safe_load(text))
