"""S3 / MinIO backend through the `minio` SDK: versioned bucket with object lock.

New objects stream into `staging/<uuid>` of a separate staging bucket (no object lock) as
a multipart upload (constant memory: one part buffer) and are copied server-side to their
content-addressed key in the evidence bucket on commit. Only committed evidence ever
enters the locked bucket, so its default retention (`lock_days`) covers every object from
its first moment and never traps a staging copy.

An object written in parts by many processes (a resumable upload) is the same multipart
upload, its state (upload id, part numbers and ETags) kept by the caller between parts.
S3 wants parts of at least 5 MiB but the last: a smaller chunk waits as a small staging
object (`<name>.tail-N`, read back and sent with the next chunk as part N).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import parse_qs, quote, unquote, urlsplit

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, ComposeSource
from minio.error import MinioException, S3Error
from minio.objectlockconfig import DAYS, ObjectLockConfig
from minio.retention import Retention

from evidence.errors import StorageError
from evidence.storage.base import (
    CHUNK,
    Leftover,
    LockState,
    PartsState,
    StoredObject,
    lock_days_of,
)
from evidence.storage.errors import ObjectLocked, ObjectMissing

# Parts are buffered whole, so they stay small; they grow late so that S3's limit of
# 10,000 parts still allows objects of 5,000 × 16 MiB + 5,000 × 64 MiB ≈ 390 GiB.
PART_SIZE = 16 * 1024 * 1024
LATE_PART_SIZE = 64 * 1024 * 1024


MIN_PART_SIZE = 5 * 1024 * 1024  # S3's smallest part but the last


def part_size(number: int) -> int:
    """Size of part `number` (1-based)."""
    return PART_SIZE if number <= 5000 else LATE_PART_SIZE


def min_part_size(number: int) -> int:
    """The least a resumable upload's part `number` holds (but the last); late parts are
    larger so that 10,000 parts still carry 5,000 × 5 MiB + 5,000 × 64 MiB ≈ 337 GiB."""
    return MIN_PART_SIZE if number <= 5000 else LATE_PART_SIZE


_STAGING = "staging/"
_MISSING_CODES = {"NoSuchKey", "NoSuchObject", "NoSuchVersion"}
# A copy request has an empty body; its MD5 satisfies servers that insist on Content-MD5
# for writes into a bucket with default retention (moto does, for copies too).
_EMPTY_MD5 = base64.b64encode(hashlib.md5(b"", usedforsecurity=False).digest()).decode()
# Single-request server-side copies are limited to 5 GiB; larger objects are composed.
_COPY_LIMIT = 5 * 1024**3


def _translate(exc: Exception, what: str, key: str | None = None) -> StorageError:
    """Vendor errors end here: callers only ever see our own storage errors."""
    if isinstance(exc, S3Error) and exc.code in _MISSING_CODES and key is not None:
        return ObjectMissing(key)
    detail = exc.code if isinstance(exc, S3Error) else type(exc).__name__
    return StorageError(
        "object storage failed while %(what)s (%(detail)s)", what=what, detail=detail
    )


DEFAULT_TIMEOUTS = (5.0, 30.0)  # connect, read: a hung server is a 503 within seconds


def _http_client(timeouts: tuple[float, float]) -> urllib3.PoolManager:
    """minio's own pool, with our time limits: its default waits 5 minutes per attempt
    and tries 6 times. A read that timed out is not repeated (the caller answers 503);
    refused connections and 5xx answers are tried twice more."""
    connect, read = timeouts
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=connect, read=read),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=urllib3.Retry(
            total=2, read=0, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]
        ),
    )


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
        self._bucket = store.staging_bucket
        self._staging = f"{_STAGING}{uuid.uuid4().hex}"
        self._buffer = bytearray()
        self._size = 0
        self._parts: list[Any] = []
        self._done = False
        with _guard("starting an upload"):
            self._upload_id = self._client._create_multipart_upload(
                self._bucket, self._staging, {"Content-Type": "application/octet-stream"}
            )

    def write(self, data: bytes) -> None:
        self._size += len(data)
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
                    self._bucket, self._staging, part, None, self._upload_id, number
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
            self._done = True
            self._store.finish(self._staging, self._upload_id, self._parts, key, self._size)
        except StorageError:
            self._done = False
            self.abort()
            raise

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._buffer.clear()
        with contextlib.suppress(MinioException, urllib3.exceptions.HTTPError, OSError):
            self._client._abort_multipart_upload(self._bucket, self._staging, self._upload_id)


def _lock_of(headers: Any) -> LockState:
    """Object-lock state from a HEAD response's headers."""
    until = headers.get("x-amz-object-lock-retain-until-date")
    hold = str(headers.get("x-amz-object-lock-legal-hold", "OFF")).upper() == "ON"
    if not until:
        return LockState(None, legal_hold=hold)
    return LockState(datetime.fromisoformat(until.replace("Z", "+00:00")), legal_hold=hold)


class S3Store:
    """Evidence in one bucket with versioning and object lock, staging in another (both
    created when missing). `lock_days` > 0 makes sure the evidence bucket's default
    retention (COMPLIANCE) is that long."""

    def __init__(
        self, client: Minio, bucket: str, *, staging_bucket: str | None = None, lock_days: int = 0
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.staging_bucket = staging_bucket or f"{bucket}-staging"
        self.lock_days = lock_days
        with _guard("opening the bucket"):
            if not client.bucket_exists(bucket):
                client.make_bucket(bucket, object_lock=True)
            if not client.bucket_exists(self.staging_bucket):
                client.make_bucket(self.staging_bucket)
            if lock_days > 0:
                self._ensure_default_retention(lock_days)

    def _ensure_default_retention(self, days: int) -> None:
        try:
            config = self.client.get_object_lock_config(self.bucket)
            current: tuple[str | None, int | None, str | None] = (
                config.mode,
                config.duration,
                config.duration_unit,
            )
        except S3Error:  # no default rule yet
            current = (None, None, None)
        if current != (COMPLIANCE, days, DAYS):
            self.client.set_object_lock_config(
                self.bucket, ObjectLockConfig(COMPLIANCE, days, DAYS)
            )

    @classmethod
    def from_url(cls, url: str, *, timeouts: tuple[float, float] | None = None) -> S3Store:
        """`s3://ACCESS:SECRET@host:port/bucket?secure=false&region=us-east-1` plus optional
        `staging=BUCKET` (default `<bucket>-staging`) and `lock_days=N` (default retention
        of the evidence bucket; unset leaves the bucket's own setting alone)."""
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        secure = query.get("secure", ["true"])[0].lower() not in {"0", "false", "no"}
        bucket = parts.path.strip("/")
        if not bucket or not parts.hostname:
            raise StorageError("DALEL_STORAGE_URL must look like s3://KEY:SECRET@host:port/bucket")
        lock_days = lock_days_of(query)
        endpoint = parts.hostname + (f":{parts.port}" if parts.port else "")
        client = Minio(
            endpoint,
            access_key=unquote(parts.username or ""),
            secret_key=unquote(parts.password or ""),
            secure=secure,
            region=query.get("region", [None])[0],
            http_client=_http_client(timeouts or DEFAULT_TIMEOUTS),
        )
        return cls(
            client, bucket, staging_bucket=query.get("staging", [None])[0], lock_days=lock_days
        )

    def begin_put(self) -> S3Writer:
        return S3Writer(self)

    def finish(self, staging: str, upload_id: str, parts: list[Any], key: str, size: int) -> None:
        """Complete a multipart upload in staging, copy it to `key` unless that exists,
        and remove the staging object."""
        with _guard("finishing an upload"):
            staged = self.client._complete_multipart_upload(
                self.staging_bucket, staging, upload_id, parts
            )
        if not self.exists(key):
            with _guard("committing an object", key):
                self.copy_in(staging, key, size=size)
        with _guard("removing a staging object"):
            self.client.remove_object(self.staging_bucket, staging, version_id=staged.version_id)

    # ---- objects written in parts -------------------------------------------------

    @staticmethod
    def _tail_name(state: PartsState, number: int) -> str:
        return f"{state['name']}.tail-{number}"

    def begin_parts(self) -> PartsState:
        name = f"{_STAGING}{uuid.uuid4().hex}"
        with _guard("starting an upload"):
            upload_id = self.client._create_multipart_upload(
                self.staging_bucket, name, {"Content-Type": "application/octet-stream"}
            )
        return {"name": name, "upload_id": upload_id, "parts": [], "tail": 0, "tails": []}

    def write_part(
        self, state: PartsState, *, offset: int, pieces: Iterable[bytes], size: int
    ) -> PartsState:
        parts: list[list[Any]] = [list(p) for p in state["parts"]]
        number = len(parts) + 1
        tail = int(state.get("tail", 0))
        tails = list(state.get("tails", []))
        buffer = bytearray()
        if tail:
            # The tail object may hold more than `tail` bytes (a call that never reached
            # the database rewrote it): only the counted prefix is ours.
            name = self._tail_name(state, number)
            with _guard("reading an upload's tail", name):
                response = self.client.get_object(self.staging_bucket, name, length=tail)
                try:
                    buffer += response.read()
                finally:
                    response.close()
                    response.release_conn()
            if len(buffer) != tail:
                raise StorageError("the upload's staged bytes are shorter than recorded")
        for piece in pieces:
            buffer += piece
        end = offset - tail + len(buffer)
        if end > size:
            raise StorageError("the parts run past the declared size")
        if not buffer:
            return state
        new = dict(state)
        if end == size or len(buffer) >= min_part_size(number):
            with _guard("uploading a part"):
                # The bytearray itself, no copy (minio hashes and sends any buffer).
                etag = self.client._upload_part(
                    self.staging_bucket, state["name"], cast(bytes, buffer), None,
                    state["upload_id"], number,
                )  # fmt: skip
            new.update(parts=[*parts, [number, etag]], tail=0)
        else:
            name = self._tail_name(state, number)
            with _guard("staging an upload's tail", name):
                self.client.put_object(
                    self.staging_bucket, name, io.BytesIO(bytes(buffer)), len(buffer)
                )
            new.update(tail=len(buffer), tails=sorted({*tails, name}))
        return new

    def commit_parts(self, state: PartsState, *, key: str, size: int) -> None:
        from minio.datatypes import Part

        if state.get("tail") or not state["parts"]:
            raise StorageError("the upload's last part has not arrived")
        parts = [Part(int(number), str(etag)) for number, etag in state["parts"]]
        self.finish(state["name"], state["upload_id"], parts, key, size)
        self._remove_tails(state)

    def abort_parts(self, state: PartsState) -> None:
        with contextlib.suppress(MinioException, urllib3.exceptions.HTTPError, OSError):
            self.client._abort_multipart_upload(
                self.staging_bucket, state["name"], state["upload_id"]
            )
        self._remove_tails(state)

    def _remove_tails(self, state: PartsState) -> None:
        for name in state.get("tails", []):
            with contextlib.suppress(MinioException, urllib3.exceptions.HTTPError, OSError):
                self.client.remove_object(self.staging_bucket, name)

    def copy_in(self, staging_key: str, key: str, *, size: int) -> None:
        """Server-side copy of a staged object to its key in the evidence bucket."""
        if size > _COPY_LIMIT:
            self.client.compose_object(
                self.bucket, key, [ComposeSource(self.staging_bucket, staging_key)]
            )
            return
        self.client._execute(
            "PUT",
            self.bucket,
            object_name=key,
            headers={
                "x-amz-copy-source": quote(f"/{self.staging_bucket}/{staging_key}"),
                "Content-MD5": _EMPTY_MD5,
            },
        )

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

    def _head(self, key: str, version_id: str | None = None) -> Any:
        with _guard("looking up an object", key):
            return self.client.stat_object(self.bucket, key, version_id=version_id)

    def iter_keys(self) -> Iterator[str]:
        with _guard("listing objects"):
            for obj in self.client.list_objects(self.bucket, prefix="sha256/", recursive=True):
                yield obj.object_name

    def iter_objects(self) -> Iterator[StoredObject]:
        with _guard("listing objects"):
            for obj in self.client.list_objects(self.bucket, prefix="sha256/", recursive=True):
                yield StoredObject(obj.object_name, int(obj.size or 0), obj.last_modified)

    def iter_leftovers(self) -> Iterator[Leftover]:
        with _guard("listing staging objects"):
            listing = self.client.list_objects(
                self.staging_bucket, prefix=_STAGING, recursive=True, include_version=True
            )
            for obj in listing:
                if not obj.is_delete_marker:
                    yield Leftover(
                        "staging", obj.object_name, int(obj.size or 0), obj.last_modified,
                        version_id=obj.version_id,
                    )  # fmt: skip
        key_marker = upload_marker = None
        while True:
            with _guard("listing incomplete uploads"):
                page = self.client._list_multipart_uploads(
                    self.staging_bucket, prefix=_STAGING, key_marker=key_marker,
                    upload_id_marker=upload_marker, max_uploads=1000,
                )  # fmt: skip
            for upload in page.uploads:
                yield Leftover(
                    "multipart", upload.object_name, 0, upload.initiated_time, upload.upload_id
                )
            if not page.is_truncated:
                return
            key_marker, upload_marker = page.next_key_marker, page.next_upload_id_marker

    def remove_leftover(self, leftover: Leftover) -> None:
        if not leftover.name.startswith(_STAGING):
            raise StorageError("%(name)s is not a staging leftover", name=leftover.name)
        with _guard("removing a leftover"):
            if leftover.kind == "multipart" and leftover.upload_id:
                with contextlib.suppress(S3Error):  # completed or aborted meanwhile
                    self.client._abort_multipart_upload(
                        self.staging_bucket, leftover.name, leftover.upload_id
                    )
            else:
                self.client.remove_object(
                    self.staging_bucket, leftover.name, version_id=leftover.version_id
                )

    def delete(self, key: str) -> None:
        """Remove every version (a plain DELETE would only add a delete marker and leave
        the bytes in the bucket). Locks are checked on all versions before any goes."""
        with _guard("listing object versions", key):
            versions = [
                obj
                for obj in self.client.list_objects(self.bucket, prefix=key, include_version=True)
                if obj.object_name == key
            ]
        data = [v for v in versions if not v.is_delete_marker]
        if not data:
            raise ObjectMissing(key)
        now = datetime.now(UTC)
        for version in data:
            state = _lock_of(self._head(key, version.version_id).metadata)
            if state.refuses_delete(now):
                raise ObjectLocked(key, until=state.retain_until, hold=state.legal_hold)
        for version in versions:
            try:
                self.client.remove_object(self.bucket, key, version_id=version.version_id)
            except S3Error as exc:
                if exc.code == "AccessDenied":  # the server's own object lock said no
                    raise ObjectLocked(key) from exc
                raise _translate(exc, "deleting an object", key) from exc
            except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
                raise _translate(exc, "deleting an object", key) from exc

    def lock_state(self, key: str) -> LockState:
        return _lock_of(self._head(key).metadata)

    def set_retention(
        self, key: str, *, until: datetime, known: datetime | None = None
    ) -> datetime:
        if known is not None and known < until:
            # The caller knows the lock in force (what it set last): one request. Should
            # the object be locked longer after all, a COMPLIANCE server refuses the
            # shorter date, and the careful path below reads the lock first.
            try:
                self.client.set_object_retention(self.bucket, key, Retention(COMPLIANCE, until))
                return until
            except S3Error as exc:
                if exc.code in _MISSING_CODES:
                    raise ObjectMissing(key) from exc
            except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
                raise _translate(exc, "setting retention", key) from exc
        head = self._head(key)  # a missing key must be ObjectMissing, not a server error
        current = _lock_of(head.metadata).retain_until
        if current is not None and current >= until:
            return current  # extended, never shortened (COMPLIANCE servers refuse it too)
        with _guard("setting retention", key):
            self.client.set_object_retention(
                self.bucket, key, Retention(COMPLIANCE, until), version_id=head.version_id
            )
        return until

    def set_legal_hold(self, key: str, *, on: bool) -> None:
        head = self._head(key)
        with _guard("setting a legal hold", key):
            if on:
                self.client.enable_object_legal_hold(self.bucket, key, version_id=head.version_id)
            else:
                self.client.disable_object_legal_hold(self.bucket, key, version_id=head.version_id)
