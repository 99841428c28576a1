"""Batch upload over HTTP: a streamed tar of many small files, staged, then registered.

The body is a plain tar (`application/x-tar`, POSIX/pax or ustar). Each regular member
is one file: its path in the tar becomes the item's `original_path` and its last part
the file name. Metadata travel as pax keywords named `DALEL.<field>` — in the global
header for the whole batch (`DALEL.source_kind`, `DALEL.device`, `DALEL.collected_by`,
...), in a member's own header for that file (`DALEL.sha256`, the expected hash;
`DALEL.source_modified_at`, the file's time at its source; any batch field, overridden).
Standard tools write this: `tar --format=pax --pax-option=DALEL.source_kind=phone -cf -`.

Members are parsed in a worker thread while the body streams in, each file hashed as it
is written to the store's staging (`Incoming`), so no file is read twice nor held whole.
Only when the archive ended properly (its end-of-archive block seen) are the files
registered, together (`service.register_batch`); anything wrong before — a truncated or
malformed tar, a path with `..`, a link, too many files or bytes, an unknown keyword —
discards every staged file and keeps nothing.
"""

from __future__ import annotations

import tarfile
from collections.abc import AsyncIterator

import anyio.from_thread
from fastapi import Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from evidence import service
from evidence.config import Settings
from evidence.errors import InvalidInput, TooLarge
from evidence.policy import Principal
from evidence.schemas import ItemCreate
from evidence.service.batch import BatchResult, StagedFile, abort_all, register_batch
from evidence.storage import ObjectStore
from evidence.storage.base import CHUNK
from evidence.streaming import declared_length
from evidence.validation import check_filename, check_relative_path, check_sha256

CONTENT_TYPE = "application/x-tar"
PREFIX = "DALEL."
# Fields a pax keyword may set (per batch or per file); `original_path` is the member's.
FIELDS = frozenset(
    {
        "source_kind", "device", "captured_at", "collected_at", "collected_by", "location",
        "description", "source_modified_at", "sha256",
    }
)  # fmt: skip
# Headers, pax records and padding of one member, beyond its bytes (a long path and a
# few keywords fit easily): bounds the body, so endless headers cannot stream in.
PER_FILE_OVERHEAD = 4096
_TAIL = 3 * tarfile.RECORDSIZE  # bytes kept behind the reader to find the end block
_AFTER_END = 1024 * 1024  # zero padding accepted after the end-of-archive block


class _Body:
    """The request body as a blocking `read(n)` for `tarfile`, pulled chunk by chunk from
    the event loop (`anyio.from_thread`), counted against a limit; it remembers the last
    few records so the end-of-archive block can be checked after tarfile is done."""

    def __init__(self, chunks: AsyncIterator[bytes], *, limit: int, max_bytes: int) -> None:
        self._chunks = chunks
        self._limit = limit
        self._max_bytes = max_bytes
        self._buffer = b""
        self._done = False
        self.position = 0  # bytes handed out
        self.tail = bytearray()  # the last bytes handed out, ending at `position`

    async def _next(self) -> bytes | None:
        try:
            return await self._chunks.__anext__()
        except StopAsyncIteration:
            return None

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                chunk = anyio.from_thread.run(self._next)
            except ClientDisconnect as exc:
                raise InvalidInput(
                    "the upload was interrupted before the batch was complete"
                ) from exc
            if chunk is None:
                self._done = True
                break
            self._buffer += chunk
            if self.position + len(self._buffer) > self._limit:
                raise TooLarge(
                    "the batch exceeds its limit of %(limit)d bytes", limit=self._max_bytes
                )
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        self.position += len(data)
        self.tail += data
        del self.tail[: max(0, len(self.tail) - _TAIL)]
        return data


def _fields(member: tarfile.TarInfo) -> dict[str, str]:
    fields: dict[str, str] = {}
    for keyword, value in member.pax_headers.items():
        if not keyword.startswith(PREFIX):
            continue  # standard pax records (path, mtime, uid...) are tar's own
        name = keyword[len(PREFIX) :]
        if name not in FIELDS:
            raise InvalidInput("unknown batch keyword %(keyword)s", keyword=keyword)
        fields[name] = value
    return fields


def _metadata(member: tarfile.TarInfo, path: str) -> tuple[ItemCreate, str | None]:
    fields = _fields(member)
    expected = fields.pop("sha256", None)
    try:
        metadata = ItemCreate.model_validate({**fields, "original_path": path})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(
            "%(path)s: %(field)s: %(problem)s",
            path=path, field=".".join(map(str, first["loc"])), problem=first["msg"],
        ) from exc  # fmt: skip
    return metadata, check_sha256(expected) if expected else None


def _path(member: tarfile.TarInfo) -> str:
    path = check_relative_path(member.name)
    if not path:
        raise InvalidInput("a member of the batch has no name")
    check_filename(path.rsplit("/", 1)[-1])
    return path


def _ended(body: _Body, end: int) -> bool:
    """Whether a zero block (the end-of-archive marker) starts at `end`: without it the
    tar was cut at a member boundary, which tarfile alone would take for its end."""
    drained = 0
    while chunk := body.read(CHUNK):
        drained += len(chunk)
        if drained > _AFTER_END:
            raise InvalidInput("the batch has data after the end of the archive")
    start = end - (body.position - len(body.tail))
    block = bytes(body.tail[start : start + tarfile.BLOCKSIZE]) if start >= 0 else b""
    return len(block) == tarfile.BLOCKSIZE and not block.strip(b"\0")


def stage_tar(
    body: _Body, *, store: ObjectStore, settings: Settings, staged: list[StagedFile]
) -> None:
    """Stage every file of the tar into `staged` (the caller aborts them on failure)."""
    total = 0
    entries = 0
    try:
        with tarfile.open(fileobj=body, mode="r|") as archive:
            for member in archive:
                entries += 1
                if entries > 2 * settings.batch_max_files + 16:  # directories count too
                    raise TooLarge(
                        "the batch holds more than %(limit)d files",
                        limit=settings.batch_max_files,
                    )
                if member.isdir():
                    continue
                path = _path(member)
                if not member.isreg():
                    raise InvalidInput(
                        "%(path)s is not a regular file (links and devices are refused)",
                        path=path,
                    )
                if len(staged) >= settings.batch_max_files:
                    raise TooLarge(
                        "the batch holds more than %(limit)d files",
                        limit=settings.batch_max_files,
                    )
                total += member.size
                if total > settings.batch_max_bytes:
                    raise TooLarge(
                        "the batch exceeds its limit of %(limit)d bytes",
                        limit=settings.batch_max_bytes,
                    )
                metadata, expected = _metadata(member, path)
                incoming = service.receive(store=store, limit=settings.max_upload_bytes)
                staged.append(
                    StagedFile(
                        incoming=incoming,
                        filename=path.rsplit("/", 1)[-1],
                        metadata=metadata,
                        expected_sha256=expected,
                    )
                )
                source = archive.extractfile(member)
                assert source is not None  # a regular member always has data
                while block := source.read(CHUNK):
                    incoming.write(block)
                if incoming.size != member.size:
                    raise InvalidInput("the batch was truncated inside %(path)s", path=path)
            end = archive.offset
    except tarfile.TarError as exc:
        raise InvalidInput("the batch is not a complete tar archive: %(reason)s",
                           reason=str(exc)) from exc  # fmt: skip
    if not _ended(body, end):
        raise InvalidInput("the batch was truncated: the tar's end-of-archive block is missing")


async def batch_from_request(
    request: Request,
    *,
    session: Session,
    store: ObjectStore,
    settings: Settings,
    principal: Principal,
    case_id: str,
    client: str | None,
) -> BatchResult:
    """Authorise, stream, stage and register one tar of files; all or nothing."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in {CONTENT_TYPE, "application/tar"}:
        raise InvalidInput("send the batch as a tar archive (Content-Type: application/x-tar)")
    limit = settings.batch_max_bytes + PER_FILE_OVERHEAD * (settings.batch_max_files + 1)
    if declared_length(request) > limit:
        raise TooLarge(
            "the batch exceeds its limit of %(limit)d bytes", limit=settings.batch_max_bytes
        )
    await run_in_threadpool(
        service.authorize_upload,
        session=session,
        principal=principal,
        case_id=case_id,
        client=client,
    )
    body = _Body(request.stream(), limit=limit, max_bytes=settings.batch_max_bytes)
    staged: list[StagedFile] = []
    try:
        await run_in_threadpool(stage_tar, body, store=store, settings=settings, staged=staged)
        return await run_in_threadpool(
            register_batch,
            session=session,
            principal=principal,
            case_id=case_id,
            files=staged,
            client=client,
        )
    except BaseException:
        await run_in_threadpool(abort_all, staged)  # no-op for committed objects
        raise
