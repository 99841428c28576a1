"""Benchmark fixtures: a PostgreSQL database of a benchmark's own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from evidence.db import make_engine
from tests.conftest import pg_database_with_tables


@pytest.fixture()
def bench_url() -> Iterator[str]:
    """A fresh database per benchmark, so committed rows never meet other tests; with a
    bare table beside the ledger's, the baseline of the append benchmarks."""
    with pg_database_with_tables("dalel_bench") as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE bench_bare (idx bigserial PRIMARY KEY, leaf bytea,"
                    " leaf_hash bytea, subject varchar(80), prev_hash bytea, action varchar(64),"
                    " item_id varchar(36), case_id varchar(36), appended_at timestamptz)"
                )
            )
        engine.dispose()
        yield url
