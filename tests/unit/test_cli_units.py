"""`caitien unit create/link/unlink/member add/member remove/list/digest`: each command's JSON,
exit 2 with a one-line reason on bad input, and the digest of the seeded unit
(tests/unit_seed.py) with the counts worked out by hand in its docstring.

The digest of the seeded unit runs as a real process (as tests/unit/test_cli.py does); the
other commands run `bot.cli.main` in this process on the test's database (importing the
command line takes seconds, and these tests run many commands)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot import cli
from bot.services import units
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from db.models import UnitMember
from tests.unit.test_cli import caitien
from tests.unit_seed import AT, SCHOOL_A, SCHOOL_B, SCHOOL_C, UNIT_1, UNIT_3, seed

NOW = dt.datetime(2026, 9, 1, 8, tzinfo=dt.UTC)


@pytest.fixture
def run(db, db_url, monkeypatch, capsys):
    """`caitien ARGS...` in this process on the test's database: (exit status, stdout, stderr)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setattr(cli, "setup_logging", lambda level, secrets: None)
    monkeypatch.setattr(cli, "Database", lambda url: db)

    def command(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            status = cli.main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            status = int(exc.code or 0)
        out, err = capsys.readouterr()
        return status, out, err

    return command


@pytest.fixture
def ok(run):
    def command(*args: str):
        status, out, err = run(*args)
        assert status == 0, err
        return json.loads(out)

    return command


def test_unit_create_link_members_list_and_unlink(db, ok):
    made = ok("unit", "create", "--name", "  Sở GD&ĐT   Hà Nội ", "--kind", "province")
    assert set(made) == {"unit_id", "name", "kind", "link_code"}
    assert (made["name"], made["kind"]) == ("Sở GD&ĐT Hà Nội", "province")
    assert units.normalise_code(made["link_code"]) == made["link_code"]
    assert len(made["link_code"]) == 14  # ABCD-EFGH-JKMN
    unit = str(made["unit_id"])
    school = ok("school", "create", "--name", "THCS Lê Quý Đôn", "--level", "thcs")
    school_id = school["school_id"]
    linked = ok("unit", "link", "--unit", unit, "--school", str(school_id))
    assert linked == {"unit_id": made["unit_id"], "school_id": school_id, "linked": True}
    again = ok("unit", "link", "--unit", unit, "--school", str(school_id))
    assert again == linked  # linked already: still linked, nothing added
    added = ok(
        "unit",
        "member",
        "add",
        "--unit",
        unit,
        "--name",
        "Phạm Quang Vinh",
        "--title",
        "Chuyên viên",
    )
    assert set(added) == {"member_id", "unit_id", "name", "invite_code"}
    assert (added["unit_id"], added["name"]) == (made["unit_id"], "Phạm Quang Vinh")
    # The specialist sends /start CODE, as staff do: the code joins them to the unit, once.
    with db.transaction() as session:
        person = upsert_person(session, TelegramUser(9003, "Vinh"))
        joined = units.join_with_code(session, person, added["invite_code"], NOW)
        assert joined is not None and joined.unit.id == made["unit_id"]
        assert session.get(UnitMember, added["member_id"]).title == "Chuyên viên"
    [listed] = ok("unit", "list")
    assert listed == {
        "unit_id": made["unit_id"],
        "name": "Sở GD&ĐT Hà Nội",
        "kind": "province",
        "schools": [school_id],
        "members": [
            {
                "member_id": added["member_id"],
                "name": "Phạm Quang Vinh",
                "role": "supervisor",
                "active": True,
                "joined": True,
            }
        ],
    }
    removed = ok("unit", "member", "remove", "--unit", unit, "--member", str(added["member_id"]))
    assert removed == {"member_id": added["member_id"], "unit_id": made["unit_id"], "active": False}
    unlinked = ok("unit", "unlink", "--unit", unit, "--school", str(school_id))
    assert unlinked == {"unit_id": made["unit_id"], "school_id": school_id, "linked": False}
    [listed] = ok("unit", "list")
    assert listed["schools"] == [] and listed["members"][0]["active"] is False
    with db.transaction() as session:
        specialist = session.get(UnitMember, added["member_id"])
        assert units.school_for(session, specialist, school_id) is None
    # Without --at the digest is of the clock's now; a unit with no school has no line.
    empty = ok("unit", "digest", "--unit", unit)
    assert empty["unit"]["unit_id"] == made["unit_id"] and empty["schools"] == []


def _two_communes(db) -> dict[str, str]:
    """Communes 1 and 2, a province 3, school 1 linked to commune 1; commune 1's specialist."""
    with db.transaction() as session:
        one = units.create_unit(session, "Phòng VH-XH phường Bến Nghé", "commune", NOW)
        two = units.create_unit(session, "Phòng VH-XH phường Đa Kao", "commune", NOW)
        school, _ = create_school(session, "THCS Minh Đức", "thcs", None, "Asia/Ho_Chi_Minh")
        units.link(session, one, school, NOW)
        member = units.add_specialist(session, one, "Trần Thị Mai", NOW)
        return {
            "one": str(one.id),
            "two": str(two.id),
            "school": str(school.id),
            "member": str(member.id),
        }


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("link", "--unit", "{two}", "--school", "{school}"), "already linked to unit"),
        (("link", "--unit", "99", "--school", "{school}"), "no unit 99"),
        (("link", "--unit", "{one}", "--school", "99"), "no school with id 99"),
        (("unlink", "--unit", "99", "--school", "{school}"), "no unit 99"),
        (("create", "--name", " ", "--kind", "commune"), "needs a name"),
        (("create", "--name", "Phòng GD&ĐT", "--kind", "district"), "invalid choice"),
        (("member", "add", "--unit", "{one}", "--name", "  "), "needs a name"),
        (("member", "remove", "--unit", "{two}", "--member", "{member}"), "has no member"),
        (("digest", "--unit", "{one}", "--at", "2027-01-18T08:00"), "give the offset"),
        (("digest", "--unit", "99"), "no unit 99"),
        (("digest", "--unit", "{one}", "--format", "xlsx"), "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line(db, run, args, reason):
    ids = _two_communes(db)
    status, out, err = run("unit", *(a.format(**ids) for a in args))
    assert status == 2
    assert out == ""
    [line] = err.strip().splitlines()
    assert reason in line
    with db.transaction() as session:  # nothing changed: school 1 still with commune 1 only
        assert [u.id for u in units.units_of_school(session, int(ids["school"]))] == [
            int(ids["one"])
        ]
        assert session.get(UnitMember, int(ids["member"])).active is True


def _line(found: dict, name: str) -> dict:
    [line] = [s for s in found["schools"] if s["name"] == name]
    return line


def test_digest_of_the_seeded_unit_then_unlink(db, db_url, ok):
    seeded = seed(db)
    unit = str(seeded.units[UNIT_1])
    done = caitien(
        db_url, "unit", "digest", "--unit", unit, "--at", AT.isoformat(), "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["unit"] == {
        "unit_id": seeded.units[UNIT_1],
        "name": UNIT_1,
        "kind": "commune",
        "at": "2027-01-18T08:00:00+07:00",
    }
    # By hand (tests/unit_seed.py): C has no plan, A has a difficulty, then B.
    assert [s["name"] for s in found["schools"]] == [SCHOOL_C, SCHOOL_A, SCHOOL_B]
    c, a, b = found["schools"]
    assert c == {
        "school_id": seeded.schools[SCHOOL_C],
        "name": SCHOOL_C,
        "plan": None,
        "done": 0,
        "in_progress": 0,
        "not_started": 0,
        "difficulty": 0,
        "overdue": 0,
        "indicator_14": [0, 0],
        "last_report_at": None,
        "silent_owners": [],
    }
    assert a["school_id"] == seeded.schools[SCHOOL_A]
    assert a["plan"] == {"school_year": "2026-2027", "template": "2018", "rows": 4}
    counts = ("done", "in_progress", "not_started", "difficulty", "overdue")
    assert tuple(a[k] for k in counts) == (1, 1, 1, 1, 2)
    assert a["indicator_14"] == [1, 4]
    assert a["silent_owners"] == ["Trần Minh", "Vũ Văn Hùng"]
    last = dt.datetime.fromisoformat(a["last_report_at"])
    assert last == dt.datetime(2027, 1, 12, 15, tzinfo=AT.tzinfo)
    assert b["plan"] == {"school_year": "2026-2027", "template": "TT57-2026", "rows": 3}
    assert tuple(b[k] for k in counts) == (2, 1, 0, 0, 0)
    assert b["indicator_14"] == [2, 3] and b["silent_owners"] == []
    assert dt.datetime.fromisoformat(b["last_report_at"]) == dt.datetime(
        2027, 1, 16, 15, tzinfo=AT.tzinfo
    )
    # A unlinks from the commune: gone from its digest, still in the Sở's (another link).
    school_a = str(seeded.schools[SCHOOL_A])
    ok("unit", "unlink", "--unit", unit, "--school", school_a)
    after = ok("unit", "digest", "--unit", unit, "--at", AT.isoformat())
    assert [s["name"] for s in after["schools"]] == [SCHOOL_C, SCHOOL_B]
    assert _line(after, SCHOOL_B) == b
    province = ok("unit", "digest", "--unit", str(seeded.units[UNIT_3]), "--at", AT.isoformat())
    assert _line(province, SCHOOL_A) == a
