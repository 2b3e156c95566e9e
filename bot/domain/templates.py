"""Plan templates: the layouts a plan is written in, read from `bot/data/plan_templates.yaml`.

A plan has one template for good (`Plan.template`): `2018` (the nine-column table of Thông tư
17/18/19-2018) or `TT57-2026` (Biểu 2 of Thông tư 57/2026). A school that moves to TT57 for a
new school year keeps its older plans in their own template. Headings, section titles, the
monitoring checkpoints and the words of column (10) are data, so a correction is a data change.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from db.models import ProgressStatus

T2018 = "2018"
TT57 = "TT57-2026"
MID_YEAR = "mid_year"
END_YEAR = "end_year"
CHECKPOINTS = (MID_YEAR, END_YEAR)


@dataclass(frozen=True)
class Column:
    key: str  # the JSON / import key ("objective")
    header: str  # as the document heads it ("Mục tiêu")
    field: str | None  # the PlanRow attribute it is stored in (None: the row number)


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[Column, ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


@dataclass(frozen=True)
class Template:
    code: str
    regulations: tuple[str, ...]
    title: str
    subtitle: str
    columns: tuple[Column, ...]
    numbered_header: bool
    evidence_code: str
    raw: dict[str, Any]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def is_tt57(self) -> bool:
        return self.code == TT57

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    @property
    def priority_issues(self) -> Table | None:
        return _table(self.raw.get("priority_issues"))

    @property
    def monitoring(self) -> Table | None:
        return _table(self.raw.get("monitoring"))

    @property
    def plan_section(self) -> str:
        return str(self.raw.get("plan_section", ""))

    def checkpoint_label(self, key: str) -> str:
        for item in (self.raw.get("monitoring") or {}).get("checkpoints", []):
            if item["key"] == key:
                return str(item["label"])
        raise KeyError(key)

    def checkpoint_of(self, label: str) -> str | None:
        """ "Cuối học kỳ I" → "mid_year" (case, spaces and diacritics as written tolerated)."""
        wanted = " ".join(label.split()).casefold()
        for item in (self.raw.get("monitoring") or {}).get("checkpoints", []):
            if " ".join(str(item["label"]).split()).casefold() == wanted:
                return str(item["key"])
        return None

    def review_default(self, key: str, **values: str) -> str:
        """A default answer of the review turn (`monitoring.defaults`), filled in."""
        words = ((self.raw.get("monitoring") or {}).get("defaults") or {}).get(key, "")
        return str(words).format(**values)

    def section(self, key: str) -> str:
        return str((self.raw.get("sections") or {}).get(key, ""))

    def default_text(self, key: str, **values: str) -> list[str]:
        return [line.format(**values) for line in (self.raw.get("default_text") or {}).get(key, [])]

    @property
    def receivers(self) -> list[str]:
        return [str(line) for line in self.raw.get("receivers", [])]

    @property
    def indicator_14(self) -> str:
        return str(self.raw.get("indicator_14", ""))

    @property
    def evidence_columns(self) -> tuple[str, ...]:
        return tuple(self.raw.get("evidence_columns", ()))

    def implementation(self, status: str | None) -> str | None:
        """Column (10) from an owners' status: "Hoàn thành" / "Đang thực hiện" / "Chưa hoàn
        thành"; None without a status or for a template with no such column."""
        if status is None:
            return None
        words = self.raw.get("implementation") or {}
        found = words.get(ProgressStatus(status).value) if status in _STATUSES else None
        return str(found) if found else None

    @property
    def implementation_levels(self) -> tuple[str, ...]:
        words = self.raw.get("implementation") or {}
        return tuple(dict.fromkeys(str(v) for v in words.values()))


_STATUSES = {s.value for s in ProgressStatus}


def _columns(raw: list[dict[str, Any]]) -> tuple[Column, ...]:
    return tuple(Column(str(c["key"]), str(c["header"]), c.get("field")) for c in raw)


def _table(raw: dict[str, Any] | None) -> Table | None:
    if not raw:
        return None
    return Table(str(raw["title"]), _columns(raw["columns"]))


class Templates:
    def __init__(self, data: dict[str, Any]) -> None:
        self._by_code: dict[str, Template] = {}
        for raw in data["templates"]:
            template = Template(
                code=str(raw["code"]),
                regulations=tuple(raw.get("regulations", ())),
                title=str(raw.get("title", "")),
                subtitle=str(raw.get("subtitle", "")),
                columns=_columns(raw["columns"]),
                numbered_header=bool(raw.get("numbered_header", False)),
                evidence_code=str(raw.get("evidence_code", "")),
                raw=raw,
            )
            self._by_code[template.code] = template

    def get(self, code: str | None) -> Template:
        """The template of that code; a plan written before templates existed is `2018`."""
        return self._by_code[code or T2018]

    def for_regulation(self, regulation: str) -> Template:
        for template in self._by_code.values():
            if regulation in template.regulations:
                return template
        return self._by_code[T2018]

    @property
    def codes(self) -> list[str]:
        return list(self._by_code)


@functools.cache
def load_templates() -> Templates:
    text = resources.files("bot").joinpath("data/plan_templates.yaml").read_text(encoding="utf-8")
    return Templates(yaml.safe_load(text))


def template_of(code: str | None) -> Template:
    return load_templates().get(code)


def template_for_regulation(regulation: str) -> Template:
    return load_templates().for_regulation(regulation)
