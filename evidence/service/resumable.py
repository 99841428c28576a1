"""What staff and citizen resumable uploads share: state in the row, bytes in the store.

No host keeps anything between two chunks. A chunk is written by the object store as
(part of) a multipart upload (`ObjectStore.write_part`), the running SHA-256 is saved
in the row (`evidence.hashstate`) with the first bytes (for the media type), and the
row's new offset is committed only after the store has the bytes. One writer at a time:
on PostgreSQL the row is locked (`FOR UPDATE NOWAIT`) for the chunk — a process killed
mid-chunk loses its connection and with it the lock, so another process continues at
once; on SQLite (one process) a lock per upload in the process does it.

Finalising commits the parts to the content address of the hash the row holds, marks
the row (`{"committed": key}`) and only then registers the item: a crash between the two
leaves a row that a repeated finalize completes.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Iterable, Iterator
from typing import TypeVar

from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from evidence import hashstate
from evidence.citizen_models import CitizenUpload
from evidence.errors import Conflict, InvalidInput, NotFound
from evidence.models import UploadSession
from evidence.storage import ObjectStore
from evidence.storage.base import PartsState
from evidence.storage.errors import PartBusy

Row = TypeVar("Row", UploadSession, CitizenUpload)

_SNIFF_BYTES = 8192  # as much of the head as `Incoming.media_type` reads
_LOCK_NOT_AVAILABLE = "55P03"
_local_locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
_local_guard = threading.Lock()


@contextlib.contextmanager
def hold(session: Session, model: type[Row], row_id: str) -> Iterator[Row | None]:
    """The row, fresh from the database and held by this request alone until the block
    ends (its commit releases it on PostgreSQL); None when there is no such row.
    Raises `PartBusy` (409) when another request holds it."""
    if session.get_bind().dialect.name == "postgresql":
        query = (
            select(model)
            .where(col(model.id) == row_id)
            .with_for_update(nowait=True)
            .execution_options(populate_existing=True)
        )
        try:
            row = session.exec(query).first()
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
            session.rollback()
            raise PartBusy(
                "another request is writing this upload right now; ask for the offset and retry"
            ) from exc
        try:
            yield row
        except BaseException:
            session.rollback()
            raise
        return
    with _local_guard:
        lock = _local_locks.get(row_id)
        if lock is None:
            lock = _local_locks[row_id] = threading.Lock()
    if not lock.acquire(blocking=False):
        raise PartBusy(
            "another request is writing this upload right now; ask for the offset and retry"
        )
    try:
        yield session.get(model, row_id, populate_existing=True)
    except BaseException:
        session.rollback()
        raise
    finally:
        lock.release()


def begin(store: ObjectStore) -> tuple[PartsState, str]:
    """The store's new parts state and the empty hash state, for a new row."""
    return store.begin_parts(), hashstate.EMPTY


def require_state(row: UploadSession | CitizenUpload) -> tuple[PartsState, str]:
    """A row's parts and hash state; a session begun before the upgrade (spooled on one
    host) has none and must be started again."""
    if row.store_state is None or row.hash_state is None:
        raise NotFound("this upload began before the server's upgrade; start it again")
    return row.store_state, row.hash_state


def append(
    *,
    session: Session,
    store: ObjectStore,
    row: UploadSession | CitizenUpload,
    offset: int,
    chunks: Iterable[bytes],
) -> None:
    """Write bytes at exactly the row's offset, hash them on the way, and commit the new
    offset, parts and hash state once the store holds the bytes."""
    state, hash_state = require_state(row)
    if "committed" in state:
        raise Conflict("the upload is complete; finalize it")
    if offset != row.received:
        raise Conflict(
            "expected a chunk at offset %(expected)d, not %(offset)d",
            expected=row.received,
            offset=offset,
        )
    digest = hashstate.resume(hash_state)
    if digest.length != row.received:
        raise Conflict("the upload's saved hash does not match its offset")
    head = bytearray(row.head or b"")
    size = row.size

    def hashed() -> Iterator[bytes]:
        total = offset
        for data in chunks:
            total += len(data)
            if total > size:
                raise InvalidInput("the chunk runs past the declared size")
            if len(head) < _SNIFF_BYTES:
                head.extend(data[: _SNIFF_BYTES - len(head)])
            digest.update(data)
            yield data

    new_state = store.write_part(state, offset=offset, pieces=hashed(), size=size)
    row.received = digest.length
    row.store_state = new_state
    row.hash_state = digest.save()
    row.head = bytes(head)
    session.add(row)
    session.commit()


def sha256_of(row: UploadSession | CitizenUpload) -> str:
    """The SHA-256 of every byte received, from the saved state."""
    _, hash_state = require_state(row)
    return hashstate.resume(hash_state).hexdigest()


def commit(*, session: Session, store: ObjectStore, row: UploadSession | CitizenUpload) -> str:
    """Make the parts visible at their content address (once; repeated calls after a
    crash find the mark) and return the key."""
    from evidence.storage import blob_key

    state, _ = require_state(row)
    if "committed" in state:
        return str(state["committed"])
    key = blob_key(sha256_of(row))
    store.commit_parts(state, key=key, size=row.size)
    row.store_state = {"name": state.get("name"), "committed": key}
    session.add(row)
    session.commit()
    return key


def discard(store: ObjectStore, state: PartsState | None) -> None:
    """Abort an upload's parts (nothing once committed: the object belongs to its
    content address, which another item may share)."""
    if state is not None and "committed" not in state:
        store.abort_parts(state)


class Committed:
    """The `ObjectWriter` of bytes already committed under `key`: a registration
    commits nothing more, and an abort must not remove a content-addressed object."""

    def __init__(self, key: str) -> None:
        self.key = key

    def write(self, data: bytes) -> None:
        raise RuntimeError("the parts are committed")

    def commit(self, key: str) -> None:
        if key != self.key:
            raise RuntimeError("committed parts hash to another key")

    def abort(self) -> None:
        """Nothing to remove (fsck lists the object should no row refer to it)."""


def live_staging(session: Session) -> list[str]:
    """Staging names of uploads in progress: their parts are not leftovers."""
    names: list[str] = []
    for model in (UploadSession, CitizenUpload):
        for state in session.exec(select(model.store_state)).all():
            if state and state.get("name") and "committed" not in state:
                names.append(str(state["name"]))
    return names
