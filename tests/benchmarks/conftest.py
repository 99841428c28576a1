"""Benchmark fixtures: a PostgreSQL database of a benchmark's own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from evidence.db import make_engine
from tests import conftest as root


@pytest.fixture()
def bench_url(pg_url: str) -> Iterator[str]:
    """A fresh database per benchmark, so committed rows never meet other tests."""
    name = f"dalel_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(root.PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_url.rsplit("/", 1)[0] + "/" + name
    root.load_all_models()
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE bench_bare (idx bigserial PRIMARY KEY, leaf bytea, leaf_hash bytea,"
                " subject varchar(80), prev_hash bytea, action varchar(64), item_id varchar(36),"
                " case_id varchar(36), appended_at timestamptz)"
            )
        )
    engine.dispose()
    yield url
    with psycopg.connect(root.PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
