"""Shared fixtures: real databases (SQLite and PostgreSQL), one rolled-back transaction
per test where it fits, and a per-run PostgreSQL database so concurrent runs never meet.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
# Cheap password hashing in tests only; production keeps the RFC 9106 profile.
os.environ.setdefault("DALEL_ARGON2_TIME_COST", "1")
os.environ.setdefault("DALEL_ARGON2_MEMORY_KIB", "1024")
# Media jobs stay off unless a test turns them on: uploads of random bytes in vault tests
# must not start background processing that appends custody events while they count.
os.environ.setdefault("DALEL_JOBS", "off")

from evidence.app import load_all_models
from evidence.db import make_engine

PG_ADMIN_URL = os.environ.get("DALEL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


_template: list[Path] = []  # this process's migrated SQLite file, made on first use


def migrated_sqlite(path: Path) -> str:
    """A SQLite database at `path` with the schema of the migrations; returns its URL.

    The migrations run once per test process into a template that each call copies
    (SQLite's backup API, so nothing in a WAL file is missed): running them for every
    test cost most of a second each, minutes over the suite. The migrations themselves
    are tested on their own (tests/evidence/test_migrations.py and others).
    """
    from evidence.migrations import upgrade

    if not _template:
        folder = Path(tempfile.mkdtemp(prefix="dalel-schema-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        upgrade(f"sqlite:///{folder / 'template.sqlite3'}")
        _template.append(folder / "template.sqlite3")
    source, target = sqlite3.connect(_template[0]), sqlite3.connect(path)
    with contextlib.closing(source), contextlib.closing(target):
        source.backup(target)
    return f"sqlite:///{path}"


@contextlib.contextmanager
def empty_pg_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database named `prefix_<random>` (a SQLAlchemy URL), dropped
    afterwards; skips without PostgreSQL, fails under CI."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and unreachable at {PG_ADMIN_URL}")
        pytest.skip("PostgreSQL not reachable")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for this test run, dropped afterwards."""
    with empty_pg_database("dalel_test") as url:
        yield url


@pytest.fixture(scope="session")
def pg_engine(pg_url: str) -> Iterator[Engine]:
    load_all_models()
    engine = make_engine(pg_url)
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def sqlite_engine(tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    load_all_models()
    engine = make_engine(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    name = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)


@pytest.fixture()
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    Service code may call commit(): in this mode that only releases a savepoint.
    """
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


from tests.storage_fixtures import s3_endpoint, store  # noqa: E402,F401
