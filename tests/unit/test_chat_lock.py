"""On PostgreSQL, where two workers may get updates of one chat at once, a turn holds its chat
state for the whole transaction: the other worker's turn waits, then reads what the first one
left (its update id too), so no update is applied twice or on a stale state."""

from __future__ import annotations

import threading
import time

import pytest

from bot.services.chatstate import mark_seen, seen
from bot.services.members import TelegramUser, arrive
from db.session import Database
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(POSTGRES_URL is None, reason="PostgreSQL only")
USER = TelegramUser(7001, "Hà")


def test_a_second_turn_in_the_chat_waits_and_sees_the_first(db: Database, db_url: str) -> None:
    other = Database(db_url)
    first_holds, second_done = threading.Event(), threading.Event()
    seen_by_second: list[bool] = []

    def second() -> None:
        first_holds.wait(5)
        with other.transaction() as session:
            state = arrive(session, USER, USER.id).state
            seen_by_second.append(seen(state, 101))  # the same update, from the other worker
        second_done.set()

    with db.transaction() as session:  # they wrote before: person and chat state exist
        mark_seen(arrive(session, USER, USER.id).state, 100)
    worker = threading.Thread(target=second)
    worker.start()
    try:
        with db.transaction() as session:
            state = arrive(session, USER, USER.id).state
            assert not seen(state, 101)
            first_holds.set()
            time.sleep(0.5)
            assert not second_done.is_set(), "the other turn did not wait for this one"
            mark_seen(state, 101)
        worker.join(10)
        assert seen_by_second == [True]
    finally:
        other.dispose()


def test_first_contact_in_two_workers_makes_one_chat_state(db: Database, db_url: str) -> None:
    other = Database(db_url)
    errors: list[BaseException] = []

    def turn(database: Database) -> None:
        try:
            with database.transaction() as session:
                arrive(session, TelegramUser(7002, "Lan"), 7002)
                time.sleep(0.2)
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=turn, args=(d,)) for d in (db, other)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    other.dispose()
    assert errors == []
