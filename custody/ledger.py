"""Appending custody events: `record()` is the single entry point to the ledger."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session

from custody.events import Action, Actor, build_event, canonical, leaf_hash, subject_of, utc_now
from custody.models import LedgerEntry

# Arbitrary constant naming the ledger's PostgreSQL advisory lock ("dalel" in ASCII).
_APPEND_LOCK_KEY = 0x64616C656C


def _lock_for_append(session: Session) -> None:
    """Serialise appenders so indexes never fork, gap or repeat.

    PostgreSQL: a transaction-scoped advisory lock, released at commit or rollback.
    SQLite: the engine begins every transaction with BEGIN IMMEDIATE (see evidence.db),
    which already holds the database write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_KEY})


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
    happen nor misses one that did.
    """
    _lock_for_append(session)
    subject = subject_of(item_id=item_id, case_id=case_id)
    prev = session.execute(
        select(LedgerEntry.leaf_hash)
        .where(LedgerEntry.subject == subject)  # type: ignore[arg-type]
        .order_by(LedgerEntry.idx.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).scalar_one_or_none()
    last = session.execute(select(func.max(LedgerEntry.idx))).scalar_one()
    size = 0 if last is None else last + 1
    now = utc_now()
    leaf = canonical(
        build_event(
            action=action,
            actor=actor,
            at=now,
            prev=prev,
            case_id=case_id,
            case_number=case_number,
            item_id=item_id,
            sha256=sha256,
            client=client,
            details=details,
        )
    )
    entry = LedgerEntry(
        idx=size,
        leaf=leaf,
        leaf_hash=leaf_hash(leaf),
        subject=subject,
        prev_hash=prev,
        action=str(action),
        item_id=item_id,
        case_id=case_id,
        appended_at=now,
    )
    session.add(entry)
    session.flush()
    return entry
