"""`caitien school set`: the document settings, printed as JSON; bad input exits 2 in one line."""

from __future__ import annotations

import json

import pytest

from tests.unit.test_cli import caitien


def test_school_set_prints_the_settings_and_keeps_the_others(db_url):
    created = caitien(db_url, "school", "create", "--name", "THCS Lê Quý Đôn", "--level", "thcs")
    assert created.returncode == 0, created.stderr
    done = caitien(
        db_url,
        "school",
        "set",
        "--school",
        "1",
        "--authority",
        "UBND PHƯỜNG THỦ ĐỨC",
        "--place",
        " Thủ  Đức ",
        "--symbol",
        "Số: KH-THCSLQĐ",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "school_id": 1,
        "name": "THCS Lê Quý Đôn",
        "regulation": "TT18-2018",
        "documents": {
            "authority": "UBND PHƯỜNG THỦ ĐỨC",
            "place": "Thủ Đức",  # one line, spaces as a document writes them
            "symbol": "KH-THCSLQĐ",  # the "Số:" typed with it is the document's, not the symbol
            "principal_name": None,
        },
    }
    named = caitien(
        db_url, "school", "set", "--school", "1", "--principal-name", "Nguyễn Thị Thu Hà"
    )
    documents = json.loads(named.stdout)["documents"]
    assert documents["principal_name"] == "Nguyễn Thị Thu Hà"
    assert documents["authority"] == "UBND PHƯỜNG THỦ ĐỨC"  # kept
    cleared = caitien(db_url, "school", "set", "--school", "1", "--place", "")
    assert json.loads(cleared.stdout)["documents"]["place"] is None


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--school", "9", "--place", "Thủ Đức"), "no school with id 9"),
        (("--school", "1", "--authority", "X" * 201), "authority: longer than 200"),
        (("--school", "1", "--principal-name", "Hà\x07"), "principal name: a control character"),
        (("--school", "x"), "invalid int value"),
        (("--place", "Thủ Đức"), "--school"),
    ],
)
def test_school_set_bad_input_exits_2_in_one_line(db_url, args, reason):
    caitien(db_url, "school", "create", "--name", "THCS Lê Quý Đôn", "--level", "thcs")
    done = caitien(db_url, "school", "set", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and reason in done.stderr
    assert "Traceback" not in done.stderr
