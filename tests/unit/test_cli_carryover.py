"""`caitien plan carry-over` and `caitien school set --regulation`: JSON of what was carried;
a year with rows refused (exit 2, one line) unless --append; the old plans keep their template."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.test_cli import caitien

FIXTURE = Path(__file__).parents[1] / "fixtures" / "plan-thcs-2025-2026.docx"


def test_carry_over_prints_what_was_carried_and_the_regulation_switch(db_url):
    assert (
        caitien(db_url, "school", "create", "--name", "THCS A", "--level", "thcs").returncode == 0
    )
    imported = caitien(
        db_url, "plan", "import", str(FIXTURE), "--school", "1", "--year", "2026-2027"
    )
    assert imported.returncode == 0, imported.stderr
    rows = json.loads(imported.stdout)["rows"]
    assert rows > 0

    carried = caitien(
        db_url, "plan", "carry-over", "--school", "1", "--from", "2026-2027", "--to", "2027-2028"
    )
    assert carried.returncode == 0, carried.stderr
    assert json.loads(carried.stdout) == {
        "from": "2026-2027",
        "to": "2027-2028",
        "template": "2018",
        "rows": rows,  # nobody reported: every row is unfinished
        "issues": 0,
        "unmapped": [],
    }
    again = caitien(
        db_url, "plan", "carry-over", "--school", "1", "--from", "2026-2027", "--to", "2027-2028"
    )
    assert again.returncode == 2 and again.stdout == ""
    assert f"already has {rows} row(s)" in again.stderr and len(again.stderr.splitlines()) == 1

    switched = caitien(db_url, "school", "set", "--school", "1", "--regulation", "TT57-2026")
    assert switched.returncode == 0, switched.stderr
    assert json.loads(switched.stdout)["regulation"] == "TT57-2026"
    wrong = caitien(db_url, "school", "set", "--school", "1", "--regulation", "TT19-2018")
    assert wrong.returncode == 2 and "not for a school of level thcs" in wrong.stderr

    into_tt57 = caitien(
        db_url, "plan", "carry-over", "--school", "1", "--from", "2027-2028", "--to", "2028-2029"
    )
    assert into_tt57.returncode == 0, into_tt57.stderr
    data = json.loads(into_tt57.stdout)
    assert (data["template"], data["rows"], data["issues"]) == ("TT57-2026", rows, 0)
    assert data["unmapped"] == sorted(data["unmapped"]) and len(data["unmapped"]) < rows

    old = json.loads(
        caitien(db_url, "plan", "export", "--school", "1", "--year", "2027-2028").stdout
    )
    new = json.loads(
        caitien(db_url, "plan", "export", "--school", "1", "--year", "2028-2029").stdout
    )
    assert old["template"] == "2018" and new["template"] == "TT57-2026"
    assert [r["content"] for r in new["rows"]][:1] == [old["rows"][0]["criterion_text"]]

    appended = caitien(
        db_url,
        "plan",
        "carry-over",
        "--school",
        "1",
        "--from",
        "2026-2027",
        "--to",
        "2027-2028",
        "--append",
    )
    assert appended.returncode == 0, appended.stderr
    assert json.loads(appended.stdout)["rows"] == rows
