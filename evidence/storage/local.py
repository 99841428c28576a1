"""Local folder backend: content-addressed files, written via temp file + fsync + rename."""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from evidence.errors import StorageError
from evidence.storage.base import CHUNK
from evidence.storage.errors import ObjectMissing

_STAGING = ".staging"
_READ_ONLY = stat.S_IRUSR | stat.S_IRGRP


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalWriter:
    """Writes to `.staging/<uuid>`; commit fsyncs, marks read-only and renames into place."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._path = root / _STAGING / uuid.uuid4().hex
        try:
            self._file = open(self._path, "wb", buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise StorageError(f"cannot write to the object folder: {exc.strerror}") from exc
        self._done = False

    def write(self, data: bytes) -> None:
        try:
            self._file.write(data)
        except OSError as exc:
            self.abort()
            raise StorageError(f"writing to the object folder failed: {exc.strerror}") from exc

    def commit(self, key: str) -> None:
        target = self._root / key
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            if target.exists():
                # Same content already stored: the first copy stays untouched.
                self._path.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(self._path, _READ_ONLY)
                os.replace(self._path, target)
                _fsync_dir(target.parent)
        except OSError as exc:
            self.abort()
            raise StorageError(f"committing to the object folder failed: {exc.strerror}") from exc
        self._done = True

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._path.unlink()


class LocalStore:
    """Objects under a root folder; committed files are read-only and never rewritten."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / _STAGING).mkdir(parents=True, exist_ok=True)

    def begin_put(self) -> LocalWriter:
        return LocalWriter(self.root)

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
            raise StorageError(f"reading from the object folder failed: {exc.strerror}") from exc
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
            if path.is_file() and relative.parts[0] != _STAGING:
                yield relative.as_posix()

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            os.chmod(path, stat.S_IWUSR | _READ_ONLY)
            path.unlink()
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc

    def set_retention(self, key: str, *, until: datetime) -> None:
        # A plain folder cannot enforce retention; read-only files and fsck are its guard.
        if not self.exists(key):
            raise ObjectMissing(key)

    def set_legal_hold(self, key: str, *, on: bool) -> None:
        if not self.exists(key):
            raise ObjectMissing(key)
