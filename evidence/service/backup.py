"""`dalel backup` and `dalel restore`: a consistent database dump plus the object manifest.

A backup folder holds:

- `database.sqlite3` (SQLite's online backup API: a consistent copy while the server
  writes) or `database.pgdump` (`pg_dump -Fc` in an exported snapshot);
- `objects.jsonl`: one line per blob row of that same snapshot — key, SHA-256, size, and
  whether the store held it (`present`; a purged item's bytes are gone by design);
- `backup.json`: when, from which dialect, the ledger's size and root at the snapshot,
  the newest checkpoint, and the SHA-256 of the two files above;
- with `--objects`, `objects/<key>`: the bytes, each checked against its SHA-256 on the
  way. Objects are immutable and content-addressed, so in production the object store's
  own replication (or `mc mirror`) copies them instead and the manifest says what must
  be there.

`restore` refuses a database that already holds a schema, loads the dump, copies
`objects/` into the configured store if present, and checks that every object the
manifest lists as present is in the store with its size. `dalel ledger verify` and
`dalel fsck` then prove the restore complete (README "Backup and restore").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from custody import merkle
from custody.tree import current_size, root_at
from evidence.errors import EvidenceError, IntegrityMismatch
from evidence.storage import ObjectMissing, ObjectStore

FORMAT = 1
SQLITE_DUMP, PG_DUMP = "database.sqlite3", "database.pgdump"
MANIFEST, META, OBJECTS = "objects.jsonl", "backup.json", "objects"
_CHUNK = 1024 * 1024


class BackupError(EvidenceError):
    """A backup cannot be made or restored (the message says what to fix)."""

    title = "Backup failed"


@dataclass(frozen=True, slots=True)
class BackupSummary:
    """What a backup holds."""

    folder: Path
    dialect: str
    objects: int
    present: int
    copied: int
    ledger_size: int
    ledger_root: str


@dataclass(slots=True)
class RestoreSummary:
    """What a restore did, and which listed objects the store lacks afterwards."""

    objects: int = 0
    copied: int = 0
    ledger_size: int = 0
    ledger_root: str = ""
    missing: list[str] = field(default_factory=list)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (pg_dump's arguments are visible in `ps`), and
    the environment that carries it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            "%(tool)s is not installed (Debian: postgresql-client)", tool=command[0]
        ) from exc
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(
            "%(what)s failed: %(reason)s", what=what, reason=lines[-1] if lines else "?"
        )


def _ledger_state(session: Session) -> tuple[int, str]:
    size = current_size(session)
    root = root_at(session=session, size=size) if size else merkle.EMPTY_ROOT
    return size, root.hex()


@dataclass(frozen=True, slots=True)
class _Snapshot:
    """What the manifest and backup.json say, read in the dump's own snapshot."""

    blobs: list[tuple[str, str, int]]
    checkpoint: dict[str, Any] | None
    ledger: tuple[int, str]


def _read_snapshot(connection: Connection) -> _Snapshot:
    blobs = [
        (str(sha), str(key), int(size))
        for sha, key, size in connection.execute(
            text("SELECT sha256, storage_key, size FROM blob ORDER BY sha256")
        )
    ]
    row = connection.execute(
        text("SELECT size, note FROM checkpoint ORDER BY id DESC LIMIT 1")
    ).first()
    checkpoint = None if row is None else {"size": int(row[0]), "note": str(row[1])}
    with Session(bind=connection) as session:
        ledger = _ledger_state(session)
    return _Snapshot(blobs, checkpoint, ledger)


def _dump_sqlite(url: str, folder: Path) -> _Snapshot:
    from evidence.db import make_engine

    source = sqlite3.connect(make_url(url).database or "")
    copy = sqlite3.connect(folder / SQLITE_DUMP)
    try:
        source.backup(copy)  # page by page: a consistent copy even while the server writes
    finally:
        source.close()
        copy.close()
    # Read from the copy, not the live database: the manifest is the dump's.
    snapshot = make_engine(f"sqlite:///{folder / SQLITE_DUMP}")
    try:
        with snapshot.connect() as connection:
            return _read_snapshot(connection)
    finally:
        snapshot.dispose()


def _dump_postgresql(engine: Engine, url: str, folder: Path) -> _Snapshot:
    """pg_dump in a snapshot this transaction exported; the manifest read in the same."""
    plain, env = _libpq(url)
    options = {"isolation_level": "REPEATABLE READ"}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        snapshot_id = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot_id}",
             f"--file={folder / PG_DUMP}", f"--dbname={plain}"],
            env, "pg_dump",
        )  # fmt: skip
        return _read_snapshot(connection)


def _copy_out(store: ObjectStore, key: str, sha256: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    partial = target.with_suffix(".partial")
    with partial.open("wb") as handle:
        for chunk in store.get(key):
            digest.update(chunk)
            handle.write(chunk)
    if digest.hexdigest() != sha256:
        partial.unlink()
        raise IntegrityMismatch("stored object %(key)s does not hash to its name", key=key)
    partial.replace(target)


def backup(
    *, engine: Engine, database_url: str, store: ObjectStore, folder: Path, objects: bool
) -> BackupSummary:
    """Write a backup of the database (and with `objects`, the bytes) into `folder`,
    which must be new or empty."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError("%(folder)s is not empty; back up into a new folder", folder=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    if dialect == "sqlite":
        snapshot, dump = _dump_sqlite(database_url, folder), folder / SQLITE_DUMP
    elif dialect == "postgresql":
        snapshot, dump = _dump_postgresql(engine, database_url, folder), folder / PG_DUMP
    else:
        raise BackupError("no backup for the %(dialect)s database", dialect=dialect)
    size, root = snapshot.ledger
    present = copied = 0
    with (folder / MANIFEST).open("w", encoding="utf-8") as manifest:
        for sha256, key, length in snapshot.blobs:
            try:
                held = store.size(key) == length
            except ObjectMissing:
                held = False
            if held and objects:
                _copy_out(store, key, sha256, folder / OBJECTS / key)
                copied += 1
            present += held
            line = {"sha256": sha256, "key": key, "size": length, "present": held}
            manifest.write(json.dumps(line, sort_keys=True) + "\n")
    meta = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "dialect": dialect,
        "database": dump.name,
        "database_sha256": _sha256_file(dump),
        "manifest_sha256": _sha256_file(folder / MANIFEST),
        "objects": len(snapshot.blobs),
        "objects_present": present,
        "objects_copied": copied,
        "ledger": {"size": size, "root": root},
        "checkpoint": snapshot.checkpoint,
    }
    (folder / META).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return BackupSummary(folder, dialect, len(snapshot.blobs), present, copied, size, root)


def read_meta(folder: Path) -> dict[str, Any]:
    """The backup's description, its files checked against the hashes it records."""
    try:
        meta: dict[str, Any] = json.loads((folder / META).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError("%(folder)s holds no readable backup.json", folder=str(folder)) from exc
    for name, digest in ((meta["database"], "database_sha256"), (MANIFEST, "manifest_sha256")):
        path = folder / name
        if not path.is_file() or _sha256_file(path) != meta[digest]:
            raise BackupError("%(file)s is missing or altered since the backup", file=name)
    return meta


def _manifest(folder: Path) -> Iterator[dict[str, Any]]:
    with (folder / MANIFEST).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _refuse_non_empty(engine: Engine) -> None:
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    if tables:
        raise BackupError(
            "the target database already has tables (%(count)d); restore into an empty one",
            count=len(tables),
        )


def _restore_sqlite(database_url: str, dump: Path) -> None:
    target = make_url(database_url).database or ""
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()


def _copy_in(store: ObjectStore, source: Path, key: str, sha256: str) -> None:
    writer = store.begin_put()
    digest = hashlib.sha256()
    try:
        with source.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                writer.write(chunk)
        if digest.hexdigest() != sha256:
            raise IntegrityMismatch("backup copy of %(key)s does not hash to its name", key=key)
        writer.commit(key)
    finally:
        writer.abort()  # after commit: nothing to do


def restore(
    *, engine: Engine, database_url: str, store: ObjectStore, folder: Path
) -> RestoreSummary:
    """Load a backup into an empty database and the configured store (see the module)."""
    meta = read_meta(folder)
    dialect = engine.dialect.name
    if meta["dialect"] != dialect:
        raise BackupError(
            "the backup is of a %(source)s database; DALEL_DATABASE_URL names %(target)s",
            source=meta["dialect"], target=dialect,
        )  # fmt: skip
    _refuse_non_empty(engine)
    dump = folder / str(meta["database"])
    if dialect == "sqlite":
        engine.dispose()
        _restore_sqlite(database_url, dump)
    else:
        plain, env = _libpq(database_url)
        _run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
             f"--dbname={plain}", str(dump)],
            env, "pg_restore",
        )  # fmt: skip
    summary = RestoreSummary()
    copies = folder / OBJECTS
    for entry in _manifest(folder):
        summary.objects += 1
        key, sha256, size = str(entry["key"]), str(entry["sha256"]), int(entry["size"])
        source = copies / key
        if not store.exists(key) and source.is_file():
            _copy_in(store, source, key, sha256)
            summary.copied += 1
        if entry["present"]:
            with contextlib.suppress(ObjectMissing):
                if store.size(key) == size:
                    continue
            summary.missing.append(key)
    with Session(engine) as session:
        summary.ledger_size, summary.ledger_root = _ledger_state(session)
    if (summary.ledger_size, summary.ledger_root) != (
        meta["ledger"]["size"],
        meta["ledger"]["root"],
    ):
        raise BackupError(
            "the restored ledger (%(size)d entries) is not the backed-up one",
            size=summary.ledger_size,
        )
    return summary
