"""`caitien row assign` costs the same whatever the size of the row's team: setting up a province
assigns owners one call at a time (before: 0.1 s a call at first, 0.5 s near 300 owners), and one
call may assign several members. Measured as SQL statements per call, which do not vary with the
machine's load as seconds do."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.cli import main
from db.models import Member, RowHistory
from tests.unit.test_cli_team import school_with_a_row

TEAM = 300


@pytest.fixture
def statements():
    counted: list[str] = []

    def count(conn, cursor, statement, *args):
        counted.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    yield counted
    event.remove(Engine, "before_cursor_execute", count)


def assign(monkeypatch, capsys, db_url, school_id, *member_ids, lead=False):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    args = ["row", "assign", "--school", str(school_id), "--row", "1", "--now"]
    args += ["2026-12-01T09:00+07:00", "--member", *map(str, member_ids)]
    assert main([*args, "--lead"] if lead else args) == 0
    return json.loads(capsys.readouterr().out)


def test_assigning_costs_the_same_with_300_owners(db, db_url, monkeypatch, capsys, statements):
    school_id, lan_id, _principal, row_id = school_with_a_row(db)
    with db.transaction() as session:
        team = [
            Member(school_id=school_id, display_name=f"Giáo viên {i:03}", role="staff")
            for i in range(TEAM)
        ]
        session.add_all(team)
        session.flush()
        ids = [m.id for m in team]
    first = assign(monkeypatch, capsys, db_url, school_id, lan_id, lead=True)
    assert first["added"] == [lan_id] and first["notified"] is True
    statements.clear()
    assign(monkeypatch, capsys, db_url, school_id, ids[0])
    with_two = len(statements)
    # Several at once: all but the last of the team in one call.
    many = assign(monkeypatch, capsys, db_url, school_id, *ids[1:-1])
    assert many["added"] == ids[1:-1] and len(many["owners"]) == TEAM
    statements.clear()
    last = assign(monkeypatch, capsys, db_url, school_id, ids[-1])
    assert len(statements) == with_two  # 301 owners: as many statements as with 2
    assert len(last["owners"]) == TEAM + 1
    assert last["owners"][0] == {"member_id": lan_id, "name": "Đặng Thị Lan", "lead": True}
    assert last["added"] == [ids[-1]]
    # Assigning someone already an owner adds nobody and tells nobody.
    again = assign(monkeypatch, capsys, db_url, school_id, ids[5])
    assert again["added"] == [] and again["notified"] is False
    with db.transaction() as session:
        history = session.query(RowHistory).filter_by(row_id=row_id, field="owners").count()
    assert history == 4  # one line per call that changed the owners


def test_unknown_members_are_named(db, db_url, monkeypatch, capsys):
    school_id, lan_id, _, _ = school_with_a_row(db)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    code = main(
        [
            "row",
            "assign",
            "--school",
            str(school_id),
            "--row",
            "1",
            "--member",
            str(lan_id),
            "998",
            "999",
        ]
    )
    assert code == 2
    assert "no member 998, 999" in capsys.readouterr().err
