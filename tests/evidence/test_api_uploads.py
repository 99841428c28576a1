"""Resumable uploads: chunks at offsets, resume, finalize with the client's SHA-256."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

from sqlmodel import select

from custody.events import utc_now
from evidence import service
from evidence.models import UploadSession
from tests.app_kit import Api


def staged(api: Api) -> list[str]:
    """What the object folder holds in staging: an upload's parts live there now."""
    folder = api.settings.data_dir / "objects" / ".staging"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def begin(api: Api, team, data: bytes, **extra):  # type: ignore[no-untyped-def]
    body = {"filename": "shift.mp4", "size": len(data), "source_kind": "bodycam", **extra}
    response = api.client.post(
        f"/api/v1/cases/{team['case']['id']}/uploads", json=body, headers=team["officer"]
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def chunk(api: Api, team, upload_id: str, offset: int, data: bytes):  # type: ignore[no-untyped-def]
    return api.client.put(
        f"/api/v1/uploads/{upload_id}",
        content=data,
        headers={**team["officer"], "Upload-Offset": str(offset)},
    )


def finalize(api: Api, team, upload_id: str, sha256: str):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"/api/v1/uploads/{upload_id}/finalize", json={"sha256": sha256}, headers=team["officer"]
    )


def test_chunked_upload_with_resume(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(1_000_000)
    digest = hashlib.sha256(data).hexdigest()
    upload_id = begin(api, team, data, device="CAM-1")
    assert chunk(api, team, upload_id, 0, data[:400_000]).json()["offset"] == 400_000
    # The client "crashes"; on restart it asks where to resume.
    progress = api.client.get(f"/api/v1/uploads/{upload_id}", headers=team["officer"]).json()
    assert progress["offset"] == 400_000
    assert chunk(api, team, upload_id, 400_000, data[400_000:]).json()["offset"] == len(data)
    done = finalize(api, team, upload_id, digest)
    assert done.status_code == 201, done.text
    assert done.json()["sha256"] == digest and done.json()["device"] == "CAM-1"
    content = api.client.get(f"/api/v1/items/{done.json()['id']}/content", headers=team["officer"])
    assert content.content == data
    assert staged(api) == []
    assert (
        api.client.get(f"/api/v1/uploads/{upload_id}", headers=team["officer"]).status_code == 404
    )


def test_out_of_order_and_overlapping_chunks_are_refused(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(10_000)
    upload_id = begin(api, team, data)
    assert chunk(api, team, upload_id, 5_000, data[5_000:]).status_code == 409
    assert chunk(api, team, upload_id, 0, data[:6_000]).status_code == 200
    assert chunk(api, team, upload_id, 4_000, data[4_000:]).status_code == 409
    too_long = chunk(api, team, upload_id, 6_000, data[6_000:] + b"extra")
    assert too_long.status_code == 400
    assert chunk(api, team, upload_id, 6_000, data[6_000:]).status_code == 200
    early = finalize(api, team, begin(api, team, data), hashlib.sha256(data).hexdigest())
    assert early.status_code == 409


def test_mismatched_hash_keeps_nothing(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    data = os.urandom(50_000)
    upload_id = begin(api, team, data)
    chunk(api, team, upload_id, 0, data)
    response = finalize(api, team, upload_id, "f" * 64)
    assert response.status_code == 422
    assert api.events("item.created") == []
    assert len(api.events("upload.rejected")) == 1
    assert not [p for p in (api.settings.data_dir / "objects").rglob("*") if p.is_file()]
    assert staged(api) == []
    assert (
        api.client.get(f"/api/v1/uploads/{upload_id}", headers=team["officer"]).status_code == 404
    )


def test_declared_hash_must_match_final_hash(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    data = b"declared" * 100
    upload_id = begin(api, team, data, sha256=hashlib.sha256(data).hexdigest())
    chunk(api, team, upload_id, 0, data)
    assert finalize(api, team, upload_id, "a" * 64).status_code == 400


def test_other_users_cannot_touch_a_session(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    upload_id = begin(api, team, b"x" * 100)
    other = api.client.get(f"/api/v1/uploads/{upload_id}", headers=team["investigator"])
    assert other.status_code == 404


def test_the_parts_wait_in_the_object_folder_and_nowhere_else(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """No spool: the bytes of a half-sent upload are in the store's staging, and the
    session row carries the hash so far."""
    data = os.urandom(300_000)
    upload_id = begin(api, team, data)
    assert chunk(api, team, upload_id, 0, data[:100_000]).status_code == 200
    assert not (api.settings.data_dir / "uploads").exists()
    (name,) = staged(api)
    assert name.endswith(".parts")
    parts = api.settings.data_dir / "objects" / ".staging" / name
    assert parts.read_bytes() == data[:100_000]
    with api.session() as session:
        row = session.get(UploadSession, upload_id)
        assert row is not None and row.received == 100_000
        assert row.hash_state and row.hash_state.startswith("sha256-v1:")
        assert row.head == data[:8192]


def test_too_large_and_bad_sessions(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    big = {"filename": "a.bin", "size": api.settings.max_upload_bytes + 1}
    post = api.client.post
    assert (
        post(f"/api/v1/cases/{case_id}/uploads", json=big, headers=team["officer"]).status_code
        == 413
    )
    zero = {"filename": "a.bin", "size": 0}
    assert (
        post(f"/api/v1/cases/{case_id}/uploads", json=zero, headers=team["officer"]).status_code
        == 422
    )
    traversal = {"filename": "../a.bin", "size": 10}
    assert (
        post(
            f"/api/v1/cases/{case_id}/uploads", json=traversal, headers=team["officer"]
        ).status_code
        == 400
    )
    assert (
        post(f"/api/v1/cases/{case_id}/uploads", json=big, headers=team["outsider"]).status_code
        == 403
    )


def test_abandoned_sessions_expire(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    upload_id = begin(api, team, b"y" * 1000)
    chunk(api, team, upload_id, 0, b"y" * 500)
    with api.session() as session:
        row = session.get(UploadSession, upload_id)
        assert row is not None
        row.expires_at = utc_now() - timedelta(minutes=1)
        session.add(row)
        session.commit()
        store = api.client.app.state.store  # type: ignore[attr-defined]
        assert service.expire_uploads(session=session, store=store) == 1
        assert session.exec(select(UploadSession)).all() == []
    assert staged(api) == []
    assert len(api.events("upload.abandoned")) == 1


def test_abort_removes_session(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    upload_id = begin(api, team, b"z" * 10)
    assert (
        api.client.delete(f"/api/v1/uploads/{upload_id}", headers=team["officer"]).status_code
        == 204
    )
    assert staged(api) == []


def test_a_resumable_upload_of_bytes_already_in_the_case_names_the_first_item(
    api: Api, team
) -> None:  # type: ignore[no-untyped-def]
    """The browser sends every file through the resumable path: a duplicate must answer
    200 with the item already there (it was a 500: the item was read after the session's
    rollback had expired it)."""
    data = os.urandom(50_000)
    digest = hashlib.sha256(data).hexdigest()
    first = begin(api, team, data)
    chunk(api, team, first, 0, data)
    created = finalize(api, team, first, digest)
    assert created.status_code == 201, created.text
    for copy in ("copy.mp4", "again.mp4"):  # repeatable: every later copy answers alike
        again = begin(api, team, data, filename=copy)
        chunk(api, team, again, 0, data)
        duplicate = finalize(api, team, again, digest)
        assert duplicate.status_code == 200, duplicate.text
        body = duplicate.json()
        assert body["duplicate"] is True and body["id"] == created.json()["id"]
        assert body["original_name"] == "shift.mp4"
        assert staged(api) == []
