"""The object store interface. Only `evidence.service` calls `get` and `begin_put`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

CHUNK = 1024 * 1024


def blob_key(sha256: str) -> str:
    """Content-addressed key of a blob: the same bytes always land at the same key."""
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


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

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    def size(self, key: str) -> int:
        """Size in bytes of a stored object (`ObjectMissing` when absent)."""

    def iter_keys(self) -> Iterator[str]:
        """Every committed key, for fsck."""

    def delete(self, key: str) -> None:
        """Remove an object: only an approved retention purge calls this."""

    def set_retention(self, key: str, *, until: datetime) -> None:
        """Forbid deletion until `until` (S3 object lock, compliance mode)."""

    def set_legal_hold(self, key: str, *, on: bool) -> None:
        """Place or lift a legal hold (S3 object lock)."""
