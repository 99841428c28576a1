"""`dalel fsck`: stored objects against blob rows, items against their custody chains.

Re-hashes every object (or a random sample), and reports, by item: missing objects,
altered objects, objects no row refers to, rows without objects, and items whose chain
does not begin with their creation. The ledger itself is checked by custody.audit.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from custody.models import LedgerEntry
from evidence.models import Blob, Item
from evidence.storage import ObjectMissing, ObjectStore
from evidence.storage.base import blob_key

_FIRST_ACTIONS = {"item.created", "item.derived"}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # missing-object | altered-object | orphan-object | orphan-row | chain
    detail: str
    sha256: str | None = None
    items: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f" (items {', '.join(self.items)})" if self.items else ""
        return f"{self.kind}: {self.detail}{where}"


@dataclass(slots=True)
class FsckReport:
    objects_checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _hash_object(store: ObjectStore, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in store.get(key):
        digest.update(chunk)
    return digest.hexdigest()


def fsck(*, session: Session, store: ObjectStore, sample: int | None = None) -> FsckReport:
    """Check storage and items; `sample` re-hashes only that many random blobs."""
    report = FsckReport()
    items_by_blob: dict[str, list[str]] = {}
    for item_id, sha in session.exec(select(Item.id, Item.sha256)).all():
        items_by_blob.setdefault(sha, []).append(item_id)
    blobs = list(session.exec(select(Blob)).all())
    chosen = random.sample(blobs, sample) if sample is not None and sample < len(blobs) else blobs
    for blob in chosen:
        items = tuple(items_by_blob.get(blob.sha256, ()))
        try:
            actual = _hash_object(store, blob.storage_key)
        except ObjectMissing:
            report.findings.append(
                Finding("missing-object", f"object {blob.storage_key} is gone", blob.sha256, items)
            )
            continue
        report.objects_checked += 1
        if actual != blob.sha256:
            report.findings.append(
                Finding("altered-object", f"object now hashes to {actual}", blob.sha256, items)
            )
    known = {blob.storage_key for blob in blobs}
    for key in store.iter_keys():
        if key not in known:
            report.findings.append(Finding("orphan-object", f"no blob row refers to {key}"))
    for blob in blobs:
        if blob.storage_key != blob_key(blob.sha256):
            report.findings.append(
                Finding("orphan-row", f"blob row points at {blob.storage_key}", blob.sha256)
            )
        if blob.sha256 not in items_by_blob:
            report.findings.append(Finding("orphan-row", "blob row without an item", blob.sha256))
    report.findings.extend(_chain_findings(session))
    return report


def _chain_findings(session: Session) -> list[Finding]:
    """Every item's first custody event must be its creation or derivation."""
    first_idx = (
        select(LedgerEntry.item_id, func.min(LedgerEntry.idx).label("first"))
        .where(col(LedgerEntry.item_id).is_not(None))
        .group_by(LedgerEntry.item_id)
        .subquery()
    )
    first_actions = dict(
        session.exec(
            select(LedgerEntry.item_id, LedgerEntry.action).join(
                first_idx,
                and_(
                    col(LedgerEntry.item_id) == first_idx.c.item_id,
                    col(LedgerEntry.idx) == first_idx.c.first,
                ),
            )
        ).all()
    )
    findings = []
    for item_id in session.exec(select(Item.id)).all():
        action = first_actions.get(item_id)
        if action is None:
            findings.append(Finding("chain", "item has no custody events", items=(item_id,)))
        elif action not in _FIRST_ACTIONS:
            findings.append(
                Finding("chain", f"custody chain begins with {action}", items=(item_id,))
            )
    return findings
