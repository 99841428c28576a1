"""Released files: bytes that left the building under the system's own record.

When a file is delivered to a disclosure's recipient or written into a court or custody
export, the ledger gets a `file.released` event that names nothing but the file's
SHA-256, when, and how it left (`details.kind`): no case, no item, no person. That
event's leaf, with its inclusion proof to a signed checkpoint, is what a public
verification returns — proof that these bytes were released, and nothing else.

Everything else gets one answer, `{"released": false}`, byte for byte the same for every
file, held or never seen, so the public endpoint is no oracle of what the police have
(not even by timing: the lookup reads only the `release` table, whatever the answer).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from sqlmodel import Session, col, select

from custody import merkle
from custody.checkpoint import latest_checkpoint, log_verifiers, served_note
from custody.events import SYSTEM, Action
from custody.ledger import lock_for_append, record
from custody.models import LedgerEntry, Release
from custody.tree import node_fetcher

KINDS = frozenset({"disclosure", "court-export", "custody-export"})
MAX_LISTED = 20  # releases listed in one answer (the oldest: first release first)


def record_release(*, session: Session, sha256: str, kind: str, scope: str) -> Release:
    """Record (once per file and `scope`) that these bytes left, in the caller's
    transaction; the caller commits. Returns the release row, new or earlier."""
    if kind not in KINDS:
        raise ValueError(f"unknown release kind {kind!r}")
    earlier = _find(session, sha256, scope)
    if earlier is not None:
        return earlier
    # Look again under the append lock: a concurrent delivery of the same file that got
    # there first has committed by the time we hold it, so the row is recorded once.
    lock_for_append(session)
    earlier = _find(session, sha256, scope)
    if earlier is not None:
        return earlier
    entry = record(
        session=session, action=Action.FILE_RELEASED, actor=SYSTEM, sha256=sha256,
        details={"kind": kind},
    )  # fmt: skip
    release = Release(
        sha256=sha256, kind=kind, scope=scope, ledger_idx=entry.idx, released_at=entry.appended_at
    )
    session.add(release)
    session.flush()
    return release


def _find(session: Session, sha256: str, scope: str) -> Release | None:
    return session.exec(
        select(Release).where(Release.sha256 == sha256, Release.scope == scope)
    ).first()


NOT_RELEASED: dict[str, Any] = {"released": False}  # the same for every other file


def release_answer(*, session: Session, sha256: str) -> dict[str, Any]:
    """The public answer for a SHA-256 (64 lowercase hex digits, checked by the caller)."""
    rows = list(
        session.exec(
            select(Release)
            .where(Release.sha256 == sha256)
            .order_by(col(Release.id))
            .limit(MAX_LISTED)
        ).all()
    )
    if not rows:
        return dict(NOT_RELEASED)
    latest = latest_checkpoint(session=session)
    size = latest.size if latest is not None else 0
    entries = {
        e.idx: e
        for e in session.exec(
            select(LedgerEntry).where(col(LedgerEntry.idx).in_([r.ledger_idx for r in rows]))
        ).all()
    }
    anchored = [r.ledger_idx for r in rows if r.ledger_idx < size]
    proofs = dict(
        zip(anchored, merkle.inclusion_proofs(anchored, size, node_fetcher(session)), strict=True)
    )
    return {
        "sha256": sha256,
        "released": True,
        "releases": [
            {
                "kind": row.kind,
                "released_at": json.loads(entries[row.ledger_idx].leaf)["at"],
                "index": row.ledger_idx,
                "leaf": base64.b64encode(entries[row.ledger_idx].leaf).decode(),
                "leaf_hash": entries[row.ledger_idx].leaf_hash.hex(),
                # Empty while the release is newer than the latest checkpoint.
                "inclusion_proof": [
                    base64.b64encode(h).decode() for h in proofs.get(row.ledger_idx, [])
                ],
            }
            for row in rows
        ],
        "tree_size": size,
        "checkpoint": served_note(session=session, checkpoint=latest) if latest else None,
        "log_keys": [str(v) for v in log_verifiers(session=session)],
    }
