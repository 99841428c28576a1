"""Custody fixtures: committed data needs its own PostgreSQL database, dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from evidence.db import make_engine


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
