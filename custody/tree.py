"""The stored Merkle tree: size, roots and proofs read from O(log n) stored nodes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import literal, select, text, tuple_
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


_PG_FETCH = text(
    "SELECT 0, idx, leaf_hash FROM ledger_entry WHERE idx = ANY(CAST(:leaves AS bigint[]))"
    " UNION ALL SELECT n.level, n.idx, n.hash FROM ledger_node n"
    " JOIN unnest(CAST(:levels AS integer[]), CAST(:idxs AS bigint[])) AS w(level, idx)"
    " ON n.level = w.level AND n.idx = w.idx"
)


def node_fetcher(session: Session) -> NodeFetcher:
    """A NodeFetcher over the database: leaves from ledger_entry, the rest from ledger_node.

    On PostgreSQL one round trip fetches everything a proof needs (arrays, no IN lists).
    """
    postgres = session.get_bind().dialect.name == "postgresql"

    def fetch(nodes: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        out: dict[NodeId, bytes] = {}
        step = len(nodes) or 1 if postgres else _CHUNK
        for start in range(0, len(nodes), step):
            chunk = nodes[start : start + step]
            rows = _fetch_pg(chunk) if postgres else _fetch_portable(chunk)
            out.update({(int(level), int(idx)): bytes(h) for level, idx, h in rows})
        return out

    def _fetch_pg(nodes: Sequence[NodeId]) -> Iterable[Any]:
        upper = [(level, idx) for level, idx in nodes if level > 0]
        params = {
            "leaves": [idx for level, idx in nodes if level == 0],
            "levels": [level for level, _ in upper],
            "idxs": [idx for _, idx in upper],
        }
        return session.execute(_PG_FETCH, params).all()

    def _fetch_portable(nodes: Sequence[NodeId]) -> Iterable[Any]:
        rows: list[Any] = []
        leaves = [idx for level, idx in nodes if level == 0]
        upper = [(level, idx) for level, idx in nodes if level > 0]
        if leaves:
            rows += session.execute(
                select(literal(0), col(LedgerEntry.idx), col(LedgerEntry.leaf_hash)).where(
                    col(LedgerEntry.idx).in_(leaves)
                )
            ).all()
        if upper:
            rows += session.execute(
                select(col(LedgerNode.level), col(LedgerNode.idx), col(LedgerNode.hash)).where(
                    tuple_(col(LedgerNode.level), col(LedgerNode.idx)).in_(upper)
                )
            ).all()
        return rows

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
    """Inclusion proof of entry `index` in the log of `size` entries.

    One query: the proof's nodes plus the entry itself and the tree's last entry, whose
    presence shows the log has reached `size` (no separate size lookup on the hot path).
    """
    fetch = node_fetcher(session)
    extra: list[NodeId] = [(0, index), (0, size - 1)] if 0 <= index < size else []

    def with_bounds(nodes: Sequence[NodeId]) -> Mapping[NodeId, bytes]:
        got = fetch([*nodes, *extra])
        if any(node not in got for node in extra):
            raise ProofError(f"tree size {size} is larger than the log")
        return got

    return merkle.inclusion_proof(index, size, with_bounds)


def consistency_proof_at(*, session: Session, first: int, second: int) -> list[bytes]:
    """Consistency proof between the log at `first` and at `second` entries."""
    _check_size(session, second)
    return merkle.consistency_proof(first, second, node_fetcher(session))
