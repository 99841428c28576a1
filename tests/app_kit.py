"""The application as the tests drive it: `Api` (a client of the real app with its engine
and settings), the password of every test account, the usual team of a case, and emptying
the shared PostgreSQL database after a test. The fixtures are in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel
from starlette.routing import Route

from evidence import service
from evidence.config import Settings
from evidence.models import Role
from evidence.policy import Principal

PASSWORD = "correct horse battery"
CASE_NUMBER = "202611210000001"
TEAM = [
    ("prosecutor", Role.PROSECUTOR),
    ("officer", Role.OFFICER),
    ("investigator", Role.INVESTIGATOR),
    ("outsider", Role.PROSECUTOR),
    ("admin", Role.ADMIN),
    ("auditor", Role.AUDITOR),
    ("defence", Role.DEFENCE),
]


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


def make_team(api: Api) -> dict[str, dict[str, str]]:
    """A prosecutor's case with an officer, an investigator and an auditor as members;
    an outsider prosecutor, an admin and a defence lawyer besides. Each one's headers
    by name, and the case's id under "case"."""
    for name, role in TEAM:
        api.user(name, role)
    headers = {name: api.token(name) for name, _ in TEAM}
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


def truncate_tables(engine: Engine) -> None:
    """Empty every table of the shared PostgreSQL test database, then close the pool.

    The app's shutdown has already disposed its pool; truncating opens one connection
    again, which the pool keeps as long as anything holds the engine (the process's job
    runtime does until the next test configures its own), so without the second dispose
    every PostgreSQL test leaked a connection until a worker ran out of them.
    """
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()


def job_settings(mode: str = "sync", **settings: Any) -> Any:
    """Ingest's settings for jobs run `mode` (sync: inline at submission; thread: in the
    background pool; off: recorded, never run), without retries unless told."""
    from ingest.config import IngestSettings

    options: dict[str, Any] = {"redis_url": None, "job_retries": 0, "retry_intervals": [0]}
    return IngestSettings(**(options | {"jobs": mode} | settings))


@contextmanager
def running_jobs(
    api: Api, *, store: Any = None, process_uploads: bool = False, jobs: str = "sync",
    **settings: Any,
) -> Iterator[None]:  # fmt: skip
    """The app's jobs run as `jobs` and `settings` say (they are off in tests otherwise),
    on its engine and its store (or `store`); uploads start ingest's media processing
    only when asked."""
    from ingest import pipeline
    from ingest.runtime import jobs as runtime
    from ingest.runtime import queue

    app = api.client.app
    runtime.configure(
        engine=app.state.engine,  # type: ignore[attr-defined]
        store=store or app.state.store,  # type: ignore[attr-defined]
        settings=job_settings(jobs, **settings),
    )
    hooks = app.state.hooks  # type: ignore[attr-defined]
    if not process_uploads:
        hooks.forget(pipeline.on_item_added)
    try:
        yield
    finally:
        pipeline.listen(hooks)
        queue.shutdown(wait=True)
        runtime.reset()


def walk_routes(routes: list, prefix: str = "") -> Iterator[Route]:  # type: ignore[type-arg]
    """Every route, including those inside included routers (FastAPI keeps those nested)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from walk_routes(nested.routes, prefix + (route.include_context.prefix or ""))
        elif isinstance(route, Route):
            yield Route(prefix + route.path, route.endpoint, methods=route.methods)
