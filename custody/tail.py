"""Check the entries no checkpoint has signed yet, before a checkpoint signs them.

A signature over the log says "these entries were there and nobody changed them since":
it must not cover a row nobody looked at. Between two checkpoints a person with write
access to the database could append a well-formed forgery (right `prev`, hashes and
nodes), so every signing first checks the tail — entries from the newest checkpoint to
the size it is about to sign:

1. the newest checkpoint's root is what the stored frontier folds to (the base is intact);
2. the tail's indexes run on without a gap;
3. each leaf hashes to its stored hash, is a JSON event, and its columns are its own;
4. each `prev` is the leaf hash of its subject's previous event;
5. the caller's `references` (evidence: actor and subject exist) find nothing wrong;
6. the base frontier extended by the tail's leaves gives the root the stored nodes give.

Nothing here takes the append lock: entries below a size read once are committed and
never change, so the check runs while others append, and the signer signs exactly the
size it checked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import select, text
from sqlmodel import Session, col

from custody import merkle
from custody.models import Checkpoint, LedgerEntry
from custody.tree import frontier, root_at

References = Callable[[int, dict[str, Any]], Iterable[str]]


def extended_root(size: int, base: Sequence[bytes], leaves: Iterable[bytes]) -> bytes:
    """Root of the tree of `size` leaves whose frontier is `base`, after `leaves`."""
    stack, n = list(base), size
    for leaf in leaves:
        node, level = leaf, 0
        while (n + 1) >> level & 1 == 0:
            node = merkle.hash_children(stack.pop(), node)
            level += 1
        stack.append(node)
        n += 1
    return merkle.fold_range(stack) if stack else merkle.EMPTY_ROOT


def _previous(session: Session, subject: str, before: int) -> bytes | None:
    found = session.execute(
        text(
            "SELECT leaf_hash FROM ledger_entry WHERE subject = :s AND idx < :n "
            "ORDER BY idx DESC LIMIT 1"
        ),
        {"s": subject, "n": before},
    ).scalar_one_or_none()
    return None if found is None else bytes(found)


def check_tail(
    *,
    session: Session,
    base: Checkpoint | None,
    size: int,
    references: References | None = None,
) -> tuple[list[str], bytes]:
    """Problems with entries base.size..size-1 (see the module), and the root of `size`."""
    start = base.size if base is not None else 0
    problems: list[str] = []
    base_hashes = frontier(session, start)
    if base is not None and start and merkle.fold_range(base_hashes) != bytes(base.root_hash):
        problems.append(f"the stored tree no longer gives checkpoint {start}'s signed root")
    rows = session.execute(
        select(
            col(LedgerEntry.idx), col(LedgerEntry.leaf), col(LedgerEntry.leaf_hash),
            col(LedgerEntry.subject), col(LedgerEntry.action), col(LedgerEntry.item_id),
            col(LedgerEntry.case_id), col(LedgerEntry.prev_hash),
        )
        .where(col(LedgerEntry.idx) >= start, col(LedgerEntry.idx) < size)
        .order_by(col(LedgerEntry.idx))
    ).all()  # fmt: skip
    latest: dict[str, bytes | None] = {}
    leaves: list[bytes] = []
    for expected_idx, row in enumerate(rows, start):
        idx, leaf = int(row.idx), bytes(row.leaf)
        where = f"entry {idx}"
        if idx != expected_idx:
            problems.append(f"entries {expected_idx}..{idx - 1} are missing")
            break
        digest = merkle.hash_leaf(leaf)
        leaves.append(bytes(row.leaf_hash))
        if digest != bytes(row.leaf_hash):
            problems.append(f"{where}: stored leaf hash does not match the leaf bytes")
        try:
            event = json.loads(leaf)
        except ValueError:
            event = None
        if not isinstance(event, dict):
            problems.append(f"{where}: leaf is not a JSON event")
            continue
        prev = row.prev_hash.hex() if row.prev_hash is not None else None
        columns = (row.subject, row.action, row.item_id, row.case_id, prev)
        fields = tuple(event.get(k) for k in ("subject", "action", "item", "case", "prev"))
        if columns != fields:
            problems.append(f"{where}: its columns differ from the event")
        subject = str(row.subject)
        if subject not in latest:
            # Nothing precedes the first entry: no lookup per subject (a first checkpoint
            # over an imported log of 100,000 items made 100,000 queries).
            latest[subject] = _previous(session, subject, start) if start else None
        expected = latest[subject]
        if event.get("prev") != (expected.hex() if expected else None):
            problems.append(f"{where}: `prev` is not the previous event of {subject}")
        latest[subject] = digest
        for message in references(idx, event) if references is not None else ():
            problems.append(f"{where}: {message}")
    if len(rows) != size - start and not any("missing" in p for p in problems):
        problems.append(f"entries {start + len(rows)}..{size - 1} are missing")
    root = extended_root(start, base_hashes, leaves)
    if not problems and root != root_at(session=session, size=size):
        problems.append(f"the stored tree nodes for {start}..{size - 1} differ from the entries")
    return problems, root
