"""One contract, two backends: the local folder and S3 (moto's real HTTP server)."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime, timedelta

import pytest

from evidence.errors import StorageError
from evidence.storage import ObjectMissing, ObjectStore, blob_key
from evidence.storage.s3 import PART_SIZE


def put(store: ObjectStore, data: bytes, *, chunk: int = 1 << 20) -> str:
    key = blob_key(hashlib.sha256(data).hexdigest())
    writer = store.begin_put()
    for offset in range(0, len(data), chunk):
        writer.write(data[offset : offset + chunk])
    writer.commit(key)
    return key


def read(store: ObjectStore, key: str, **kwargs: int) -> bytes:
    return b"".join(store.get(key, **kwargs))


def test_round_trip_and_ranges(store: ObjectStore) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    key = put(store, data)
    assert store.exists(key)
    assert store.size(key) == len(data)
    assert read(store, key) == data
    assert read(store, key, start=1000, length=5000) == data[1000:6000]
    assert read(store, key, start=len(data) - 10) == data[-10:]
    assert key in set(store.iter_keys())


def test_empty_object(store: ObjectStore) -> None:
    key = put(store, b"")
    assert store.size(key) == 0
    assert read(store, key) == b""


@pytest.mark.slow
def test_multipart_object_spanning_parts(store: ObjectStore) -> None:
    data = os.urandom(PART_SIZE + 123_456)
    key = put(store, data, chunk=4 << 20)
    assert hashlib.sha256(read(store, key)).digest() == hashlib.sha256(data).digest()


def test_abort_leaves_nothing(store: ObjectStore) -> None:
    writer = store.begin_put()
    writer.write(b"half of a bodycam file")
    writer.abort()
    writer.abort()  # idempotent
    assert list(store.iter_keys()) == []


def test_commit_existing_key_keeps_first_copy(store: ObjectStore) -> None:
    key = put(store, b"same bytes")
    writer = store.begin_put()
    writer.write(b"same bytes")
    writer.commit(key)
    assert read(store, key) == b"same bytes"
    assert list(store.iter_keys()) == [key]


def test_missing_object_is_our_error(store: ObjectStore) -> None:
    key = blob_key("0" * 64)
    assert not store.exists(key)
    with pytest.raises(ObjectMissing):
        store.size(key)
    with pytest.raises(ObjectMissing):
        b"".join(store.get(key))
    with pytest.raises(ObjectMissing):
        store.delete(key)


def test_retention_and_legal_hold(store: ObjectStore) -> None:
    key = put(store, b"retained")
    store.set_retention(key, until=datetime.now(UTC) + timedelta(days=1))
    store.set_legal_hold(key, on=True)
    store.set_legal_hold(key, on=False)
    with pytest.raises(ObjectMissing):
        store.set_legal_hold(blob_key("1" * 64), on=True)


def test_local_files_are_read_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from evidence.storage import open_store

    store = open_store(f"file://{tmp_path}")
    key = put(store, b"original")
    mode = (tmp_path / key).stat().st_mode & 0o777
    assert mode & 0o222 == 0


def test_s3_compliance_retention_refuses_delete(s3_endpoint: str) -> None:
    from evidence.storage import open_store
    from tests.storage_fixtures import s3_url

    store = open_store(s3_url(s3_endpoint))
    key = put(store, b"locked")
    store.set_retention(key, until=datetime.now(UTC) + timedelta(days=1))
    version = store.client.stat_object(store.bucket, key).version_id  # type: ignore[attr-defined]
    with pytest.raises(Exception):  # noqa: B017 - moto answers AccessDenied
        store.client.remove_object(store.bucket, key, version_id=version)  # type: ignore[attr-defined]
    assert store.exists(key)


def test_unreachable_s3_is_storage_error() -> None:
    from evidence.storage import open_store
    from tests.storage_fixtures import free_port

    with pytest.raises(StorageError):
        open_store(f"s3://a:b@127.0.0.1:{free_port()}/bucket?secure=false&region=us-east-1")
