"""API fixtures: the real application on SQLite or PostgreSQL with a local object folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

from evidence import service
from evidence.app import create_app
from evidence.config import Settings
from evidence.models import Role
from evidence.policy import Principal
from tests.conftest import migrated_sqlite
from tests.storage_fixtures import free_port

PASSWORD = "correct horse battery"
CASE_NUMBER = "202611210000001"


@dataclass
class Api:
    client: TestClient
    engine: Engine
    settings: Settings

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def user(self, name: str, role: Role) -> Principal:
        with self.session() as session:
            user = service.create_user(
                session=session, principal=None, username=name, password=PASSWORD, role=role
            )
        return Principal(user_id=user.id, username=name, role=role)

    def token(self, name: str) -> dict[str, str]:
        response = self.client.post(
            "/api/v1/auth/token", data={"username": name, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def case(self, headers: dict[str, str], number: str = CASE_NUMBER) -> str:
        response = self.client.post(
            "/api/v1/cases", json={"number": number, "title": "Кража, ул. Абая"}, headers=headers
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def upload(
        self,
        case_id: str,
        headers: dict[str, str],
        data: bytes,
        name: str = "clip.mp4",
        **fields: str,
    ):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"/api/v1/cases/{case_id}/items",
            files={"file": (name, data, "application/octet-stream")},
            data=fields,
            headers=headers,
        )

    def events(self, action: str | None = None) -> list[tuple[int, str, str | None]]:
        query = "SELECT idx, action, item_id FROM ledger_entry"
        if action:
            query += f" WHERE action = '{action}'"
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(query + " ORDER BY idx"))]


def _truncate(engine: Engine) -> None:
    """Empty every table of the shared PostgreSQL test database, then close the pool.

    The app's shutdown has already disposed its pool; truncating opens one connection
    again, and module-level hooks keep the engine alive, so without the second dispose
    every PostgreSQL test leaked a connection until a worker ran out of them.
    """
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    """The whole application; on SQLite the schema comes from the migrations."""
    if request.param == "sqlite":
        url = migrated_sqlite(tmp_path / "dalel.sqlite3")
    else:
        url = str(request.getfixturevalue("pg_url"))
        request.getfixturevalue("pg_engine")  # tables exist
    settings = Settings(
        data_dir=tmp_path,
        database_url=url,
        max_upload_bytes=8 * 1024 * 1024,
        login_refusal_delay_seconds=0,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        yield Api(client=client, engine=app.state.engine, settings=settings)
    if request.param == "postgresql":
        _truncate(app.state.engine)


@pytest.fixture()
def team(api: Api) -> dict[str, dict[str, str]]:
    """A prosecutor's case with an officer and an investigator; outsiders too."""
    for name, role in [
        ("prosecutor", Role.PROSECUTOR),
        ("officer", Role.OFFICER),
        ("investigator", Role.INVESTIGATOR),
        ("outsider", Role.PROSECUTOR),
        ("admin", Role.ADMIN),
        ("auditor", Role.AUDITOR),
        ("defence", Role.DEFENCE),
    ]:
        api.user(name, role)
    headers = {
        name: api.token(name)
        for name in [
            "prosecutor",
            "officer",
            "investigator",
            "outsider",
            "admin",
            "auditor",
            "defence",
        ]
    }
    case_id = api.case(headers["prosecutor"])
    for member in ["officer", "investigator", "auditor"]:
        response = api.client.post(
            f"/api/v1/cases/{case_id}/members",
            json={"username": member},
            headers=headers["prosecutor"],
        )
        assert response.status_code == 201, response.text
    headers["case"] = {"id": case_id}
    return headers


def dalel(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "evidence.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"dalel {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result


_SETUP = """
import sys
from evidence.cli import main
for argv in (
    ["user", "add", "olzhas", "--role", "officer"],
    ["user", "add", "aigerim", "--role", "prosecutor"],
    ["case", "create", "202611210000777", "--title", "Грабеж", "--by", "aigerim"],
):
    if main(argv) != 0:
        sys.exit("dalel " + " ".join(argv) + " failed")
"""


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = {**os.environ, "DALEL_DATA_DIR": str(tmp_path / "var"), "DALEL_PASSWORD": PASSWORD}
    env.pop("DALEL_DATABASE_URL", None)
    env.pop("DALEL_STORAGE_URL", None)
    # The operator's set-up through the CLI's own entry point, in one interpreter: every
    # start costs seconds on a loaded machine, and this fixture serves many tests.
    setup = subprocess.run([sys.executable, "-c", _SETUP], env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "evidence.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a loaded 2-core CI machine starts slowly
    while True:
        try:
            httpx.get(f"{url}/api/v1/openapi.json", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("dalel serve did not start") from None
            time.sleep(0.2)
    yield url, env
    process.terminate()
    process.wait(timeout=10)


@contextmanager
def jobs_inline(api: Api) -> Iterator[None]:
    """Jobs run inline (DALEL_JOBS=off in tests): an approved purge's `purge` job runs at
    once, through the job runtime; uploads still start no media processing."""
    from evidence import hooks
    from ingest import pipeline
    from ingest.config import IngestSettings
    from ingest.runtime import jobs, queue

    app = api.client.app
    jobs.configure(
        engine=app.state.engine,  # type: ignore[attr-defined]
        store=app.state.store,  # type: ignore[attr-defined]
        settings=IngestSettings(jobs="sync", redis_url=None, job_retries=0, retry_intervals=[0]),
    )
    hooked = pipeline.on_item_added in hooks._item_added
    if hooked:
        hooks._item_added.remove(pipeline.on_item_added)
    try:
        yield
    finally:
        if hooked:
            hooks.on_item_added(pipeline.on_item_added)
        queue.shutdown(wait=True)
        jobs._runtime = None


@pytest.fixture()
def purge_jobs(api: Api) -> Iterator[None]:
    """`jobs_inline` for a test."""
    with jobs_inline(api):
        yield
