"""Alembic environment: uses the engine handed over by `db.session.upgrade`."""

from __future__ import annotations

import logging

from alembic import context
from sqlalchemy import Engine, create_engine

from db.models import Base

config = context.config
target_metadata = Base.metadata
logging.getLogger("alembic").setLevel(logging.WARNING)


def _engine() -> Engine:
    """The engine handed over, else one for the configured URL (the `alembic` command line)."""
    handed: Engine | None = config.attributes.get("engine")
    if handed is not None:
        return handed
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no engine handed over and no sqlalchemy.url configured")
    return create_engine(url)


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
