"""Ledger entries and their inclusion proofs, by need-to-know.

The tree's hashes are public (tlog-tiles); an entry's leaf bytes say who did what to
which evidence, so `GET /ledger/entries/{i}` and `/ledger/proof/inclusion` pass the
one custody view's decision (`custody_view.may_read_entry`): the item's or case's own
rule, system events for auditors and administrators, the defence's events for that
lawyer and auditors only. A refusal is recorded on the entry's own chain.
"""

from __future__ import annotations

import json

from sqlmodel import Session, select

from custody.models import LedgerEntry
from custody.tree import inclusion_proof_at
from evidence.errors import NotFound
from evidence.policy import Perm, Principal
from evidence.service.access import deny
from evidence.service.custody_view import DEFENCE, may_read_entry


def _load(session: Session, index: int) -> LedgerEntry:
    entry = session.exec(select(LedgerEntry).where(LedgerEntry.idx == index)).first()
    if entry is None:
        raise NotFound("no ledger entry %(index)d", index=index)
    return entry


def _permission(entry: LedgerEntry) -> Perm:
    """The permission a refusal names: the rule of the entry's chain (or the defence's)."""
    actor = json.loads(entry.leaf).get("actor") or {}
    if isinstance(actor, dict) and actor.get("role") == DEFENCE:
        return Perm.DEFENCE_ACTIVITY
    if entry.subject.startswith("item:"):
        return Perm.ITEM_CUSTODY
    if entry.subject.startswith("case:"):
        return Perm.CASE_CUSTODY
    return Perm.LEDGER_SYSTEM


def readable_entry(
    *, session: Session, principal: Principal, index: int, client: str | None = None
) -> LedgerEntry:
    """Entry `index` if `principal` may read it in clear; else a recorded AccessDenied."""
    entry = _load(session, index)
    if not may_read_entry(session=session, principal=principal, entry=entry):
        raise deny(
            session, principal=principal, perm=_permission(entry), client=client,
            case_id=entry.case_id, item_id=entry.item_id,
        )  # fmt: skip
    return entry


def entry_leaf(
    *, session: Session, principal: Principal, index: int, client: str | None = None
) -> bytes:
    """The leaf bytes of entry `index`, exactly as hashed (need-to-know)."""
    return bytes(
        readable_entry(session=session, principal=principal, index=index, client=client).leaf
    )


def entry_inclusion_proof(
    *,
    session: Session,
    principal: Principal,
    index: int,
    tree_size: int,
    client: str | None = None,
) -> list[bytes]:
    """RFC 9162 inclusion proof of entry `index` in the tree of `tree_size` entries, for
    whoever may read that entry (ProofError when the sizes do not fit)."""
    readable_entry(session=session, principal=principal, index=index, client=client)
    return inclusion_proof_at(session=session, index=index, size=tree_size)
