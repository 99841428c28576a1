"""Alembic environment: the schema is every package's SQLModel tables."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from evidence.db import make_engine
from evidence.migrations import include_object
from evidence.tables import load_all_models

load_all_models()
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or ""
    connectable = context.config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(url)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    sqlite = connection.dialect.name == "sqlite"
    if sqlite and not connection.in_transaction():
        # Batch migrations rebuild a SQLite table (copy, DROP, rename): with foreign keys
        # enforced, dropping a table that other rows point at (user, case) fails on any
        # database with data. SQLite ignores this pragma inside a transaction, so it is
        # set on the bare connection before the migration's transaction, and restored.
        _pragma(connection, "OFF")
        try:
            _migrate(connection)
        finally:
            _pragma(connection, "ON")
    else:
        _migrate(connection)


def _pragma(connection, value: str) -> None:  # type: ignore[no-untyped-def]
    cursor = connection.connection.driver_connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys={value}")
    cursor.close()


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
