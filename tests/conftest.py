"""Shared fixtures: a real database per test, upgraded by Alembic.

SQLite (a file per test) by default. With CAITIEN_TEST_POSTGRES_URL set to a PostgreSQL server
(e.g. postgresql+psycopg://caitien:caitien@127.0.0.1/postgres) each test gets a fresh database
there instead; `.ci/run` runs the unit and handler tests that way too.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.core.config import Settings
from db.session import Database

TOKEN = "123456789:AAEmulatorTokenForTestsOnly_abcdefghijkl"


POSTGRES_URL = os.environ.get("CAITIEN_TEST_POSTGRES_URL")
sqlite_only = pytest.mark.skipif(POSTGRES_URL is not None, reason="SQLite only")


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    if POSTGRES_URL is None:
        yield f"sqlite:///{tmp_path / 'caitien.db'}"
        return
    server = make_url(POSTGRES_URL)
    name = f"caitien_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    try:  # best effort: an autovacuum worker may still be in it (a fresh server each CI run)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    except DBAPIError:
        pass
    admin.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        DATABASE_URL=db_url,
        CAITIEN_FILES_DIR=str(tmp_path / "files"),
        _env_file=None,
    )
