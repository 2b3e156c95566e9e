"""Isolation of supervising units, end to end (`caitien run` and the emulator over HTTP):
a specialist of one unit replays every button a specialist of another unit received and every
button a principal received, and is refused each time; after the school unlinks, its
specialist sees nothing of it. On the seeded units of tests/unit_seed.py."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.services import units
from db.models import School, UnitView
from tests.conftest import TOKEN
from tests.unit_seed import (
    AT,
    MAI,
    NAM,
    PRINCIPALS,
    SCHOOL_A,
    SCHOOL_B,
    SCHOOL_C,
    SCHOOL_D,
    UNIT_1,
    local,
    seed,
)

THU = PRINCIPALS[SCHOOL_A]
REFUSAL = "Nút này không còn hiệu lực."


def callbacks(messages: list[dict]) -> list[str]:
    return [
        b["callback_data"]
        for m in messages
        for row in m.get("reply_markup", {}).get("inline_keyboard", [])
        for b in row
        if "callback_data" in b
    ]


async def say(core, user, text, count=1):
    core.send_text(TOKEN, user, text)
    return await core.wait_for_bot_messages(TOKEN, user, count=count, timeout=20)


async def press(core, user, data, count=1, on=None):
    core.press(TOKEN, user, data=data, message_id=on["message_id"] if on else None)
    return await core.wait_for_bot_messages(TOKEN, user, count=count, timeout=20)


async def forge(core, user, data, count=1):
    core.forge_callback(TOKEN, user, 1, data)
    return await core.wait_for_bot_messages(TOKEN, user, count=count, timeout=20)


async def test_a_specialist_is_refused_every_button_of_others_and_loses_an_unlinked_school(
    server, bot, db
):
    core = server.core
    seeded = seed(db)
    with db.transaction() as session:  # as if the bot had been running until then
        session.execute(update(School).values(materialised_until=local(2027, 1, 18, 9, 0)))
        unit = units.create_unit(session, "Phòng Văn hóa – Xã hội phường Cửa Nam", "commune", AT)
        other_code = unit.link_code
    for user, name in ((MAI, "Mai"), (NAM, "Nam"), (THU, "Thu")):
        core.user(user, name)
    await bot.start(now=AT.isoformat())
    a = seeded.schools[SCHOOL_A]

    # Mai (unit 1) opens everything she can: the list, each school's plan, each row's card.
    mai: list[dict] = await say(core, MAI, "/schools")
    assert SCHOOL_A in mai[0]["text"] and SCHOOL_D not in mai[0]["text"]
    for school in (SCHOOL_A, SCHOOL_B, SCHOOL_C):
        plan = await press(core, MAI, f"h:s:{seeded.schools[school]}", on=mai[0])
        mai += plan
        for row_id in seeded.rows.get(school, []):
            mai += await press(core, MAI, f"h:r:{seeded.schools[school]}:{row_id}", on=plan[0])
    mai_buttons = list(dict.fromkeys(callbacks(mai)))
    assert len(mai_buttons) >= 10
    assert f"h:x:{seeded.units[UNIT_1]}" in mai_buttons

    # The principal of school A: /supervisor, an unlink question, a link question, the plan
    # and a row's card with its edit buttons.
    thu: list[dict] = await say(core, THU, "/supervisor")
    thu += await press(core, THU, f"u:u:{seeded.units[UNIT_1]}")
    thu += await say(core, THU, f"/supervisor {other_code}")
    thu += await press(core, THU, callbacks(thu[-1:])[1])  # Huỷ
    thu += await say(core, THU, "/plan")
    thu += await press(core, THU, callbacks(thu[-1:])[0])  # the first row's card
    thu_buttons = list(dict.fromkeys(callbacks(thu)))
    assert any(d.startswith("u:y:") for d in thu_buttons)
    assert any(d.startswith("r:e:") for d in thu_buttons)

    # Nam (unit 2) replays every one of them: refused each time.
    for data in mai_buttons:
        [answer] = await forge(core, NAM, data)
        assert REFUSAL in answer["text"], data
    for data in thu_buttons:  # not a member: the refusal, then what a specialist can do
        refused, helped = await forge(core, NAM, data, count=2)
        assert REFUSAL in refused["text"], data
        assert "/schools" in helped["text"]
    with db.transaction() as session:
        seen = session.scalars(
            select(UnitView.school_id).where(UnitView.unit_member_id == seeded.specialists[NAM])
        ).all()
        assert seen == []
    [own] = await say(core, NAM, "/schools")
    assert SCHOOL_D in own["text"] and SCHOOL_A not in own["text"]

    # School A unlinks unit 1: Mai's buttons of school A are refused, the list has no A.
    await say(core, THU, "/supervisor")
    [question] = await press(core, THU, f"u:u:{seeded.units[UNIT_1]}")
    version_button = next(
        d for d in callbacks([question]) if d.startswith(f"u:x:{seeded.units[UNIT_1]}:")
    )
    [done] = await press(core, THU, version_button)
    assert "không còn xem được kế hoạch" in done["text"]
    with db.transaction() as session:
        views_of_a = select(UnitView.id).where(
            UnitView.unit_member_id == seeded.specialists[MAI], UnitView.school_id == a
        )
        before = len(session.scalars(views_of_a).all())
    of_a = [d for d in mai_buttons if d.split(":")[:3] in (["h", "s", str(a)], ["h", "r", str(a)])]
    assert len(of_a) == 5
    for data in of_a:
        [answer] = await forge(core, MAI, data)
        assert REFUSAL in answer["text"], data
    [listing] = await say(core, MAI, "/schools")
    assert SCHOOL_A not in listing["text"]
    assert f"h:s:{a}" not in callbacks([listing])
    with db.transaction() as session:
        assert len(session.scalars(views_of_a).all()) == before  # nothing more was seen
