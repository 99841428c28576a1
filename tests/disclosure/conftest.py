"""Disclosure fixtures: the whole app with the disclosure package wired in, as the lead
will wire it in evidence/app.py (models, router, error statuses, disclosure lookup)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import SQLModel

import disclosure.models  # noqa: F401  (tables on the shared metadata)
from disclosure import errors, views
from disclosure.service import is_disclosed
from evidence import app as app_module
from evidence import hooks, problems, service
from evidence.config import Settings
from evidence.models import Role
from evidence.policy import Principal
from ingest import pipeline
from ingest.config import IngestSettings
from ingest.runtime import jobs, queue
from tests.conftest import migrated_sqlite
from tests.evidence.conftest import PASSWORD, Api, _truncate
from tests.evidence.conftest import team as team


@pytest.fixture(params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    """Like tests/evidence's `api`, with disclosure mounted and its tables created."""
    if request.param == "sqlite":
        url = migrated_sqlite(tmp_path / "dalel.sqlite3")
    else:
        url = str(request.getfixturevalue("pg_url"))
        request.getfixturevalue("pg_engine")
    settings = Settings(data_dir=tmp_path, database_url=url, max_upload_bytes=8 * 1024 * 1024)
    application = app_module.create_app(settings)
    problems.register(application, extra=errors.STATUS)
    if TestClient(application).get("/verify").status_code == 404:  # no lifespan: a probe
        application.include_router(views.router)
    SQLModel.metadata.create_all(application.state.engine)
    hooks.set_disclosure_lookup(is_disclosed)
    # Watermarks are made by `wmark` jobs: run them inline here (DALEL_JOBS=off in tests),
    # without ingest's media processing of every upload (not what these tests are about).
    jobs.configure(
        engine=application.state.engine, store=application.state.store,
        settings=job_settings("sync"),
    )  # fmt: skip
    if pipeline.on_item_added in hooks._item_added:
        hooks._item_added.remove(pipeline.on_item_added)
    try:
        with TestClient(application) as client:
            yield Api(client=client, engine=application.state.engine, settings=settings)
    finally:
        hooks.set_disclosure_lookup(None)
        queue.shutdown(wait=True)
        jobs._runtime = None
        if request.param == "postgresql":
            _truncate(application.state.engine)


def job_settings(mode: str) -> IngestSettings:
    """Jobs run `mode` (sync: inline at submission; thread: in the background pool)."""
    return IngestSettings(jobs=mode, redis_url=None, job_retries=0, retry_intervals=[0])  # type: ignore[arg-type]


def png_bytes(color: str = "red", size: tuple[int, int] = (96, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Material:
    """A case with an original photo, its approved redaction, and other items."""

    case_id: str
    original: str
    redacted: str
    unredacted: str  # original without any redaction
    proxy: str  # an unapproved derivative of the original


@pytest.fixture()
def material(api: Api, team) -> Material:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    original = api.upload(case_id, team["officer"], png_bytes("red"), name="photo.png").json()
    plain = api.upload(case_id, team["officer"], b"statement text " * 10, name="a.txt").json()
    with api.session() as session:
        redacted = service.register_derivative(
            session=session,
            store=api.client.app.state.store,  # type: ignore[attr-defined]
            parent_id=original["id"],
            source=png_bytes("black"),
            name="photo-redacted.png",
            derivative_kind="redacted",
            derivation={"tool": "dalel-redact", "version": "1", "plan_id": "p1"},
        )
        proxy = service.register_derivative(
            session=session,
            store=api.client.app.state.store,  # type: ignore[attr-defined]
            parent_id=original["id"],
            source=png_bytes("blue"),
            name="photo-proxy.png",
            derivative_kind="proxy",
            derivation={"tool": "ffmpeg", "version": "5"},
        )
    return Material(case_id, original["id"], redacted.id, plain["id"], proxy.id)


def disclose(api: Api, team, items: list[str], recipient: str = "defence", **extra):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"/api/v1/cases/{team['case']['id']}/disclosures",
        json={"recipient": recipient, "items": items, **extra},
        headers=team["prosecutor"],
    )


def make_user(api: Api, name: str, role: Role) -> tuple[Principal, dict[str, str]]:
    principal = api.user(name, role)
    return principal, api.token(name)


__all__ = ["PASSWORD", "Material", "disclose", "make_user", "png_bytes"]
