"""fsck finds altered, missing and orphaned objects and rows, naming the items."""

from __future__ import annotations

import os

from sqlalchemy import text

from evidence.service.fsck import fsck
from tests.app_kit import Api


def _objects(api: Api) -> list:  # type: ignore[type-arg]
    return sorted(
        p for p in (api.settings.data_dir / "objects" / "sha256").rglob("*") if p.is_file()
    )


def test_clean_vault_passes_then_damage_is_named(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    store = api.client.app.state.store  # type: ignore[attr-defined]
    first = api.upload(team["case"]["id"], team["officer"], os.urandom(1000), name="a.jpg").json()
    second = api.upload(team["case"]["id"], team["officer"], os.urandom(1000), name="b.jpg").json()
    with api.session() as session:
        assert fsck(session=session, store=store).ok
    by_sha = {p.name: p for p in _objects(api)}
    altered = by_sha[first["sha256"]]
    altered.chmod(0o644)
    altered.write_bytes(b"tampered")
    by_sha[second["sha256"]].unlink()
    stray = api.settings.data_dir / "objects" / "sha256" / "ff" / "ff" / ("f" * 64)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"stray")
    with api.session() as session:
        report = fsck(session=session, store=store)
        sampled = fsck(session=session, store=store, sample=1)
    kinds = {(f.kind, f.items) for f in report.findings}
    assert ("altered-object", (first["id"],)) in kinds
    assert ("missing-object", (second["id"],)) in kinds
    assert any(f.kind == "orphan-object" and "f" * 64 in f.detail for f in report.findings)
    assert sampled.objects_checked <= 1


def test_item_without_creation_event_is_named(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    store = api.client.app.state.store  # type: ignore[attr-defined]
    item = api.upload(team["case"]["id"], team["officer"], b"bytes").json()
    with api.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO item (id, case_id, sha256, kind, source_kind, original_name, "
                "uploaded_by, created_at) SELECT 'smuggled', case_id, sha256, kind, source_kind, "
                "'x', uploaded_by, created_at FROM item WHERE id = :id"
            ),
            {"id": item["id"]},
        )
    with api.session() as session:
        report = fsck(session=session, store=store)
    assert [str(f) for f in report.findings] == [
        "chain: item has no custody events (items smuggled)"
    ]
