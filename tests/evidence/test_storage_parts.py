"""Objects written in parts (resumable uploads), on both backends: any caller holding the
saved state continues, S3's 5 MiB minimum is met by holding small chunks as a tail, a
chunk that never finished is overwritten, and abort leaves nothing."""

from __future__ import annotations

import hashlib
import itertools
import json
import os

import pytest

from evidence import hashstate
from evidence.errors import StorageError
from evidence.storage import ObjectStore, blob_key, open_store
from evidence.storage.base import PartsState

MiB = 1024 * 1024


def _reopen(store: ObjectStore) -> ObjectStore:
    """Another process's view of the same store: only the saved state is shared."""
    from evidence.storage.local import LocalStore
    from evidence.storage.s3 import S3Store

    if isinstance(store, LocalStore):
        return open_store(f"file://{store.root}")
    assert isinstance(store, S3Store)
    return S3Store(store.client, store.bucket, staging_bucket=store.staging_bucket)


def _through_json(state: PartsState) -> PartsState:
    return json.loads(json.dumps(state))  # type: ignore[no-any-return]


def test_parts_from_alternating_writers_commit_to_one_object(store: ObjectStore) -> None:
    other = _reopen(store)
    data = os.urandom(12 * MiB + 333)
    # Small chunks first (S3 keeps them as a tail), then ones past the minimum part size.
    cuts = [0, 1 * MiB, 2 * MiB + 5, 8 * MiB, 12 * MiB, len(data)]
    state = store.begin_parts()
    for i, (start, end) in enumerate(itertools.pairwise(cuts)):
        writer = store if i % 2 == 0 else other
        state = _through_json(
            writer.write_part(state, offset=start, pieces=[data[start:end]], size=len(data))
        )
    key = blob_key(hashlib.sha256(data).hexdigest())
    other.commit_parts(state, key=key, size=len(data))
    assert b"".join(store.get(key)) == data
    assert not list(store.iter_leftovers())


def test_a_part_that_never_finished_is_written_again(store: ObjectStore) -> None:
    data = os.urandom(6 * MiB)
    state = store.begin_parts()
    state = store.write_part(state, offset=0, pieces=[data[: 3 * MiB]], size=len(data))

    def cut() -> object:
        yield b"garbage that never counts" * 1000
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        store.write_part(state, offset=3 * MiB, pieces=cut(), size=len(data))  # type: ignore[arg-type]
    state = store.write_part(state, offset=3 * MiB, pieces=[data[3 * MiB :]], size=len(data))
    key = blob_key(hashlib.sha256(data).hexdigest())
    store.commit_parts(state, key=key, size=len(data))
    assert b"".join(store.get(key)) == data


def test_abort_leaves_nothing_and_overruns_are_refused(store: ObjectStore) -> None:
    state = store.begin_parts()
    state = store.write_part(state, offset=0, pieces=[b"x" * 1000], size=2000)
    with pytest.raises(StorageError):
        store.write_part(state, offset=1000, pieces=[b"y" * 1001], size=2000)
    assert list(store.iter_leftovers())
    store.abort_parts(state)
    store.abort_parts(state)  # twice is fine
    assert not list(store.iter_leftovers())


def test_hash_state_continues_across_implementations() -> None:
    data = os.urandom(200_003)
    first = hashstate.new()
    first.update(data[:70_001])
    saved = first.save()
    slow = hashstate.resume_python(saved)  # a host without OpenSSL's low-level SHA-256
    slow.update(data[70_001:70_500])
    fast = hashstate.resume(slow.save())
    fast.update(bytearray(data[70_500:150_000]))
    fast.update(memoryview(data)[150_000:])
    assert fast.length == len(data)
    assert fast.hexdigest() == hashlib.sha256(data).hexdigest()
    assert fast.hexdigest() == fast.hexdigest()  # reading the digest keeps the state
    assert hashstate.resume(hashstate.EMPTY).hexdigest() == hashlib.sha256(b"").hexdigest()
    with pytest.raises(hashstate.HashStateError):
        hashstate.resume(saved.replace(":70001:", ":70002:"))
