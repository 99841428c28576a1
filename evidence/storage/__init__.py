"""Object storage backends behind one interface."""

from __future__ import annotations

from pathlib import Path

from evidence.errors import StorageError
from evidence.storage.base import ObjectStore, ObjectWriter, blob_key
from evidence.storage.errors import ObjectMissing


def open_store(url: str) -> ObjectStore:
    """Build the backend named by DALEL_STORAGE_URL (`file:///path` or `s3://...`)."""
    if url.startswith("file://"):
        from evidence.storage.local import LocalStore

        return LocalStore(Path(url.removeprefix("file://")))
    if url.startswith("s3://"):
        from evidence.storage.s3 import S3Store

        return S3Store.from_url(url)
    raise StorageError(f"DALEL_STORAGE_URL has an unknown scheme: {url.split(':', 1)[0]}")


__all__ = ["ObjectMissing", "ObjectStore", "ObjectWriter", "blob_key", "open_store"]
