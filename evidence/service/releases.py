"""Releases and public verification: what left the building, and who may learn what.

Every path that lets bytes out under the system's record — a disclosed file read or
downloaded by its recipient, a disclosure bundle, a court export, a custody export —
calls `record_released` before the first byte goes out. `verify_file` answers
`POST /verify`: anonymously, only "released, with the proof of the release" or the one
"not among released files" answer; a signed-in court or prosecution member also learns
whether their own cases hold the bytes, with the custody proof of each such item.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

import custody
from custody import merkle
from custody.checkpoint import latest_checkpoint
from custody.models import LedgerEntry
from custody.releases import record_release, release_answer
from custody.tree import node_fetcher
from evidence.errors import InvalidInput
from evidence.models import Item
from evidence.policy import Perm, Principal, allowed
from evidence.service.access import case_role

_SHA256 = re.compile(r"[0-9a-f]{64}")


def record_released(*, session: Session, items: Iterable[Item], kind: str, scope: str) -> None:
    """Record that these items' bytes left (`kind`: disclosure, court-export or
    custody-export; `scope`: the disclosure or the export's subject), once per file and
    scope, in the caller's transaction: the caller commits before the first byte."""
    for sha256 in dict.fromkeys(item.sha256 for item in items):
        record_release(session=session, sha256=sha256, kind=kind, scope=scope)


def check_sha256(value: str) -> str:
    """The SHA-256 as 64 lowercase hex digits, or InvalidInput."""
    sha256 = value.strip().lower()
    if not _SHA256.fullmatch(sha256):
        raise InvalidInput("sha256 must be 64 hexadecimal characters")
    return sha256


def verify_file(
    *, session: Session, principal: Principal | None, sha256: str, client: str | None = None
) -> dict[str, Any]:
    """The answer to "is this file ours?" for this caller.

    Anyone: whether the bytes were released, with each release's public-safe event and
    its inclusion proof. Signed in: also `held` — whether a case in which the caller may
    verify (`item.verify`: the court, the prosecution) holds the bytes — and for each
    such item its first custody event with proof; those verifications are recorded.
    """
    sha256 = check_sha256(sha256)
    answer = release_answer(session=session, sha256=sha256)
    if principal is None:
        return answer
    items = [
        item
        for item in session.exec(select(Item).where(Item.sha256 == sha256)).all()
        if allowed(
            principal=principal,
            perm=Perm.ITEM_VERIFY,
            case_role=case_role(session, case_id=item.case_id, user_id=principal.user_id),
        )
    ]
    held = _held(session, items)
    for item in items:
        custody.record(
            session=session, action=custody.Action.ITEM_VERIFIED, actor=principal.actor(),
            case_id=item.case_id, item_id=item.id, sha256=item.sha256, client=client,
        )  # fmt: skip
    session.commit()
    return {"sha256": sha256, **answer, "held": bool(items), "items": held}


def _held(session: Session, items: list[Item]) -> list[dict[str, Any]]:
    """Each item with its first event (creation or derivation) and its inclusion proof."""
    latest = latest_checkpoint(session=session)
    size = latest.size if latest is not None else 0
    firsts: dict[str, LedgerEntry] = {}
    for item in items:
        first = session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.subject == f"item:{item.id}")
            .order_by(col(LedgerEntry.idx))
            .limit(1)
        ).first()
        if first is not None:
            firsts[item.id] = first
    anchored = [e.idx for e in firsts.values() if e.idx < size]
    proofs = dict(
        zip(anchored, merkle.inclusion_proofs(anchored, size, node_fetcher(session)), strict=True)
    )
    out = []
    for item in items:
        entry = firsts.get(item.id)
        out.append(
            {
                "item_id": item.id,
                "case_id": item.case_id,
                "kind": str(item.kind),
                "record": None
                if entry is None
                else {
                    "index": entry.idx,
                    "leaf": base64.b64encode(entry.leaf).decode(),
                    "leaf_hash": entry.leaf_hash.hex(),
                    "inclusion_proof": [
                        base64.b64encode(h).decode() for h in proofs.get(entry.idx, [])
                    ],
                },
            }
        )
    return out
