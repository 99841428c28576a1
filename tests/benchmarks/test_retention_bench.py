"""Retention benchmarks (`make bench`).

1. `dalel retention due` over 1,000,000 items on PostgreSQL (target ≤ 2 s): the per-case
   query, the whole command in a fresh process, and its EXPLAIN (ANALYZE) plan.
2. Applying retention to 10,000 committed S3 objects (moto) after a category change:
   objects per second of `sync_objects`, as a ratio to the same number of bare
   `put_object_retention` calls in the same run (sequential, and with 8 workers).
CPU seconds are printed beside wall seconds: the machine is shared and noisy.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, SQLModel

from evidence.app import load_all_models
from evidence.db import make_engine
from evidence.migrations import alembic_config
from evidence.service.purge import due_cases, due_query
from tests.conftest import PG_ADMIN_URL
from tests.storage_fixtures import s3_url

pytestmark = pytest.mark.bench
ITEMS = int(os.environ.get("DALEL_BENCH_RETENTION_ITEMS", "1000000"))
OBJECTS = int(os.environ.get("DALEL_BENCH_RETENTION_OBJECTS", "10000"))
CASES = 2000


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def _bench_user(engine: Any) -> None:
    """The one account the generated rows point at (through the model: its defaults)."""
    from evidence.models import Role, User

    with Session(engine) as session:
        session.add(
            User(id="u0", username="bench", role=Role.PROSECUTOR, password_hash="x",
                 created_at=datetime.now(UTC))
        )  # fmt: skip
        session.commit()


@pytest.fixture()
def big_pg() -> Iterator[str]:
    """A PostgreSQL database with ITEMS items over CASES cases (a third past their date,
    some held), filled by generate_series: seconds, not the hours a million uploads take."""
    name = f"dalel_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    load_all_models()
    engine = make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    SQLModel.metadata.create_all(engine)
    _bench_user(engine)
    engine.dispose()
    command.stamp(alembic_config(url.replace("postgresql://", "postgresql+psycopg://", 1)), "head")
    fill = f"""
    INSERT INTO "case" (id, number, title, status, created_by, created_at)
      SELECT 'c' || g, lpad(g::text, 15, '0'), 'case ' || g, 'open', 'u0', now()
      FROM generate_series(1, {CASES}) g;
    INSERT INTO case_member (id, case_id, user_id, role, added_by, added_at)
      SELECT 'm' || g, 'c' || g, 'u0', 'PROSECUTOR', 'u0', now()
      FROM generate_series(1, {CASES} / 2) g;
    INSERT INTO blob (sha256, size, media_type, storage_key, created_at)
      SELECT md5(g::text) || md5((-g)::text), 1000, 'application/octet-stream', 'k' || g, now()
      FROM generate_series(1, {ITEMS}) g;
    INSERT INTO item (id, case_id, sha256, kind, source_kind, original_name, uploaded_by,
                      created_at)
      SELECT 'i' || g, 'c' || (g % {CASES} + 1), md5(g::text) || md5((-g)::text), 'ORIGINAL',
             'OTHER', 'file' || g, 'u0', now()
      FROM generate_series(1, {ITEMS}) g;
    INSERT INTO item_retention (item_id, case_id, retain_until)
      SELECT 'i' || g, 'c' || (g % {CASES} + 1),
             CASE WHEN g % 10 = 0 THEN NULL
                  ELSE timestamptz '2010-01-01' + (g % 9000) * interval '1 day' END
      FROM generate_series(1, {ITEMS}) g;
    INSERT INTO legal_hold (id, case_id, item_id, reason, placed_by, placed_at)
      SELECT 'hc' || g, 'c' || g, NULL, 'bench', 'u0', now() FROM generate_series(1, 50) g;
    INSERT INTO legal_hold (id, case_id, item_id, reason, placed_by, placed_at)
      SELECT 'hi' || g, 'c' || (g * 7 % {CASES} + 1), 'i' || (g * 7), 'bench', 'u0', now()
      FROM generate_series(1, 2000) g;
    ANALYZE;
    """  # noqa: S608 - the benchmark's own constants only
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(fill)  # type: ignore[arg-type]
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_retention_due_over_a_million_items(big_pg: str) -> None:
    url = big_pg.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        due_cases(session=session, principal=None, now=now)  # warm the cache once
        start = _clock()
        rows = due_cases(session=session, principal=None, now=now)
        wall, cpu = _since(start)
        statement = due_query(now=now).compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
        plan = session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")).scalars().all()
        start = _clock()
        mine = session.execute(due_query(now=now, user_id="u0")).all()
        mine_wall, _ = _since(start)
        # Most days little is due: then the partial index on the date does the work.
        early = datetime(2011, 6, 1, tzinfo=UTC)
        start = _clock()
        few = due_cases(session=session, principal=None, now=early)
        few_wall, _ = _since(start)
        statement = due_query(now=early).compile(
            dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
        )
        few_plan = session.execute(text(f"EXPLAIN ANALYZE {statement}")).scalars().all()
    engine.dispose()
    due = sum(r.items for r in rows)
    env = {**os.environ, "DALEL_DATABASE_URL": url, "DALEL_DATA_DIR": "/tmp/dalel-bench-due"}
    start = _clock()
    command = subprocess.run(
        [sys.executable, "-m", "evidence.cli", "retention", "due"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    command_wall = time.perf_counter() - start[0]
    start = _clock()  # the same process start and migration check, doing nothing else
    subprocess.run(
        [sys.executable, "-m", "evidence.cli", "migrate"], env=env, capture_output=True, check=True
    )
    baseline_wall = time.perf_counter() - start[0]
    print(
        f"\nretention due over {ITEMS:,} items / {CASES} cases on PostgreSQL: {due:,} due in "
        f"{len(rows)} cases; query + cases {wall:.3f} s wall ({cpu:.3f} s CPU); one "
        f"prosecutor's cases {mine_wall:.3f} s ({len(mine)} cases); `dalel retention due` "
        f"process {command_wall:.2f} s against `dalel migrate` (same start-up and migration "
        f"check) {baseline_wall:.2f} s in the same run; a day when little is due "
        f"({sum(r.items for r in few):,} items): {few_wall:.3f} s"
    )
    print("EXPLAIN (ANALYZE, BUFFERS):\n  " + "\n  ".join(plan))
    print("EXPLAIN ANALYZE, little due:\n  " + "\n  ".join(few_plan))
    print(command.stdout.splitlines()[-1])
    assert due > 0 and len(rows) < CASES  # held cases are left out
    assert wall <= 2.0 and few_wall <= 2.0


def test_applying_retention_to_s3_objects(s3_endpoint: str) -> None:
    """After a category change every object must be locked longer: Dalel's apply (DB
    state + HEAD + PUT per object) against bare put_object_retention calls."""
    from minio.commonconfig import COMPLIANCE
    from minio.retention import Retention

    from evidence.service.object_locks import sync_objects
    from evidence.storage import open_store

    store = open_store(s3_url(s3_endpoint))
    client, bucket = store.client, store.bucket  # type: ignore[attr-defined]
    url = f"sqlite:////tmp/dalel-bench-locks-{uuid.uuid4().hex[:8]}.sqlite3"
    load_all_models()
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    keys = []
    _bench_user(engine)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO \"case\" (id, number, title, status, created_by, created_at) "
            "VALUES ('c0','000000000000001','bench','open','u0','2026-01-01')"
        ))  # fmt: skip
        for n in range(OBJECTS):
            data = f"object {n}".encode()
            sha = f"{n:064x}"
            key = f"sha256/{sha[:2]}/{sha[2:4]}/{sha}"
            client.put_object(bucket, key, io.BytesIO(data), len(data))
            keys.append(key)
            conn.execute(
                text("INSERT INTO blob VALUES (:s, :n, 'text/plain', :k, '2026-01-01')"),
                {"s": sha, "n": len(data), "k": key},
            )
            conn.execute(
                text(
                    "INSERT INTO item (id, case_id, sha256, kind, source_kind, original_name, "
                    "uploaded_by, created_at) VALUES (:i, 'c0', :s, 'ORIGINAL', 'OTHER', 'f', "
                    "'u0', '2026-01-01')"
                ),
                {"i": f"i{n}", "s": sha},
            )
            conn.execute(
                text("INSERT INTO item_retention (item_id, case_id, retain_until) "
                     "VALUES (:i, 'c0', :u)"),
                {"i": f"i{n}", "u": datetime(2031, 1, 1, tzinfo=UTC)},
            )  # fmt: skip
    with Session(engine) as session:  # the first application: what the old category said
        sync_objects(session=session, store=store, case_id="c0", workers=8)
        session.execute(
            text("UPDATE item_retention SET retain_until = :u"),
            {"u": datetime(2036, 1, 1, tzinfo=UTC)},  # the new, longer category
        )
        session.commit()
        results = {}
        for workers in (1, 8):
            if workers == 8:  # a second change, so the concurrent run has work too
                session.execute(
                    text("UPDATE item_retention SET retain_until = :u"),
                    {"u": datetime(2041, 1, 1, tzinfo=UTC)},
                )
                session.commit()
            start = _clock()
            report = sync_objects(session=session, store=store, case_id="c0", workers=workers)
            results[workers] = (*_since(start), report.extended)
    until = datetime.now(UTC) + timedelta(days=20 * 365)

    def bare(key: str) -> None:
        client.set_object_retention(bucket, key, Retention(COMPLIANCE, until))

    start = _clock()
    for key in keys:
        bare(key)
    bare_seq = _since(start)
    until += timedelta(days=1)
    start = _clock()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(bare, keys))
    bare_par = _since(start)
    engine.dispose()
    seq_rate = OBJECTS / results[1][0]
    par_rate = OBJECTS / results[8][0]
    print(
        f"\napply retention to {OBJECTS:,} S3 objects (moto): sequential {seq_rate:.0f} obj/s "
        f"({results[1][0]:.1f} s wall, {results[1][1]:.1f} s CPU) vs bare put_object_retention "
        f"{OBJECTS / bare_seq[0]:.0f}/s ({bare_seq[0]:.1f} s, {bare_seq[1]:.1f} s CPU): ratio "
        f"{seq_rate / (OBJECTS / bare_seq[0]):.2f}; 8 workers {par_rate:.0f} obj/s vs bare with "
        f"8 threads {OBJECTS / bare_par[0]:.0f}/s: ratio {par_rate / (OBJECTS / bare_par[0]):.2f}"
    )
    assert results[1][2] == OBJECTS and results[8][2] == OBJECTS
