"""API fixtures: the real application on SQLite or PostgreSQL with a local object folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

from evidence import service
from evidence.app import create_app
from evidence.config import Settings
from evidence.migrations import upgrade
from evidence.models import Role
from evidence.policy import Principal

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
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    """The whole application; on SQLite the schema comes from the migrations."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'dalel.sqlite3'}"
        upgrade(url)
    else:
        url = str(request.getfixturevalue("pg_url"))
        request.getfixturevalue("pg_engine")  # tables exist
    settings = Settings(
        data_dir=tmp_path,
        database_url=url,
        max_upload_bytes=8 * 1024 * 1024,
        login_slowdown_after=3,
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
