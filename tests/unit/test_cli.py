"""The command line, run as a real process: JSON on stdout, one-line errors, exit codes."""

import json
import os
import subprocess
import sys

import pytest


def caitien(db_url, *args, files_dir=None):
    env = {**os.environ, "DATABASE_URL": db_url, "TELEGRAM_BOT_TOKEN": ""}
    if files_dir is not None:
        env["CAITIEN_FILES_DIR"] = str(files_dir)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_school_create_then_export_empty_plan_is_refused(db_url):
    done = caitien(db_url, "school", "create", "--name", "THCS Lê Quý Đôn", "--level", "thcs")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["school_id"] == 1 and data["regulation"] == "TT18-2018"
    assert 20 <= len(data["principal_code"]) <= 64
    missing = caitien(db_url, "plan", "export", "--school", "1", "--year", "2025-2026")
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert missing.stderr.strip().count("\n") == 0 and "no plan" in missing.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("school", "create", "--name", " ", "--level", "thcs"),
        ("school", "create", "--name", "X", "--level", "dai_hoc"),
        ("school", "create", "--name", "X", "--level", "thcs", "--regulation", "TT19-2018"),
        ("plan", "export", "--school", "99"),
        ("plan", "export", "--school", "1", "--year", "2025"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(db_url, args):
    done = caitien(db_url, *args)
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1


def test_run_without_token_is_refused(db_url):
    done = caitien(db_url, "run")
    assert done.returncode == 2 and "TELEGRAM_BOT_TOKEN" in done.stderr


def test_run_that_cannot_reach_the_bot_api_says_so_in_one_line(db_url):
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",  # nothing listens there
        "CAITIEN_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--now", "2026-12-01T09:30:00+07:00"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("caitien: ")]
    assert "cannot reach the Bot API at http://127.0.0.1:9/bot" in line
    assert "123:abc" not in done.stderr


def test_help_lists_commands(db_url):
    done = caitien(db_url, "--help")
    assert done.returncode == 0
    for word in ("run", "school", "plan"):
        assert word in done.stdout
