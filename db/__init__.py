"""Storage: SQLAlchemy models, the engine/session factory and Alembic migrations."""
