"""The object store interface. Only `evidence.service` calls `get` and `begin_put`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

CHUNK = 1024 * 1024

# The saved state of an object written in parts (JSON, kept in the database between the
# parts): `name` is its staging name, a prefix of every leftover it can leave behind.
PartsState = dict[str, Any]


def lock_days_of(query: dict[str, list[str]]) -> int:
    """`lock_days` of a storage URL's query: days of retention every new object gets."""
    from evidence.errors import StorageError

    raw = query.get("lock_days", ["0"])[0]
    if not raw.isdigit():
        raise StorageError("lock_days in DALEL_STORAGE_URL must be a whole number of days")
    return int(raw)


def blob_key(sha256: str) -> str:
    """Content-addressed key of a blob: the same bytes always land at the same key."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


@dataclass(frozen=True, slots=True)
class LockState:
    """What the store itself enforces on an object: no deletion before `retain_until`
    (None: no retention) nor while `legal_hold` is on."""

    retain_until: datetime | None
    legal_hold: bool

    def refuses_delete(self, now: datetime) -> bool:
        """Whether the store would refuse to delete the object at `now`."""
        return self.legal_hold or (self.retain_until is not None and self.retain_until > now)


@dataclass(frozen=True, slots=True)
class StoredObject:
    """A committed object as the store lists it (fsck: orphans are judged by age)."""

    key: str
    size: int
    modified_at: datetime | None


@dataclass(frozen=True, slots=True)
class Leftover:
    """Bytes a writer left behind when its process died: a staging file or object
    (`staging`), or an S3 multipart upload never completed nor aborted (`multipart`).
    A resumable upload's parts are leftovers only once its session is gone (fsck)."""

    kind: str
    name: str
    size: int
    started_at: datetime | None
    upload_id: str | None = None  # of a multipart upload
    version_id: str | None = None  # of a staging object in a versioned bucket

    def describe(self) -> str:
        if self.kind == "multipart":
            return f"incomplete multipart upload {self.name} ({self.upload_id})"
        return f"staging leftover {self.name}"


class ObjectWriter(Protocol):
    """Bytes being written to a staging location, invisible until `commit`."""

    def write(self, data: bytes) -> None:
        """Append bytes."""

    def commit(self, key: str) -> None:
        """Make the written bytes visible under `key`; if `key` already exists, keep it."""

    def abort(self) -> None:
        """Discard everything written; safe to call more than once or after commit."""


class ObjectStore(Protocol):
    """Write-once storage of blobs, with two interchangeable backends (folder, S3)."""

    def begin_put(self) -> ObjectWriter:
        """Start writing a new object into staging."""

    def get(self, key: str, *, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        """Stream an object's bytes (or a range of them)."""

    def begin_parts(self) -> PartsState:
        """Start an object written in parts by any process on any host (a resumable
        upload); the returned state goes into the database and comes back with each part."""

    def write_part(
        self, state: PartsState, *, offset: int, pieces: Iterable[bytes], size: int
    ) -> PartsState:
        """Write the bytes that start at `offset` (everything before it was written by
        earlier calls; anything after it from a call that never finished is dropped) and
        return the new state. `size` is the object's declared size: the call that
        reaches it is the last. Raises `PartBusy` when another call writes the same
        object at this moment, `StorageError` when the store fails (nothing counted)."""

    def commit_parts(self, state: PartsState, *, key: str, size: int) -> None:
        """Make the parts, `size` bytes in all, visible under `key` (an existing `key`
        is kept) and remove the staging copy."""

    def abort_parts(self, state: PartsState) -> None:
        """Discard the parts (an abandoned or rejected upload); gone already is fine."""

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    def size(self, key: str) -> int:
        """Size in bytes of a stored object (`ObjectMissing` when absent)."""

    def iter_keys(self) -> Iterator[str]:
        """Every committed key, for fsck."""

    def iter_objects(self) -> Iterator[StoredObject]:
        """Every committed object with its size and modification time, for fsck."""

    def iter_leftovers(self) -> Iterator[Leftover]:
        """What writers killed half-way left behind (never a committed object)."""

    def remove_leftover(self, leftover: Leftover) -> None:
        """Remove one leftover (`dalel fsck --repair`); gone already is fine."""

    def delete(self, key: str) -> None:
        """Remove every version of an object: an approved retention purge, or fsck --repair
        for an object no row refers to.

        Raises `ObjectLocked` (and removes nothing) while the object's retention date has
        not passed or a legal hold is on; `ObjectMissing` when there is nothing to remove.
        """

    def lock_state(self, key: str) -> LockState:
        """The retention date and legal hold the store enforces on `key`."""

    def set_retention(
        self, key: str, *, until: datetime, known: datetime | None = None
    ) -> datetime:
        """Forbid deletion until `until` (S3 object lock, compliance mode). A retention is
        only ever extended, never shortened: returns the date in force afterwards.
        `known` is the lock the caller last saw in force; earlier than `until`, the
        backend may skip reading it (S3: one request instead of two)."""

    def set_legal_hold(self, key: str, *, on: bool) -> None:
        """Place or lift a legal hold (S3 object lock)."""
