"""Shared fixtures: a real SQLite database file per test, upgraded by Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from db.session import Database

TOKEN = "123456789:AAEmulatorTokenForTestsOnly_abcdefghijkl"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'caitien.db'}"


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
