"""Signed heads: the log's statement of where each exported item's history ends.

A per-item hash chain proves that no event *between* two exported events was removed,
but not that the newest events are all there: an exporter could stop an item's history
early (before an unauthorised view, say) and every remaining proof would still hold. The
heads statement closes that gap. At export time the log signs, for the anchor checkpoint
of the bundle, each item's event count and its last event (index and leaf hash):

    dalel custody heads v1
    <origin>
    <anchor tree size>
    <anchor root, base64>
    <item id> <events> <last index> <last leaf hash, base64>
    ...

The verifier checks the statement's signature with the pinned log key and compares every
item's chain with its line. Only the log key holder can make such a statement, and one
that the log contradicts (an event of the item below the anchor size after the stated
last one) is signed evidence of the operator's misbehaviour. The first line keeps the
statement from ever parsing as a checkpoint (whose second line is a number).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from custody.errors import SignatureError
from custody.models import LedgerEntry
from custody.note import NoteSigner, sign_note
from custody.verifier import HEADS as HEADER


@dataclass(frozen=True, slots=True)
class Head:
    """Where one item's history ends at the anchor."""

    item_id: str
    events: int
    last_index: int
    last_leaf_hash: bytes

    def line(self) -> str:
        digest = base64.b64encode(self.last_leaf_hash).decode()
        return f"{self.item_id} {self.events} {self.last_index} {digest}"


def heads_of(entries: Sequence[LedgerEntry]) -> list[Head]:
    """Each item's event count and last event, from its entries (in log order)."""
    counts: dict[str, int] = {}
    last: dict[str, LedgerEntry] = {}
    for entry in entries:
        if not entry.subject.startswith("item:"):
            continue
        item_id = entry.subject.removeprefix("item:")
        counts[item_id] = counts.get(item_id, 0) + 1
        last[item_id] = entry
    return [
        Head(
            item_id=item_id,
            events=counts[item_id],
            last_index=last[item_id].idx,
            last_leaf_hash=bytes(last[item_id].leaf_hash),
        )
        for item_id in sorted(last)
    ]


def sign_heads(
    *, origin: str, size: int, root: bytes, heads: Sequence[Head], signers: Sequence[NoteSigner]
) -> str:
    """The signed heads note for an anchor checkpoint."""
    if not signers:
        raise SignatureError("signing heads needs the log's signing key")
    for head in heads:
        if not head.item_id or any(c.isspace() for c in head.item_id):
            raise SignatureError(f"item id {head.item_id!r} cannot appear in a heads line")
    lines = [HEADER, origin, str(size), base64.b64encode(root).decode()]
    lines += [head.line() for head in heads]
    return sign_note("\n".join(lines) + "\n", list(signers))
