"""The shapes of custody as shown to a person: events in clear or sealed, with proofs.

Which events a given person sees in clear is decided by `evidence.service.custody_view`
(the one custody view); this module only holds what it produces, so that custody's own
renderers (the report PDF, bundles) lay out exactly that and nothing more.

A *sealed* event is shown as its leaf hash and inclusion proof only: the chain stays
verifiable (the next event's `prev` is that hash, the proof ties it to the signed root)
while its content stays with those entitled to it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlmodel import Session, col, select

from custody import merkle
from custody.checkpoint import latest_checkpoint, served_note
from custody.models import Checkpoint, LedgerEntry
from custody.tree import node_fetcher


class Entry(Protocol):
    """What the view needs of a ledger row (`custody.models.LedgerEntry`)."""

    idx: int
    leaf: bytes
    leaf_hash: bytes
    subject: str


# Decides whether the viewer may read one entry in clear.
Readable = Callable[[Entry], bool]


@dataclass(frozen=True, slots=True)
class ShownEvent:
    """One event as a viewer sees it: in clear (`leaf`, `event`) or sealed (both None)."""

    index: int
    leaf_hash: bytes
    subject: str
    leaf: bytes | None
    event: dict[str, Any] | None
    proof: list[bytes] = field(default_factory=list)  # empty: newer than the checkpoint

    @property
    def sealed(self) -> bool:
        return self.leaf is None

    def as_json(self) -> dict[str, Any]:
        """The API and bundle form: a sealed event has no leaf and no event."""
        return {
            "index": self.index,
            "leaf_hash": self.leaf_hash.hex(),
            "inclusion_proof": [base64.b64encode(h).decode() for h in self.proof],
            "withheld": self.sealed,
            "leaf": base64.b64encode(self.leaf).decode() if self.leaf is not None else None,
            "event": self.event,
        }


def show(entry: Entry, *, readable: bool, proof: Sequence[bytes] = ()) -> ShownEvent:
    """An entry as shown: in clear when `readable`, else sealed."""
    leaf = bytes(entry.leaf) if readable else None
    return ShownEvent(
        index=entry.idx,
        leaf_hash=bytes(entry.leaf_hash),
        subject=entry.subject,
        leaf=leaf,
        event=json.loads(leaf) if leaf is not None else None,
        proof=list(proof),
    )


@dataclass(frozen=True, slots=True)
class ItemCustody:
    """An item's whole chain as one viewer may see it, anchored in a signed checkpoint."""

    item_id: str
    events: list[ShownEvent]
    checkpoint: str | None  # the signed note with cosignatures; None before the first
    tree_size: int  # the checkpoint's size (events at or past it carry no proof)

    @property
    def unanchored(self) -> int:
        return sum(1 for e in self.events if e.index >= self.tree_size)

    def as_json(self) -> dict[str, Any]:
        """The JSON shape of `GET /items/{id}/custody` (and of reports built on it)."""
        return {
            "item_id": self.item_id,
            "tree_size": self.tree_size,
            "checkpoint": self.checkpoint,
            "events": [e.as_json() for e in self.events],
        }


def item_entries(session: Session, item_id: str) -> list[LedgerEntry]:
    """Every entry of an item's chain, in log order."""
    query = select(LedgerEntry).where(LedgerEntry.subject == f"item:{item_id}")
    return list(session.exec(query.order_by(col(LedgerEntry.idx))).all())


def item_custody(
    *,
    session: Session,
    item_id: str,
    readable: Readable,
    anchor: Checkpoint | None = None,
) -> ItemCustody:
    """An item's chain, each event in clear where `readable` says so (else sealed), with
    inclusion proofs to the signed checkpoint `anchor` (default: the latest); events
    newer than it carry no proof. `readable` comes from evidence's custody view."""
    anchor = anchor if anchor is not None else latest_checkpoint(session=session)
    size = anchor.size if anchor is not None else 0
    entries = item_entries(session, item_id)
    anchored = [e.idx for e in entries if e.idx < size]
    proofs = dict(
        zip(anchored, merkle.inclusion_proofs(anchored, size, node_fetcher(session)), strict=True)
    )
    return ItemCustody(
        item_id=item_id,
        events=[show(e, readable=readable(e), proof=proofs.get(e.idx, [])) for e in entries],
        checkpoint=served_note(session=session, checkpoint=anchor) if anchor else None,
        tree_size=size,
    )


def everything(entry: Entry) -> bool:
    """`readable` for the local operator and for tests: every event in clear."""
    return True
