"""Read-side ledger services used by the router and exports (what a person may see of
it is decided by `evidence.service.custody_view`)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from custody import tree
from custody.checkpoint import log_verifiers
from custody.errors import CustodyNotFound
from custody.models import LedgerEntry


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


def consistency_proof(*, session: Session, first: int, second: int) -> list[bytes]:
    """Consistency proof from `first` to `second` entries."""
    return tree.consistency_proof_at(session=session, first=first, second=second)


def verifier_keys_text(*, session: Session) -> str:
    """Every log verifier key, one per line; CustodyNotFound before the first checkpoint."""
    verifiers = log_verifiers(session=session)
    if not verifiers:
        raise CustodyNotFound("the log has not signed anything yet")
    return "".join(f"{v}\n" for v in verifiers)
