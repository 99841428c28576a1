"""The stored Merkle tree: size, roots and proofs read from O(log n) stored nodes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from custody import merkle
from custody.errors import ProofError
from custody.merkle import NodeFetcher, NodeId
from custody.models import LedgerEntry, LedgerNode

_CHUNK = 500  # nodes per query: keeps IN lists well inside every driver's limits


def current_size(session: Session) -> int:
    """Number of leaves in the log (the last index + 1, read through the primary key)."""
    last = session.execute(
        select(col(LedgerEntry.idx)).order_by(col(LedgerEntry.idx).desc()).limit(1)
    ).scalar_one_or_none()
    return 0 if last is None else int(last) + 1


def node_fetcher(session: Session) -> NodeFetcher:
    """A NodeFetcher over the database: leaves from ledger_entry, the rest from ledger_node."""

    def fetch(nodes: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        out: dict[NodeId, bytes] = {}
        for start in range(0, len(nodes), _CHUNK):
            out.update(_fetch_chunk(nodes[start : start + _CHUNK]))
        return out

    def _fetch_chunk(nodes: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        out: dict[NodeId, bytes] = {}
        leaves = [idx for level, idx in nodes if level == 0]
        upper = [(level, idx) for level, idx in nodes if level > 0]
        if leaves:
            rows = session.execute(
                select(col(LedgerEntry.idx), col(LedgerEntry.leaf_hash)).where(
                    col(LedgerEntry.idx).in_(leaves)
                )
            )
            out.update({(0, int(idx)): bytes(h) for idx, h in rows})
        if upper:
            rows = session.execute(
                select(col(LedgerNode.level), col(LedgerNode.idx), col(LedgerNode.hash)).where(
                    tuple_(col(LedgerNode.level), col(LedgerNode.idx)).in_(upper)
                )
            )
            out.update({(int(level), int(idx)): bytes(h) for level, idx, h in rows})
        return out

    return fetch


def frontier(session: Session, size: int) -> list[bytes]:
    """Hashes of the perfect subtrees that make up the tree of `size` leaves, largest first."""
    ids = merkle.range_nodes(0, size)
    got = node_fetcher(session)(ids)
    try:
        return [got[node] for node in ids]
    except KeyError as exc:
        raise ProofError(f"tree node {exc.args[0]} is missing from storage") from exc


def _check_size(session: Session, size: int) -> None:
    if size < 0:
        raise ProofError(f"tree size {size} is negative")
    log_size = current_size(session)
    if size > log_size:
        raise ProofError(f"tree size {size} is larger than the log ({log_size} entries)")


def root_at(*, session: Session, size: int) -> bytes:
    """Root hash of the log when it had `size` entries."""
    _check_size(session, size)
    return merkle.root_hash(size, node_fetcher(session))


def inclusion_proof_at(*, session: Session, index: int, size: int) -> list[bytes]:
    """Inclusion proof of entry `index` in the log of `size` entries."""
    _check_size(session, size)
    return merkle.inclusion_proof(index, size, node_fetcher(session))


def consistency_proof_at(*, session: Session, first: int, second: int) -> list[bytes]:
    """Consistency proof between the log at `first` and at `second` entries."""
    _check_size(session, second)
    return merkle.consistency_proof(first, second, node_fetcher(session))
