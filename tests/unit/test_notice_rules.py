"""The pure rules behind issue 11 (stale prompts, 24 hours between reminders about a row, quiet
hours for what goes at once, one digest a week around Tết), `notify preview` around Tết 2027 and
`caitien row assign` telling the owner once."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.domain import school_settings
from bot.domain.notification_rules import (
    DIGEST,
    END_YEAR,
    MID_YEAR,
    Rules,
    planned,
    quiet,
    stale,
    too_soon,
    week_of,
)
from bot.domain.school_settings import Holiday
from bot.services import plans
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from db.models import OutboxItem, School
from tests.unit.test_cli import caitien
from tests.unit.test_cli_team import school_with_a_row
from tests.unit.test_storage import NOW

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date
TET = ((D(2027, 2, 1), D(2027, 2, 14)),)  # a school's Tết holiday; Tết Nguyên đán is 06/02/2027


def at(y, m, d, h=8, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def test_a_prompt_whose_period_has_ended_is_stale():
    rules = Rules()
    mid = D(2027, 1, 10)
    assert not stale(MID_YEAR, mid, D(2027, 1, 10), rules)
    assert not stale(MID_YEAR, mid, D(2027, 5, 14), rules)  # late, but still the mid-year
    assert stale(MID_YEAR, mid, D(2027, 5, 15), rules)  # the end-of-year prompts have begun
    assert stale(MID_YEAR, mid, D(2027, 5, 20), rules)
    end = D(2027, 5, 15)
    assert not stale(END_YEAR, end, D(2027, 5, 30), rules)  # reports are due on 30/05
    assert stale(END_YEAR, end, D(2027, 5, 31), rules)
    assert not stale(DIGEST, D(2027, 1, 4), D(2027, 5, 31), rules)
    # The school's own review dates (sơ kết 20/12, tổng kết from 10/05).
    own = Rules(mid_year=(12, 20), end_year=((5, 10), (5, 20)))
    assert stale(MID_YEAR, D(2026, 12, 20), D(2027, 5, 10), own)
    assert not stale(MID_YEAR, D(2026, 12, 20), D(2027, 5, 9), own)


def test_no_two_reminders_about_a_row_within_24_hours():
    sent = at(2026, 12, 28, 8)
    assert too_soon(sent, at(2026, 12, 28, 8, 1))
    assert too_soon(sent, at(2026, 12, 29, 7, 59))
    assert not too_soon(sent, at(2026, 12, 29, 8))
    assert not too_soon(None, sent)


def test_quiet_hours_for_what_goes_at_once():
    rules = Rules()
    assert quiet(at(2026, 12, 1, 22, 30), rules) and quiet(at(2026, 12, 2, 6, 59), rules)
    assert not quiet(at(2026, 12, 1, 7), rules) and not quiet(at(2026, 12, 1, 19, 59), rules)
    assert quiet(at(2026, 12, 1, 20), rules)
    daytime = Rules(quiet_from=dt.time(12, 0), quiet_until=dt.time(13, 30))  # a siesta
    assert quiet(at(2026, 12, 1, 12, 15), daytime) and not quiet(at(2026, 12, 1, 14), daytime)


def test_one_digest_a_week_around_tet():
    digests = [
        n for n in planned([], [1], "2026-2027", TZ, Rules(holidays=TET)) if n.kind == DIGEST
    ]
    weeks = [week_of(n.send_at) for n in digests]
    assert len(weeks) == len(set(weeks))  # never two in one week
    around = [n.send_at for n in digests if at(2027, 1, 20) <= n.send_at <= at(2027, 3, 1)]
    assert around == [
        at(2027, 1, 25, 7, 30),
        at(2027, 2, 15, 7, 30),  # the first day back: one digest, not three
        at(2027, 2, 22, 7, 30),
        at(2027, 3, 1, 7, 30),
    ]
    # The June summary is kept when a holiday pushes it into the next week's digest.
    june = Rules(holidays=((D(2027, 6, 7), D(2027, 6, 13)),))
    kept = [n for n in planned([], [1], "2026-2027", TZ, june) if n.kind == DIGEST]
    [back] = [n for n in kept if n.send_at == at(2027, 6, 14, 7, 30)]
    assert back.day == D(2027, 6, 7)  # the summary's planned day


def test_notify_preview_shows_one_digest_a_week_around_tet(db, db_url):
    with db.transaction() as session:
        school, invite = create_school(session, "THCS A", "thcs", None, "Asia/Ho_Chi_Minh")
        person = upsert_person(session, TelegramUser(1, "Hà"))
        join_with_code(session, person, invite.code, NOW)
        plans.ensure_plan(session, school, "2026-2027")
        school_settings.update(school, holidays=(Holiday(*TET[0], "Nghỉ Tết Nguyên đán"),))
        school_id = school.id
    done = caitien(
        db_url, "notify", "preview", "--school", str(school_id), "--at", "2027-03-01T08:00+07:00"
    )
    assert done.returncode == 0, done.stderr
    digests = [
        dt.datetime.fromisoformat(i["send_at"])
        for i in json.loads(done.stdout)
        if i["kind"] == "digest"
    ]
    weeks = [week_of(d.astimezone(TZ)) for d in digests]
    assert len(weeks) == len(set(weeks))
    assert [d for d in digests if at(2027, 2, 1) <= d < at(2027, 2, 16)] == [at(2027, 2, 15, 7, 30)]


def test_row_assign_tells_the_owner_once(db, db_url):
    school_id, lan_id, _, row_id = school_with_a_row(db)
    args = ("row", "assign", "--school", str(school_id), "--row", "1", "--member", str(lan_id))
    moment = ("--now", "2026-12-01T22:30+07:00")
    results = [caitien(db_url, *args, *moment), caitien(db_url, *args, "--lead", *moment)]
    assert [r.returncode for r in results] == [0, 0], results[0].stderr
    assert [json.loads(r.stdout)["notified"] for r in results] == [True, False]
    with db.transaction() as session:
        [item] = session.scalars(select(OutboxItem).where(OutboxItem.kind == "assigned")).all()
        assert (item.member_id, item.row_id, item.state) == (lan_id, row_id, "pending")
        assert item.send_at == at(2026, 12, 1, 22, 30)
        assert session.get(School, school_id) is not None
    bad = caitien(db_url, *args, "--now", "2026-12-01T22:30")
    assert bad.returncode == 2 and "offset" in bad.stderr
