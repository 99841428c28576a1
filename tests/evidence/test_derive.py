"""Jobs read items and register derivatives through evidence.service, all recorded."""

from __future__ import annotations

import os

import pytest

from evidence import service
from evidence.errors import IntegrityMismatch
from evidence.models import ItemKind
from tests.app_kit import Api


def _store(api: Api):  # type: ignore[no-untyped-def]
    return api.client.app.state.store  # type: ignore[attr-defined]


def test_materialize_records_and_register_derivative_once(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(5000)
    item = api.upload(team["case"]["id"], team["officer"], data).json()
    with api.session() as session:
        with service.materialize(
            session=session, store=_store(api), item_id=item["id"], purpose="proxy"
        ) as (_, blob, path):
            assert path.read_bytes() == data and blob.sha256 == item["sha256"]
        assert not path.exists()
        derivation = {"tool": "ffmpeg", "version": "5.1", "parameters": {"preset": "veryfast"}}
        first = service.register_derivative(
            session=session,
            store=_store(api),
            parent_id=item["id"],
            source=b"proxy bytes",
            name="proxy.mp4",
            derivative_kind="proxy",
            derivation=derivation,
            job_key="k:proxy:1",
        )
        again = service.register_derivative(
            session=session,
            store=_store(api),
            parent_id=item["id"],
            source=b"proxy bytes",
            name="proxy.mp4",
            derivative_kind="proxy",
            derivation=derivation,
            job_key="k:proxy:1",
        )
        assert first.id == again.id
        assert first.derivation["inputs"] == [item["sha256"]]
    reads = api.events("item.content.read")
    assert [(i[2]) for i in reads] == [item["id"]]
    assert len(api.events("item.derived")) == 1
    listed = api.client.get(f"/api/v1/items/{item['id']}/derivatives", headers=team["prosecutor"])
    assert listed.status_code == 200
    assert [(d["id"], d["derivative_kind"]) for d in listed.json()] == [(first.id, "proxy")]
    content = api.client.get(f"/api/v1/items/{first.id}/content", headers=team["officer"])
    assert content.content == b"proxy bytes"


def test_tampered_object_is_refused_not_processed(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    item = api.upload(team["case"]["id"], team["officer"], b"original bytes").json()
    path = next(p for p in (api.settings.data_dir / "objects" / "sha256").rglob("*") if p.is_file())
    path.chmod(0o644)
    path.write_bytes(b"altered bytes!")
    with (
        api.session() as session,
        pytest.raises(IntegrityMismatch),
        service.materialize(session=session, store=_store(api), item_id=item["id"], purpose="x"),
    ):
        pass


def test_children_notify_listeners(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, str]] = []
    # The app's own registry: it goes with the app at the end of the test.
    api.client.app.state.hooks.on_item_added(lambda item_id, kind: seen.append((item_id, kind)))  # type: ignore[attr-defined]
    archive = api.upload(team["case"]["id"], team["officer"], b"PK zip bytes").json()
    with api.session() as session:
        child = service.register_derivative(
            session=session,
            store=_store(api),
            parent_id=archive["id"],
            source=b"member",
            name="photo.jpg",
            derivative_kind="member",
            kind=ItemKind.CHILD,
            original_path="DCIM/photo.jpg",
            derivation={"tool": "dalel-unpack", "version": "1"},
        )
    assert seen == [(archive["id"], "original"), (child.id, "child")]
