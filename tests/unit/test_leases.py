"""The outbox lease: one worker at a time holds it; it passes on when the holder's connection
ends (a crash) or at a clean stop. On PostgreSQL (CI's second run); on SQLite it is always held
(one process)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.services.leases import Lease
from db.session import Database
from tests.conftest import POSTGRES_URL

postgres_only = pytest.mark.skipif(POSTGRES_URL is None, reason="PostgreSQL only")


def test_on_sqlite_the_one_process_always_holds_it(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    lease = Lease(db.engine)
    assert lease.hold() and lease.held
    lease.release()
    assert lease.hold()


@postgres_only
def test_one_holder_at_a_time_and_it_passes_on_a_clean_stop(db: Database, db_url: str) -> None:
    other = Database(db_url)
    first, second = Lease(db.engine), Lease(other.engine)
    try:
        assert first.hold()
        assert not second.hold() and not second.held
        assert first.hold()  # still held: checked, not taken twice
        first.release()
        assert not first.held
        assert second.hold()
        assert not first.hold()
    finally:
        first.release()
        second.release()
        other.dispose()


@postgres_only
def test_a_dead_holders_lease_is_taken_at_the_next_try(db: Database, db_url: str) -> None:
    """The holder's connection ends as in a crash (terminated by the server): the lease is free
    at once, and the old holder knows it lost it at its next check."""
    other = Database(db_url)
    first, second = Lease(db.engine), Lease(other.engine)
    try:
        assert first.hold()
        assert first._conn is not None
        pid = first._conn.execute(text("SELECT pg_backend_pid()")).scalar()
        first._conn.commit()
        with other.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert second.hold()
        assert not first.hold()  # its connection is gone, and the lease is the other's now
    finally:
        first.release()
        second.release()
        other.dispose()
