"""The weekly unit digest through a real `caitien run --now …` process and the emulator over
HTTP: a joined specialist receives it (chart and text) when Monday 08:00 passes, once, and
after a restart nothing is sent twice. Seeded with tests/unit_seed.py."""

from __future__ import annotations

import asyncio
import time

from db.session import Database
from tests.conftest import TOKEN
from tests.unit_seed import MAI, NAM, SCHOOL_A, SCHOOL_C, SCHOOL_D, VINH, seed


async def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def photos(core, user):
    return [m for m in core.messages(TOKEN, user) if "photo" in m]


async def test_a_joined_specialist_receives_the_weekly_unit_digest(server, bot, db_url):
    core = server.core
    for user, name in ((MAI, "Mai"), (NAM, "Nam"), (VINH, "Vinh")):
        core.user(user, name)
    db = Database(db_url)
    db.upgrade()
    seed(db)
    db.dispose()
    # Two seconds before Monday 18/01/2027 08:00 (the unit's digest time).
    await bot.start(now="2027-01-18T07:59:58+07:00")
    await wait_until(lambda: all(photos(core, u) for u in (MAI, NAM, VINH)))
    [digest] = photos(core, MAI)
    caption = digest["caption"]
    assert "Bản tin tuần của Phòng Văn hóa – Xã hội phường Hoàn Kiếm, 18/01/2027" in caption
    assert caption.index(SCHOOL_C) < caption.index(SCHOOL_A)
    assert SCHOOL_D in photos(core, NAM)[0]["caption"]
    bot.stop()
    await bot.start(now="2027-01-18T08:30:00+07:00")  # back half an hour later
    await asyncio.sleep(2)  # a doubled digest would have arrived by now
    bot.stop()
    assert [len(photos(core, u)) for u in (MAI, NAM, VINH)] == [1, 1, 1]
