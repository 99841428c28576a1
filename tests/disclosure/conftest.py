"""Disclosure fixtures: the shared app with its jobs inline, and disclosed material."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PIL import Image

from evidence import service
from evidence.models import Role
from evidence.policy import Principal
from tests.app_kit import PASSWORD, Api, running_jobs


@pytest.fixture()
def api(api: Api) -> Iterator[Api]:
    """The shared app (`create_app` wires disclosure in), its watermarks made by `wmark`
    jobs run inline, without ingest's processing of every upload (DALEL_JOBS=off)."""
    with running_jobs(api):
        yield api


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
