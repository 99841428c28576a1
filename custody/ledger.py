"""Appending custody events: `record()` is the single entry point to the ledger.

Each append also writes the perfect subtrees it completes (`ledger_node`), about one row
per event on average, so proofs never read all leaves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlmodel import Session, col

from custody import merkle
from custody.events import Action, Actor, build_event, canonical, leaf_hash, subject_of, utc_now
from custody.models import LedgerEntry, LedgerNode
from custody.tree import current_size, frontier

# Arbitrary constant naming the ledger's PostgreSQL advisory lock ("dalel" in ASCII).
_APPEND_LOCK_KEY = 0x64616C656C


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
    """Leaf hash of each subject's latest event (two indexed queries, any number of subjects)."""
    if len(subjects) == 1:
        (subject,) = subjects
        prev = session.execute(
            select(col(LedgerEntry.leaf_hash))
            .where(col(LedgerEntry.subject) == subject)
            .order_by(col(LedgerEntry.idx).desc())
            .limit(1)
        ).scalar_one_or_none()
        return {} if prev is None else {subject: bytes(prev)}
    last = (
        select(func.max(col(LedgerEntry.idx)))
        .where(col(LedgerEntry.subject).in_(sorted(subjects)))
        .group_by(col(LedgerEntry.subject))
    )
    rows = session.execute(
        select(col(LedgerEntry.subject), col(LedgerEntry.leaf_hash)).where(
            col(LedgerEntry.idx).in_(last)
        )
    )
    return {str(subject): bytes(h) for subject, h in rows}


def _append(session: Session, events: Sequence[NewEvent]) -> list[LedgerEntry]:
    lock_for_append(session)
    size = current_size(session)
    subjects = {subject_of(item_id=e.item_id, case_id=e.case_id) for e in events}
    latest = _latest_by_subject(session, subjects)
    now = utc_now()
    rows: list[dict[str, Any]] = []
    for offset, event in enumerate(events):
        subject = subject_of(item_id=event.item_id, case_id=event.case_id)
        prev = latest.get(subject)
        leaf = canonical(
            build_event(
                action=event.action,
                actor=event.actor,
                at=now,
                prev=prev,
                case_id=event.case_id,
                case_number=event.case_number,
                item_id=event.item_id,
                sha256=event.sha256,
                client=event.client,
                details=event.details,
            )
        )
        digest = leaf_hash(leaf)
        latest[subject] = digest
        rows.append(
            {
                "idx": size + offset,
                "leaf": leaf,
                "leaf_hash": digest,
                "subject": subject,
                "prev_hash": prev,
                "action": str(event.action),
                "item_id": event.item_id,
                "case_id": event.case_id,
                "appended_at": now,
            }
        )
    nodes = _new_nodes(session, size, (row["leaf_hash"] for row in rows))
    session.execute(insert(LedgerEntry), rows)
    if nodes:
        session.execute(insert(LedgerNode), nodes)
    return [LedgerEntry(**row) for row in rows]


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
    return _append(session, [event])[0]


def record_many(*, session: Session, events: Sequence[NewEvent]) -> list[LedgerEntry]:
    """Append several events, in order, inside the caller's transaction (one lock, one
    round of inserts): the batch path for bulk imports and busy workers."""
    if not events:
        return []
    return _append(session, events)
