"""Local folder backend: content-addressed files, written via temp file + fsync + rename.

An object written in parts (a resumable upload, whose chunks may reach any API process
sharing the folder) is one file `.staging/<uuid>.parts`, each part written at its offset
and fsynced before it counts; committing renames it into place, so the bytes are
written once. A part's writer holds an exclusive `flock` on the file (released by the
kernel if the process dies), so two writers never interleave.

Retention and legal holds are emulated: a sidecar record per object under `.locks/`
(`{"retain_until": ..., "legal_hold": ...}`) that `delete` obeys. This is weaker than S3
object lock: anyone with write access to the folder can remove a file or its record, so
only the application is held back; production stores evidence on MinIO/S3.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import stat
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from evidence.errors import StorageError
from evidence.storage.base import CHUNK, Leftover, LockState, PartsState, StoredObject
from evidence.storage.errors import ObjectLocked, ObjectMissing, PartBusy

_STAGING = ".staging"
_LOCKS = ".locks"
_READ_ONLY = stat.S_IRUSR | stat.S_IRGRP


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _mtime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class LocalWriter:
    """Writes to `.staging/<uuid>`; commit fsyncs, marks read-only and renames into place."""

    def __init__(self, root: Path, *, lock_days: int = 0) -> None:
        self._root = root
        self._lock_days = lock_days
        self._path = root / _STAGING / uuid.uuid4().hex
        try:
            self._file = open(self._path, "wb", buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise StorageError(
                "cannot write to the object folder: %(reason)s", reason=exc.strerror
            ) from exc
        self._done = False

    def write(self, data: bytes) -> None:
        try:
            self._file.write(data)
        except OSError as exc:
            self.abort()
            raise StorageError(
                "writing to the object folder failed: %(reason)s", reason=exc.strerror
            ) from exc

    def commit(self, key: str) -> None:
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            _place(self._root, self._path, key, self._lock_days)
        except OSError as exc:
            self.abort()
            raise StorageError(
                "committing to the object folder failed: %(reason)s", reason=exc.strerror
            ) from exc
        self._done = True

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()


def _place(root: Path, path: Path, key: str, lock_days: int) -> None:
    """Move a written, fsynced staging file to `key` (read-only); when `key` exists the
    first copy stays untouched and the staging file goes."""
    target = root / key
    if target.exists():
        path.unlink()
        return
    if lock_days > 0:
        # The default retention covers the object from its first moment: the record is
        # written before the file appears under its key.
        until = datetime.now(UTC) + timedelta(days=lock_days)
        _write_lock(root, key, LockState(until, legal_hold=False))
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path, _READ_ONLY)
    os.replace(path, target)
    _fsync_dir(target.parent)


@contextlib.contextmanager
def _os_errors(message: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise StorageError(message, reason=exc.strerror or type(exc).__name__) from exc


def _pwrite_all(fd: int, data: bytes, position: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, position)
        view, position = view[written:], position + written


def _lock_path(root: Path, key: str) -> Path:
    return root / _LOCKS / f"{key}.json"


def _read_lock(root: Path, key: str) -> LockState:
    try:
        raw = json.loads(_lock_path(root, key).read_text())
    except FileNotFoundError:
        return LockState(None, legal_hold=False)
    except (OSError, ValueError) as exc:
        # A damaged record must not unlock an object: refuse until someone looks.
        raise StorageError("the retention record of %(key)s is unreadable", key=key) from exc
    until = raw.get("retain_until")
    return LockState(
        datetime.fromisoformat(until) if until else None, legal_hold=bool(raw.get("legal_hold"))
    )


def _write_lock(root: Path, key: str, state: LockState) -> None:
    path = _lock_path(root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    body = {
        "retain_until": state.retain_until.isoformat() if state.retain_until else None,
        "legal_hold": state.legal_hold,
    }
    try:
        with open(temp, "w") as handle:
            json.dump(body, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise StorageError(
            "writing a retention record failed: %(reason)s", reason=exc.strerror
        ) from exc


class LocalStore:
    """Objects under a root folder; committed files are read-only and never rewritten.

    `lock_days` > 0 gives every new object that many days of retention from its commit,
    as a bucket's default retention does on S3.
    """

    def __init__(self, root: Path, *, lock_days: int = 0) -> None:
        self.root = root
        self.lock_days = lock_days
        (root / _STAGING).mkdir(parents=True, exist_ok=True)

    def begin_put(self) -> LocalWriter:
        return LocalWriter(self.root, lock_days=self.lock_days)

    # ---- objects written in parts -------------------------------------------------

    def _parts_path(self, state: PartsState) -> Path:
        name = str(state.get("name", ""))
        path = self._path(name)
        if path.parent != (self.root / _STAGING).resolve() or not name.endswith(".parts"):
            raise StorageError("%(name)s is not a staging file of parts", name=name)
        return path

    def begin_parts(self) -> PartsState:
        state: PartsState = {"name": f"{_STAGING}/{uuid.uuid4().hex}.parts"}
        try:
            self._parts_path(state).touch(mode=0o600, exist_ok=False)
        except OSError as exc:
            raise StorageError(
                "cannot write to the object folder: %(reason)s", reason=exc.strerror
            ) from exc
        return state

    def write_part(
        self, state: PartsState, *, offset: int, pieces: Iterable[bytes], size: int
    ) -> PartsState:
        path = self._parts_path(state)
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError as exc:
            raise StorageError("the upload's staged bytes are gone") from exc
        except OSError as exc:
            raise StorageError(
                "cannot write to the object folder: %(reason)s", reason=exc.strerror
            ) from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise PartBusy(
                    "another request is writing this upload right now; ask for the offset and retry"
                ) from exc
            with _os_errors("writing to the object folder failed: %(reason)s"):
                if os.fstat(fd).st_size < offset:
                    raise StorageError("the upload's staged bytes are shorter than recorded")
                os.ftruncate(fd, offset)  # what a call that never finished left goes
            position = offset
            try:
                for piece in pieces:  # the caller's errors (a cut body) pass as they are
                    with _os_errors("writing to the object folder failed: %(reason)s"):
                        _pwrite_all(fd, piece, position)
                    position += len(piece)
                if position > size:
                    raise StorageError("the parts run past the declared size")
                with _os_errors("writing to the object folder failed: %(reason)s"):
                    os.fsync(fd)  # the part counts once the database says so: durable first
            except BaseException:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, offset)
                raise
        finally:
            os.close(fd)  # releases the flock
        return state

    def commit_parts(self, state: PartsState, *, key: str, size: int) -> None:
        path = self._parts_path(state)
        try:
            if path.stat().st_size != size:
                raise StorageError("the upload's staged bytes differ in size from its parts")
            _place(self.root, path, key, self.lock_days)
        except FileNotFoundError as exc:
            raise StorageError("the upload's staged bytes are gone") from exc
        except OSError as exc:
            raise StorageError(
                "committing to the object folder failed: %(reason)s", reason=exc.strerror
            ) from exc

    def abort_parts(self, state: PartsState) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._parts_path(state).unlink()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise StorageError("object key escapes the object folder")
        return path

    def get(self, key: str, *, start: int = 0, length: int | None = None) -> Iterator[bytes]:
        try:
            handle = open(self._path(key), "rb")  # noqa: SIM115
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc
        except OSError as exc:
            raise StorageError(
                "reading from the object folder failed: %(reason)s", reason=exc.strerror
            ) from exc
        return self._stream(handle, start, length)

    @staticmethod
    def _stream(handle, start: int, length: int | None) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
        with handle:
            handle.seek(start)
            remaining = length
            while remaining is None or remaining > 0:
                block = handle.read(CHUNK if remaining is None else min(CHUNK, remaining))
                if not block:
                    return
                if remaining is not None:
                    remaining -= len(block)
                yield block

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc

    def iter_keys(self) -> Iterator[str]:
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            if path.is_file() and relative.parts[0] not in {_STAGING, _LOCKS}:
                yield relative.as_posix()

    def iter_objects(self) -> Iterator[StoredObject]:
        for key in self.iter_keys():
            with contextlib.suppress(FileNotFoundError):
                info = (self.root / key).stat()
                yield StoredObject(key, info.st_size, _mtime(info.st_mtime))

    def iter_leftovers(self) -> Iterator[Leftover]:
        for path in sorted((self.root / _STAGING).iterdir()):
            with contextlib.suppress(FileNotFoundError):
                info = path.stat()
                yield Leftover(
                    "staging", f"{_STAGING}/{path.name}", info.st_size, _mtime(info.st_mtime)
                )

    def remove_leftover(self, leftover: Leftover) -> None:
        path = self._path(leftover.name)
        if path.parent != (self.root / _STAGING).resolve():
            raise StorageError("%(name)s is not a staging leftover", name=leftover.name)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()

    def delete(self, key: str) -> None:
        path = self._path(key)
        if not path.is_file():
            raise ObjectMissing(key)
        state = _read_lock(self.root, key)
        if state.refuses_delete(datetime.now(UTC)):
            raise ObjectLocked(key, until=state.retain_until, hold=state.legal_hold)
        try:
            os.chmod(path, stat.S_IWUSR | _READ_ONLY)
            path.unlink()
            _fsync_dir(path.parent)
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc
        with contextlib.suppress(FileNotFoundError):
            _lock_path(self.root, key).unlink()

    def lock_state(self, key: str) -> LockState:
        if not self.exists(key):
            raise ObjectMissing(key)
        return _read_lock(self.root, key)

    def set_retention(
        self, key: str, *, until: datetime, known: datetime | None = None
    ) -> datetime:
        del known  # reading the record is as cheap as trusting the caller
        state = self.lock_state(key)
        if state.retain_until is not None and state.retain_until >= until:
            return state.retain_until  # extended, never shortened
        _write_lock(self.root, key, LockState(until, legal_hold=state.legal_hold))
        return until

    def set_legal_hold(self, key: str, *, on: bool) -> None:
        state = self.lock_state(key)
        if state.legal_hold != on:
            _write_lock(self.root, key, LockState(state.retain_until, legal_hold=on))
