"""Read-side custody services used by the router, the CLI and exports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from custody import merkle, tree
from custody.checkpoint import latest_checkpoint, log_verifiers, served_note
from custody.errors import CustodyNotFound
from custody.models import LedgerEntry


def entry_leaf(*, session: Session, index: int) -> bytes:
    """The leaf bytes of entry `index`, exactly as hashed."""
    leaf = session.exec(select(LedgerEntry.leaf).where(LedgerEntry.idx == index)).first()
    if leaf is None:
        raise CustodyNotFound(f"no ledger entry {index}")
    return bytes(leaf)


def entries_for_items(*, session: Session, item_ids: list[str]) -> list[LedgerEntry]:
    """Every entry of the given items' chains, in log order."""
    subjects = [f"item:{item_id}" for item_id in item_ids]
    return list(
        session.exec(
            select(LedgerEntry)
            .where(col(LedgerEntry.subject).in_(subjects))
            .order_by(col(LedgerEntry.idx))
        ).all()
    )


def inclusion_proof(*, session: Session, index: int, size: int) -> list[bytes]:
    """Inclusion proof of entry `index` at tree `size` (ProofError if out of range)."""
    return tree.inclusion_proof_at(session=session, index=index, size=size)


def consistency_proof(*, session: Session, first: int, second: int) -> list[bytes]:
    """Consistency proof from `first` to `second` entries."""
    return tree.consistency_proof_at(session=session, first=first, second=second)


def verifier_keys_text(*, session: Session) -> str:
    """Every log verifier key, one per line; CustodyNotFound before the first checkpoint."""
    verifiers = log_verifiers(session=session)
    if not verifiers:
        raise CustodyNotFound("the log has not signed anything yet")
    return "".join(f"{v}\n" for v in verifiers)


@dataclass(frozen=True, slots=True)
class ProvenEvent:
    """One event of an item with its inclusion proof to a checkpoint."""

    index: int
    leaf: bytes
    event: dict[str, Any]
    proof: list[bytes]


@dataclass(frozen=True, slots=True)
class ItemCustody:
    """An item's full event chain, anchored in a signed checkpoint (when one covers it)."""

    item_id: str
    events: list[ProvenEvent]
    checkpoint: str | None  # the signed note with cosignatures
    checkpoint_size: int
    unanchored: int  # events newer than the checkpoint (no proof yet)


def item_custody(*, session: Session, item_id: str) -> ItemCustody:
    """Events of one item with inclusion proofs to the latest checkpoint.

    For `GET /items/{id}/custody`; events newer than the checkpoint are listed without a
    proof (`proof == []`) and counted in `unanchored`.
    """
    entries = entries_for_items(session=session, item_ids=[item_id])
    latest = latest_checkpoint(session=session)
    size = latest.size if latest is not None else 0
    anchored = [e.idx for e in entries if e.idx < size]
    proofs = dict(
        zip(
            anchored,
            merkle.inclusion_proofs(anchored, size, tree.node_fetcher(session)),
            strict=True,
        )
    )
    events = [
        ProvenEvent(index=e.idx, leaf=e.leaf, event=json.loads(e.leaf), proof=proofs.get(e.idx, []))
        for e in entries
    ]
    return ItemCustody(
        item_id=item_id,
        events=events,
        checkpoint=served_note(session=session, checkpoint=latest) if latest else None,
        checkpoint_size=size,
        unanchored=len(entries) - len(anchored),
    )
