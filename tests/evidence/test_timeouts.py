"""A hung dependency is a 503 with Retry-After within seconds, never a request held for as
long as the hang lasts (issue 13, finding 10: 63 s and 45 s in the trials). PostgreSQL,
the object store (moto S3) and Redis each sit behind a TCP proxy the test stalls: it keeps
the connections open and forwards nothing. A content read the store could not serve is
not recorded as a read. CLI commands facing an unreachable database or Redis print one
line naming it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from evidence.app import create_app
from evidence.config import Settings
from evidence.migrations import upgrade
from evidence.models import Role
from tests.app_kit import Api
from tests.conftest import PG_ADMIN_URL
from tests.storage_fixtures import free_port
from tests.tcp_proxy import TcpProxy

LIMIT = 10.0  # seconds a stalled dependency may hold a request (the settings say ~1-3)


def _within(limit: float, call: Callable[[], Any]) -> tuple[Any, float]:
    """Run `call` in a thread; fail (instead of hanging with it) past `limit`."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = call()
        except BaseException as exc:  # reported below
            box["error"] = exc

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(limit)
    elapsed = time.monotonic() - started
    if thread.is_alive():
        raise AssertionError(f"still waiting after {limit} s: the hang held the request")
    if "error" in box:
        raise box["error"]
    return box["result"], elapsed


@pytest.fixture()
def pg_database() -> Iterator[str]:
    name = f"dalel_timeout_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = "postgresql+psycopg://" + PG_ADMIN_URL.split("://", 1)[1].rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _through(url: str, proxy: TcpProxy) -> str:
    scheme, rest = url.split("://", 1)
    auth, _, tail = rest.rpartition("@")
    path = tail.split("/", 1)[1]
    return f"{scheme}://{auth + '@' if auth else ''}127.0.0.1:{proxy.port}/{path}"


def test_a_stalled_database_is_a_503_within_seconds(pg_database: str, tmp_path: Path) -> None:
    proxy = TcpProxy(("127.0.0.1", 5432))
    settings = Settings(
        data_dir=tmp_path, database_url=_through(pg_database, proxy),
        db_connect_timeout_seconds=1, db_statement_timeout_seconds=2,
        checkpoint_interval_seconds=0,
    )  # fmt: skip
    app = create_app(settings)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            api = Api(client=client, engine=app.state.engine, settings=settings)
            api.user("boss", Role.PROSECUTOR)
            headers = api.token("boss")
            api.case(headers)
            assert client.get("/api/v1/cases", headers=headers).status_code == 200
            proxy.stall()
            response, elapsed = _within(LIMIT, lambda: client.get("/api/v1/cases", headers=headers))
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"].isdigit()
            assert response.headers["content-type"] == "application/problem+json"
            assert elapsed < 6, elapsed
            # A statement already under way when the network goes silent is cut too.
            proxy.resume()
            assert client.get("/api/v1/cases", headers=headers).status_code == 200
            from sqlalchemy import text

            with app.state.engine.connect() as conn:
                proxy.stall()
                started = time.monotonic()
                with pytest.raises(Exception, match=r"closed|lost|terminat|timeout"):
                    _within(LIMIT, lambda: conn.execute(text("SELECT 1")).all())
                assert time.monotonic() - started < 6
            proxy.resume()
            recovered = client.get("/api/v1/cases", headers=headers)
            assert recovered.status_code == 200, recovered.text
    finally:
        proxy.close()
        app.state.engine.dispose()


def test_a_stalled_object_store_is_a_503_and_no_read_is_recorded(
    s3_endpoint: str,
    tmp_path: Path,
) -> None:
    host, port = s3_endpoint.split(":")
    proxy = TcpProxy((host, int(port)))
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    settings = Settings(
        data_dir=tmp_path, database_url=url,
        storage_url=f"s3://k:s@127.0.0.1:{proxy.port}/ev{uuid.uuid4().hex[:8]}"
        "?secure=false&region=us-east-1",
        storage_connect_timeout_seconds=1, storage_read_timeout_seconds=1,
        checkpoint_interval_seconds=0,
    )  # fmt: skip
    app = create_app(settings)
    data = os.urandom(100_000)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            api = Api(client=client, engine=app.state.engine, settings=settings)
            api.user("boss", Role.PROSECUTOR)
            headers = api.token("boss")
            case_id = api.case(headers)
            item = api.upload(case_id, headers, data).json()["id"]
            content = f"/api/v1/items/{item}/content"
            assert client.get(content, headers=headers).content == data
            reads = len(api.events("item.content.read"))
            proxy.stall()
            response, elapsed = _within(LIMIT, lambda: client.get(content, headers=headers))
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"].isdigit() and elapsed < 6, elapsed
            # The read that failed is not in the ledger as one that happened.
            assert len(api.events("item.content.read")) == reads
            proxy.resume()
            assert client.get(content, headers=headers).content == data
            assert len(api.events("item.content.read")) == reads + 1
    finally:
        proxy.close()


def test_a_stalled_redis_never_holds_an_upload(tmp_path: Path) -> None:
    """The job is recorded (and queued by the sweeper later: tests/ingest/test_jobs_stranded.py)."""
    from redis import Redis

    from ingest.config import IngestSettings
    from ingest.runtime import jobs, queue

    try:
        Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=2).ping()
    except Exception:
        pytest.skip("Redis not reachable")
    proxy = TcpProxy(("127.0.0.1", 6379))
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    settings = Settings(data_dir=tmp_path, database_url=url, checkpoint_interval_seconds=0)
    app = create_app(settings)
    ingest = IngestSettings(
        jobs="rq", redis_url=f"redis://127.0.0.1:{proxy.port}/15", redis_timeout_seconds=1,
        queue_prefix=f"t{uuid.uuid4().hex[:8]}", data_dir=tmp_path, models_dir=tmp_path / "m",
    )  # fmt: skip
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            jobs.configure(engine=app.state.engine, store=app.state.store, settings=ingest)
            api = Api(client=client, engine=app.state.engine, settings=settings)
            api.user("boss", Role.PROSECUTOR)
            headers = api.token("boss")
            case_id = api.case(headers)
            proxy.stall()
            response, elapsed = _within(
                LIMIT, lambda: api.upload(case_id, headers, os.urandom(5000))
            )
            assert response.status_code == 201, response.text
            assert elapsed < 6, elapsed
    finally:
        jobs.reset()
        queue.redis_connection.cache_clear()
        proxy.close()


def _dalel(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evidence.cli", *args], env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip


def test_cli_names_an_unreachable_database_or_redis_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "DALEL_DATA_DIR": str(tmp_path)}
    env["DALEL_DATABASE_URL"] = f"postgresql+psycopg://u:secret@127.0.0.1:{free_port()}/db"
    for args in (["migrate"], ["serve", "--port", str(free_port())], ["worker"]):
        run = _dalel({**env, "DALEL_REDIS_URL": "redis://127.0.0.1:6379/15"}, *args)
        assert run.returncode == 2, (args, run.stderr)
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in run.stderr, (args, run.stderr)
        assert lines[0].startswith("dalel: cannot reach the database postgresql+psycopg://u:***@")
    env.pop("DALEL_DATABASE_URL")
    env["DALEL_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    run = _dalel(env, "worker")
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.strip().splitlines() == [
        f"dalel: cannot reach Redis {env['DALEL_REDIS_URL']}: "
        f"Error 111 connecting to 127.0.0.1:{env['DALEL_REDIS_URL'].split(':')[2][:-2]}. "
        "Connection refused."
    ]
