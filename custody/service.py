"""Read-side custody services used by the router, the CLI and exports."""

from __future__ import annotations

from sqlmodel import Session, col, select

from custody import tree
from custody.checkpoint import log_verifiers
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
