"""Custody fixtures: committed data needs its own PostgreSQL database, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel

from evidence.db import make_engine
from tests import conftest as root
from tests.conftest import PG_ADMIN_URL


@pytest.fixture()
def fresh_pg_url(pg_url: str) -> Iterator[str]:
    """A brand-new PostgreSQL database with the schema, for tests that commit."""
    name = f"dalel_custody_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    root.load_all_models()
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture()
def fresh_pg_engine(fresh_pg_url: str) -> Iterator[Engine]:
    engine = make_engine(fresh_pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_engine(request: pytest.FixtureRequest) -> Engine:
    """An engine whose data may be committed freely: SQLite file or a fresh PG database."""
    name = "sqlite_engine" if request.param == "sqlite" else "fresh_pg_engine"
    return request.getfixturevalue(name)
