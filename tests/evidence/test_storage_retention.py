"""Retention and legal hold enforced by the store itself, on both backends.

On S3 the server (moto's real HTTP endpoint) refuses the delete; the local folder emulates
the contract with a sidecar record per object.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from minio.error import S3Error

from evidence.errors import StorageError
from evidence.storage import ObjectLocked, ObjectMissing, ObjectStore, blob_key, open_store
from tests.storage_fixtures import s3_url


def put(store: ObjectStore, data: bytes) -> str:
    key = blob_key(hashlib.sha256(data).hexdigest())
    writer = store.begin_put()
    writer.write(data)
    writer.commit(key)
    return key


def _soon(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def test_retention_is_extended_never_shortened(store: ObjectStore) -> None:
    key = put(store, b"kept for ten days")
    assert store.lock_state(key).retain_until is None
    ten = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    assert store.set_retention(key, until=ten) == ten
    assert store.set_retention(key, until=ten - timedelta(days=7)) == ten
    assert store.lock_state(key).retain_until == ten
    later = ten + timedelta(days=30)
    assert store.set_retention(key, until=later) == later
    assert store.lock_state(key).retain_until == later
    with pytest.raises(ObjectMissing):
        store.set_retention(blob_key("2" * 64), until=later)


def test_delete_refused_before_the_date_then_allowed(store: ObjectStore) -> None:
    key = put(store, b"short retention")
    until = _soon(1.5).replace(microsecond=0) + timedelta(seconds=1)
    store.set_retention(key, until=until)
    with pytest.raises(ObjectLocked) as refused:
        store.delete(key)
    assert refused.value.until == until
    assert store.exists(key)
    time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.3)
    store.delete(key)
    assert not store.exists(key)
    assert key not in set(store.iter_keys())
    with pytest.raises(ObjectMissing):
        store.delete(key)


def test_legal_hold_refuses_delete_until_released(store: ObjectStore) -> None:
    key = put(store, b"held for court")
    store.set_legal_hold(key, on=True)
    assert store.lock_state(key).legal_hold
    with pytest.raises(ObjectLocked) as refused:
        store.delete(key)
    assert refused.value.hold
    store.set_legal_hold(key, on=False)
    assert not store.lock_state(key).legal_hold
    store.delete(key)
    assert not store.exists(key)


def test_default_retention_covers_new_objects(request: pytest.FixtureRequest, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for url in (
        f"file://{tmp_path / 'objects'}?lock_days=3",
        s3_url(request.getfixturevalue("s3_endpoint")) + "&lock_days=3",
    ):
        store = open_store(url)
        before = datetime.now(UTC)
        key = put(store, b"just uploaded " + url.encode())
        until = store.lock_state(key).retain_until
        assert until is not None
        assert before + timedelta(days=3) - timedelta(seconds=5) <= until
        assert until <= datetime.now(UTC) + timedelta(days=3, seconds=5)
        with pytest.raises(ObjectLocked):
            store.delete(key)
        assert store.exists(key)


def test_s3_server_refuses_direct_deletes(s3_endpoint: str) -> None:
    """Bypass Dalel entirely: the S3 API itself refuses to remove a locked version."""
    store = open_store(s3_url(s3_endpoint) + "&lock_days=1")
    client, bucket = store.client, store.bucket  # type: ignore[attr-defined]
    locked = put(store, b"default-retained")
    held = put(store, b"held")
    store.set_legal_hold(held, on=True)
    for key in (locked, held):
        version = client.stat_object(bucket, key).version_id
        with pytest.raises(S3Error) as refused:
            client.remove_object(bucket, key, version_id=version)
        assert refused.value.code == "AccessDenied"
        assert client.stat_object(bucket, key, version_id=version).size > 0


def test_s3_delete_removes_every_version_and_staging_stays_out(s3_endpoint: str) -> None:
    store = open_store(s3_url(s3_endpoint))
    client, bucket = store.client, store.bucket  # type: ignore[attr-defined]
    key = put(store, b"two versions")
    client.remove_object(bucket, key)  # a delete marker over the version: bytes remain
    versions = list(client.list_objects(bucket, prefix=key, include_version=True))
    assert len(versions) == 2
    store.delete(key)
    assert list(client.list_objects(bucket, prefix=key, include_version=True)) == []
    put(store, b"another")
    names = {o.object_name for o in client.list_objects(bucket, recursive=True)}
    assert all(name.startswith("sha256/") for name in names)


def test_local_lock_record_is_obeyed_and_damage_refuses(tmp_path: Path) -> None:
    store = open_store(f"file://{tmp_path}")
    key = put(store, b"sidecar")
    store.set_retention(key, until=datetime.now(UTC) + timedelta(days=1))
    record = tmp_path / ".locks" / f"{key}.json"
    assert json.loads(record.read_text())["legal_hold"] is False
    assert key in set(store.iter_keys()) and len(list(store.iter_keys())) == 1
    record.write_text("{not json")
    with pytest.raises(StorageError):
        store.delete(key)
    assert store.exists(key)


def test_bad_lock_days_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        open_store(f"file://{tmp_path}?lock_days=-1")
