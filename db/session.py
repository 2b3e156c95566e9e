"""Engine, sessions and schema upgrades.

SQLite is configured for a bot that must lose nothing: WAL journal (readers never block the
writer), foreign keys on, `synchronous=FULL` (a commit survives a power cut, not only a killed
process) and a busy timeout so concurrent writers wait instead of failing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine for `url`, with the SQLite pragmas above when it is SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (run at every start; a no-op when current)."""
    command.upgrade(alembic_config(engine), "head")


class Database:
    """The engine and a session factory; one per process, built by the composition root."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time; turns in several threads would otherwise queue on
        # its lock through the busy handler, which sleeps 1, 2, 5, 10… ms between tries (gaps
        # and a long tail). In one process, transactions take turns on this lock instead, in
        # order and without gaps; other processes (the command line) still meet the busy
        # timeout. PostgreSQL runs transactions concurrently.
        self._one_at_a_time = (
            threading.RLock() if self.engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    def upgrade(self) -> None:
        upgrade(self.engine)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on error."""
        with self._one_at_a_time:
            session = self.sessions()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def dispose(self) -> None:
        self.engine.dispose()
