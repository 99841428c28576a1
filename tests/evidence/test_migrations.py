"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import uuid

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from evidence.app import load_all_models
from evidence.db import make_engine
from evidence.migrations import include_object, upgrade
from tests.conftest import PG_ADMIN_URL


def _diff(url: str) -> list[object]:
    load_all_models()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return list(diff)


def test_sqlite_migrations_match_models(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert _diff(f"sqlite:///{tmp_path / 'm.sqlite3'}") == []


def test_postgresql_migrations_match_models(pg_url: str) -> None:
    name = f"dalel_migrations_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = pg_url.rsplit("/", 1)[0] + f"/{name}"
        assert _diff(url) == []
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
