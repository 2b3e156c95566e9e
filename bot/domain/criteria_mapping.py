"""Which TT57-2026 criterion a 2018 criterion's row goes to when a plan is carried over
(`bot/data/criteria_mapping.yaml`, provisional: only the pairs the titles make obvious)."""

from __future__ import annotations

import functools
from importlib import resources

import yaml


@functools.cache
def _mappings() -> dict[str, dict[str, str]]:
    text = resources.files("bot").joinpath("data/criteria_mapping.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {
        str(regulation): {str(old): str(new) for old, new in pairs.items()}
        for regulation, pairs in (data.get("mappings") or {}).items()
    }


def tt57_code(regulation: str, code: str | None) -> str | None:
    """The TT57 code for a criterion of a 2018 regulation; None when the mapping has none."""
    if not code:
        return None
    return _mappings().get(regulation, {}).get(code)
