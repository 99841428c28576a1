"""Appending custody events: `record()` is the single entry point to the ledger.

Each append also writes the perfect subtrees it completes (`ledger_node`), about one row
per event on average, so proofs never read all leaves.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, text
from sqlmodel import Session

from custody import merkle
from custody.context import REQUEST_ID
from custody.events import (
    SYSTEM,
    Action,
    Actor,
    build_event,
    encode_without_prev,
    leaf_hash,
    new_salts,
    subject_of,
    utc_now,
)
from custody.metrics import APPEND_SECONDS
from custody.models import LedgerEntry, LedgerNode
from custody.tree import current_size, frontier

# Arbitrary constant naming the ledger's PostgreSQL advisory lock ("dalel" in ASCII).
_APPEND_LOCK_KEY = 0x64616C656C
_SQLITE_CHUNK = 500
# PostgreSQL types of the columns appended by binary COPY (must match custody.models).
PG_TYPES = {
    "ledger_entry": {
        "idx": "int8",
        "leaf": "bytea",
        "leaf_hash": "bytea",
        "subject": "varchar",
        "prev_hash": "bytea",
        "action": "varchar",
        "item_id": "varchar",
        "case_id": "varchar",
        "appended_at": "timestamptz",
    },
    "ledger_node": {"level": "int4", "idx": "int8", "hash": "bytea"},
}


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One event to append with `record_many`; the fields mirror `record()`'s arguments."""

    action: Action
    actor: Actor
    case_id: str | None = None
    case_number: str | None = None
    item_id: str | None = None
    sha256: str | None = None
    client: str | None = None
    details: dict[str, Any] | None = field(default=None)


def lock_for_append(session: Session) -> None:
    """Serialise appenders so indexes never fork, gap or repeat.

    PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback.
    SQLite: the engine begins every transaction with BEGIN IMMEDIATE (see evidence.db),
    which already holds the database write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_KEY})


def _latest_by_subject(session: Session, subjects: set[str]) -> dict[str, tuple[bytes, str]]:
    """Leaf hash and action of each subject's latest event: backward index probes per
    subject, in one statement.

    (A GROUP BY max(idx) would read every event of every subject; this stays O(1) per
    subject however long its history.)
    """
    names = sorted(subjects)
    # One backward probe of (subject, idx) finds the newest index; the row itself is then
    # one primary-key lookup (two correlated subqueries would probe the index twice).
    columns = "e.leaf_hash, e.action"
    join = (
        " LEFT JOIN ledger_entry e ON e.idx ="
        " (SELECT max(i.idx) FROM ledger_entry i WHERE i.subject = wanted.subject)"
    )
    if session.get_bind().dialect.name == "postgresql":
        query = text(
            f"SELECT wanted.subject, {columns}"  # noqa: S608 - constant text, bound values
            f" FROM unnest(CAST(:subjects AS text[])) AS wanted(subject){join}"
        )
        rows = list(session.execute(query, {"subjects": names}))
    else:
        rows = []
        for start in range(0, len(names), _SQLITE_CHUNK):  # stay under SQLite's bind limit
            chunk = names[start : start + _SQLITE_CHUNK]
            values = ", ".join(f"(:s{i})" for i in range(len(chunk)))
            query = text(
                f"WITH wanted(subject) AS (VALUES {values}) "  # noqa: S608 - bound values only
                f"SELECT wanted.subject, {columns} FROM wanted{join}"
            )
            rows += session.execute(query, {f"s{i}": name for i, name in enumerate(chunk)})
    return {
        str(subject): (bytes(digest), str(action))
        for subject, digest, action in rows
        if digest is not None
    }


def _after_purge(
    session: Session,
    events: Sequence[NewEvent],
    encoded: list[Any],
    salts: Sequence[str],
    latest: dict[str, tuple[bytes, str]],
    at: datetime,
) -> None:
    """An item's chain ends with `item.purged`: whatever happens to the item afterwards
    (its tombstone read, a refused access) is recorded on its case's chain instead."""
    moved = []
    for offset, event in enumerate(events):
        head = latest.get(encoded[offset].subject)
        if head is None or head[1] != Action.ITEM_PURGED or event.action is Action.ITEM_PURGED:
            continue
        subject = subject_of(item_id=None, case_id=event.case_id)
        encoded[offset] = _encode(event, at, salts[offset], subject=subject)
        moved.append(subject)
    if moved:
        latest.update(_latest_by_subject(session, set(moved) - set(latest)))


def _encode(event: NewEvent, at: datetime, salt: str, subject: str | None = None) -> Any:
    details = event.details
    request_id = REQUEST_ID.get()
    # The system's own events (a release, whose leaf the public verify answer shows) are
    # no person's request: they carry none.
    if (
        request_id is not None
        and event.actor.id != SYSTEM.id
        and "request_id" not in (details or {})
    ):
        details = {**(details or {}), "request_id": request_id}
    return encode_without_prev(
        build_event(
            action=event.action,
            actor=event.actor,
            at=at,
            prev=None,
            case_id=event.case_id,
            case_number=event.case_number,
            item_id=event.item_id,
            sha256=event.sha256,
            client=event.client,
            details=details,
            salt=salt,
            subject=subject,
        )
    )


@dataclass(frozen=True, slots=True)
class AppendedEntry:
    """A row just appended by `record_many` (a light copy: building ORM objects for every
    event of a batch would cost more than the append itself)."""

    idx: int
    leaf: bytes
    leaf_hash: bytes
    subject: str
    prev_hash: bytes | None
    action: str
    item_id: str | None
    case_id: str | None
    appended_at: datetime


_ENTRY_TABLE: Table = LedgerEntry.__table__  # type: ignore[attr-defined]
_NODE_TABLE: Table = LedgerNode.__table__  # type: ignore[attr-defined]


def _append(session: Session, events: Sequence[NewEvent]) -> list[dict[str, Any]]:
    started = time.perf_counter()
    rows = _append_rows(session, events)
    APPEND_SECONDS.observe(time.perf_counter() - started)
    return rows


def _append_rows(session: Session, events: Sequence[NewEvent]) -> list[dict[str, Any]]:
    # Everything that does not depend on the log's state is done before taking the lock:
    # several writers then only serialise on prev lookup, hashing and the inserts.
    now = utc_now()
    salts = new_salts(len(events))
    encoded = [_encode(event, now, salt) for event, salt in zip(events, salts, strict=True)]
    lock_for_append(session)
    size = current_size(session)
    latest = _latest_by_subject(session, {e.subject for e in encoded})
    _after_purge(session, events, encoded, salts, latest, now)
    rows: list[dict[str, Any]] = []
    for offset, (event, enc) in enumerate(zip(events, encoded, strict=True)):
        head = latest.get(enc.subject)
        prev = head[0] if head else None
        leaf = enc.leaf(prev)
        digest = leaf_hash(leaf)
        latest[enc.subject] = (digest, str(event.action))
        rows.append(
            {
                "idx": size + offset,
                "leaf": leaf,
                "leaf_hash": digest,
                "subject": enc.subject,
                "prev_hash": prev,
                "action": str(event.action),
                "item_id": event.item_id,
                "case_id": event.case_id,
                "appended_at": now,
            }
        )
    nodes = _new_nodes(session, size, (row["leaf_hash"] for row in rows))
    _insert(session, _ENTRY_TABLE, rows)
    if nodes:
        _insert(session, _NODE_TABLE, nodes)
    return rows


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Bulk insert in the session's transaction; the append lock is held meanwhile, so speed
    matters: PostgreSQL gets COPY (one round trip), others a Core executemany."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    types = [PG_TYPES[table.name][c] for c in columns]
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        names = ", ".join(columns)
        # Binary COPY: ~30% cheaper than text for bytea-heavy rows.
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row([row[c] for c in columns])


def _new_nodes(session: Session, size: int, leaves: Iterable[bytes]) -> list[dict[str, Any]]:
    """Rows for every perfect subtree (level >= 1) completed by appending `leaves`."""
    return [
        {"level": level, "idx": idx, "hash": digest}
        for (level, idx), digest in merkle.completed_nodes(size, frontier(session, size), leaves)
        if level > 0
    ]


def record(
    *,
    session: Session,
    action: Action,
    actor: Actor,
    case_id: str | None = None,
    case_number: str | None = None,
    item_id: str | None = None,
    sha256: str | None = None,
    client: str | None = None,
    details: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Append one custody event inside the caller's transaction and return its entry.

    The entry becomes durable only when the caller commits, together with the change it
    describes; a rollback removes both, so the log never shows a change that did not
    happen nor misses one that did. The returned object is a detached copy of the row.
    """
    event = NewEvent(
        action=action,
        actor=actor,
        case_id=case_id,
        case_number=case_number,
        item_id=item_id,
        sha256=sha256,
        client=client,
        details=details,
    )
    return LedgerEntry(**_append(session, [event])[0])


def record_many(*, session: Session, events: Sequence[NewEvent]) -> list[AppendedEntry]:
    """Append several events, in order, inside the caller's transaction (one lock, one
    round of inserts): the batch path for bulk imports and busy workers."""
    if not events:
        return []
    return [AppendedEntry(**row) for row in _append(session, events)]
