"""Object storage backends behind one interface."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

from evidence.errors import StorageError
from evidence.storage.base import LockState, ObjectStore, ObjectWriter, blob_key, lock_days_of
from evidence.storage.errors import ObjectLocked, ObjectMissing


def open_store(url: str, *, timeouts: tuple[float, float] | None = None) -> ObjectStore:
    """Build the backend named by DALEL_STORAGE_URL (`file:///path` or `s3://...`);
    `?lock_days=N` gives new objects N days of retention (S3: the bucket's default).
    `timeouts`: (connect, read) seconds of every S3 request (`Settings.storage_timeouts`)."""
    if url.startswith("file://"):
        from evidence.storage.local import LocalStore

        path, _, query = url.removeprefix("file://").partition("?")
        return LocalStore(Path(path), lock_days=lock_days_of(parse_qs(query)))
    if url.startswith("s3://"):
        from evidence.storage.s3 import S3Store

        return S3Store.from_url(url, timeouts=timeouts)
    raise StorageError(
        "DALEL_STORAGE_URL has an unknown scheme: %(scheme)s", scheme=url.split(":", 1)[0]
    )


__all__ = [
    "LockState",
    "ObjectLocked",
    "ObjectMissing",
    "ObjectStore",
    "ObjectWriter",
    "blob_key",
    "open_store",
]
