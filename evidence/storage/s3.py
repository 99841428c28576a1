"""S3 / MinIO backend through the `minio` SDK: versioned bucket with object lock.

New objects stream into `staging/<uuid>` as a multipart upload (constant memory: one part
buffer) and are copied server-side to their content-addressed key on commit.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, ComposeSource
from minio.error import MinioException, S3Error
from minio.retention import Retention

from evidence.errors import StorageError
from evidence.storage.base import CHUNK
from evidence.storage.errors import ObjectMissing

# Parts are buffered whole, so they stay small; they grow late so that S3's limit of
# 10,000 parts still allows objects of 5,000 × 16 MiB + 5,000 × 64 MiB ≈ 390 GiB.
PART_SIZE = 16 * 1024 * 1024
LATE_PART_SIZE = 64 * 1024 * 1024


def part_size(number: int) -> int:
    """Size of part `number` (1-based)."""
    return PART_SIZE if number <= 5000 else LATE_PART_SIZE


_MISSING_CODES = {"NoSuchKey", "NoSuchObject", "NoSuchVersion"}


def _translate(exc: Exception, what: str, key: str | None = None) -> StorageError:
    """Vendor errors end here: callers only ever see our own storage errors."""
    if isinstance(exc, S3Error) and exc.code in _MISSING_CODES and key is not None:
        return ObjectMissing(key)
    detail = exc.code if isinstance(exc, S3Error) else type(exc).__name__
    return StorageError(f"object storage failed while {what} ({detail})")


def _guard(what: str, key: str | None = None) -> Any:
    @contextlib.contextmanager
    def guard() -> Iterator[None]:
        try:
            yield
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise _translate(exc, what, key) from exc

    return guard()


class S3Writer:
    """Buffers one part at a time and uploads it; nothing is visible until `commit`."""

    def __init__(self, store: S3Store) -> None:
        self._store = store
        self._client = store.client
        self._staging = f"staging/{uuid.uuid4().hex}"
        self._buffer = bytearray()
        self._parts: list[Any] = []
        self._done = False
        with _guard("starting an upload"):
            self._upload_id = self._client._create_multipart_upload(
                store.bucket, self._staging, {"Content-Type": "application/octet-stream"}
            )

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= (size := part_size(len(self._parts) + 1)):
            self._send(bytes(memoryview(self._buffer)[:size]))
            del self._buffer[:size]

    def _send(self, part: bytes) -> None:
        from minio.datatypes import Part

        number = len(self._parts) + 1
        try:
            with _guard("uploading a part"):
                etag = self._client._upload_part(
                    self._store.bucket, self._staging, part, None, self._upload_id, number
                )
        except StorageError:
            self.abort()
            raise
        self._parts.append(Part(number, etag))

    def commit(self, key: str) -> None:
        try:
            if self._buffer or not self._parts:
                self._send(bytes(self._buffer))
                self._buffer.clear()
            with _guard("finishing an upload"):
                staged = self._client._complete_multipart_upload(
                    self._store.bucket, self._staging, self._upload_id, self._parts
                )
            self._done = True
            if not self._store.exists(key):
                with _guard("committing an object", key):
                    self._client.compose_object(
                        self._store.bucket, key, [ComposeSource(self._store.bucket, self._staging)]
                    )
            with _guard("removing a staging object"):
                self._client.remove_object(
                    self._store.bucket, self._staging, version_id=staged.version_id
                )
        except StorageError:
            self.abort()
            raise

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._buffer.clear()
        with contextlib.suppress(MinioException, urllib3.exceptions.HTTPError, OSError):
            self._client._abort_multipart_upload(self._store.bucket, self._staging, self._upload_id)


class S3Store:
    """Objects in one bucket with versioning and object lock (created when missing)."""

    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket
        with _guard("opening the bucket"):
            if not client.bucket_exists(bucket):
                client.make_bucket(bucket, object_lock=True)

    @classmethod
    def from_url(cls, url: str) -> S3Store:
        """`s3://ACCESS:SECRET@host:port/bucket?secure=false&region=us-east-1`."""
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        secure = query.get("secure", ["true"])[0].lower() not in {"0", "false", "no"}
        bucket = parts.path.strip("/")
        if not bucket or not parts.hostname:
            raise StorageError("DALEL_STORAGE_URL must look like s3://KEY:SECRET@host:port/bucket")
        endpoint = parts.hostname + (f":{parts.port}" if parts.port else "")
        client = Minio(
            endpoint,
            access_key=unquote(parts.username or ""),
            secret_key=unquote(parts.password or ""),
            secure=secure,
            region=query.get("region", [None])[0],
        )
        return cls(client, bucket)

    def begin_put(self) -> S3Writer:
        return S3Writer(self)

    def get(self, key: str, *, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        with _guard("reading an object", key):
            response = self.client.get_object(self.bucket, key, offset=start, length=length or 0)
        return self._stream(response, key)

    @staticmethod
    def _stream(response: Any, key: str) -> Iterator[bytes]:
        try:
            with _guard("reading an object", key):
                yield from response.stream(CHUNK)
        finally:
            response.close()
            response.release_conn()

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except ObjectMissing:
            return False
        return True

    def size(self, key: str) -> int:
        with _guard("looking up an object", key):
            return int(self.client.stat_object(self.bucket, key).size or 0)

    def iter_keys(self) -> Iterator[str]:
        with _guard("listing objects"):
            for obj in self.client.list_objects(self.bucket, prefix="sha256/", recursive=True):
                yield obj.object_name

    def delete(self, key: str) -> None:
        self.size(key)  # raises ObjectMissing when absent
        with _guard("deleting an object", key):
            self.client.remove_object(self.bucket, key)

    def set_retention(self, key: str, *, until: datetime) -> None:
        self.size(key)
        with _guard("setting retention", key):
            self.client.set_object_retention(self.bucket, key, Retention(COMPLIANCE, until))

    def set_legal_hold(self, key: str, *, on: bool) -> None:
        self.size(key)  # a missing key must be ObjectMissing, not a server error
        with _guard("setting a legal hold", key):
            if on:
                self.client.enable_object_legal_hold(self.bucket, key)
            else:
                self.client.disable_object_legal_hold(self.bucket, key)
