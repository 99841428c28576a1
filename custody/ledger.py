"""Appending custody events: `record()` is the single entry point to the ledger.

Each append also writes the perfect subtrees it completes (`ledger_node`), about one row
per event on average, so proofs never read all leaves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, text
from sqlmodel import Session

from custody import merkle
from custody.events import (
    Action,
    Actor,
    build_event,
    encode_without_prev,
    leaf_hash,
    utc_now,
)
from custody.models import LedgerEntry, LedgerNode
from custody.tree import current_size, frontier

# Arbitrary constant naming the ledger's PostgreSQL advisory lock ("dalel" in ASCII).
_APPEND_LOCK_KEY = 0x64616C656C
_SQLITE_CHUNK = 500
# PostgreSQL types of the columns appended by binary COPY (must match custody.models).
_PG_TYPES = {
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


def _latest_by_subject(session: Session, subjects: set[str]) -> dict[str, bytes]:
    """Leaf hash of each subject's latest event: one backward index probe per subject.

    (A GROUP BY max(idx) would read every event of every subject; this stays O(1) per
    subject however long its history.)
    """
    names = sorted(subjects)
    latest = (
        "(SELECT e.leaf_hash FROM ledger_entry e"
        " WHERE e.subject = wanted.subject ORDER BY e.idx DESC LIMIT 1)"
    )
    if session.get_bind().dialect.name == "postgresql":
        query = text(
            f"SELECT wanted.subject, {latest}"  # noqa: S608 - constant text, bound values
            " FROM unnest(CAST(:subjects AS text[])) AS wanted(subject)"
        )
        rows = list(session.execute(query, {"subjects": names}))
    else:
        rows = []
        for start in range(0, len(names), _SQLITE_CHUNK):  # stay under SQLite's bind limit
            chunk = names[start : start + _SQLITE_CHUNK]
            values = ", ".join(f"(:s{i})" for i in range(len(chunk)))
            query = text(
                f"WITH wanted(subject) AS (VALUES {values}) "  # noqa: S608 - bound values only
                f"SELECT wanted.subject, {latest} FROM wanted"
            )
            rows += session.execute(query, {f"s{i}": name for i, name in enumerate(chunk)})
    return {str(subject): bytes(digest) for subject, digest in rows if digest is not None}


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
    # Everything that does not depend on the log's state is done before taking the lock:
    # several writers then only serialise on prev lookup, hashing and the inserts.
    now = utc_now()
    encoded = [
        encode_without_prev(
            build_event(
                action=event.action,
                actor=event.actor,
                at=now,
                prev=None,
                case_id=event.case_id,
                case_number=event.case_number,
                item_id=event.item_id,
                sha256=event.sha256,
                client=event.client,
                details=event.details,
            )
        )
        for event in events
    ]
    lock_for_append(session)
    size = current_size(session)
    latest = _latest_by_subject(session, {e.subject for e in encoded})
    rows: list[dict[str, Any]] = []
    for offset, (event, enc) in enumerate(zip(events, encoded, strict=True)):
        prev = latest.get(enc.subject)
        leaf = enc.leaf(prev)
        digest = leaf_hash(leaf)
        latest[enc.subject] = digest
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
    types = [_PG_TYPES[table.name][c] for c in columns]
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
