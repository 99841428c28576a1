"""`dalel fsck`: the ledger, the item and blob rows and the stored objects, against each other.

One walk of the ledger (custody.audit, with fsck's observers) checks the log itself, that
every event's actor and subject exist (evidence.service.references), and collects each
item's creation event. Then, by item:

- an item's `sha256` must equal its creation event's and name a blob row; a derivative's
  parent and inputs must exist; its chain must begin with its creation;
- each blob's key must be its content address, its object present, and (all of them, or
  a random `sample`; 0 re-hashes none) its bytes must hash to it;
- objects no blob row refers to, staging leftovers and incomplete uploads are listed
  with their age (`dalel fsck --repair`, evidence.service.fsck_repair, removes the stale
  ones).

Objects of purged items are gone by design: they are counted (`purged`), not missing;
bytes still stored for items that are all purged, and purges left half-done by a crash
(`purge-pending`: run `dalel retention purge` again), are findings.

Damage is named once, where it is: a deleted ledger row is one ledger finding, and the
item it belonged to is not reported again for the chain it broke.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from custody.audit import LedgerReport, verify_ledger
from custody.events import utc_now
from evidence.citizen_models import Submission
from evidence.models import Blob, Item, ItemKind
from evidence.retention_models import ItemRetention
from evidence.service.references import References
from evidence.service.resumable import live_staging
from evidence.storage import ObjectMissing, ObjectStore
from evidence.storage.base import Leftover, StoredObject, blob_key

_FIRST_ACTIONS = {"item.created", "item.derived"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem. `kind`: missing-object | altered-object | orphan-object | orphan-row |
    item-hash | derivation | chain | leftover | purge-pending | purged-present."""

    kind: str
    detail: str
    sha256: str | None = None
    items: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f" (items {', '.join(self.items)})" if self.items else ""
        return f"{self.kind}: {self.detail}{where}"


@dataclass(slots=True)
class FsckReport:
    """What fsck found. Orphan objects and leftovers are also kept as they are, for
    `--repair` (which decides by their age)."""

    objects_checked: int = 0
    items_checked: int = 0
    purged: int = 0  # objects deleted after retention, as recorded (not missing)
    findings: list[Finding] = field(default_factory=list)
    ledger: LedgerReport = field(default_factory=LedgerReport)
    orphans: list[StoredObject] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings and self.ledger.ok


class _FirstEvents:
    """Observer: each item's first event (its creation, if the chain is whole)."""

    def __init__(self) -> None:
        self.first: dict[str, tuple[int, str, Any]] = {}

    def __call__(self, idx: int, event: dict[str, Any]) -> Iterator[str]:
        subject = str(event.get("subject", ""))
        if subject.startswith("item:"):
            self.first.setdefault(
                subject.removeprefix("item:"), (idx, str(event.get("action")), event.get("sha256"))
            )
        return iter(())


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "age unknown"
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} old"
    return f"{seconds} s old"


def _hash_object(store: ObjectStore, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in store.get(key):
        digest.update(chunk)
    return digest.hexdigest()


def fsck(
    *,
    session: Session,
    store: ObjectStore,
    sample: int | None = None,
    now: datetime | None = None,
) -> FsckReport:
    """Check the ledger, rows and storage; `sample` re-hashes only that many random
    objects (0: none — presence is still checked, from the store's listing). The parts
    of resumable uploads in progress are not leftovers (their sessions name them)."""
    now = now or utc_now()
    report = FsckReport()
    firsts = _FirstEvents()
    report.ledger = verify_ledger(
        session=session, observers=[References(session, preload=True), firsts]
    )
    blobs = {blob.sha256: blob for blob in session.exec(select(Blob)).all()}
    items_by_blob = _check_items(session, report, blobs, firsts.first)
    stored = {obj.key: obj for obj in store.iter_objects()}
    chosen = list(blobs.values())
    if sample is not None and sample < len(chosen):
        chosen = random.sample(chosen, sample)
    rehash = {blob.sha256 for blob in chosen}
    purged, purging = _purge_states(session)
    # Files from evidence requests wait in quarantine as blobs without an item.
    quarantined = set(session.exec(select(Submission.sha256)).all())
    for blob in blobs.values():
        items = tuple(items_by_blob.get(blob.sha256, ()))
        present = blob.storage_key in stored
        half_done = tuple(i for i in items if i in purging)
        if half_done:
            report.findings.append(
                Finding(
                    "purge-pending",
                    "a purge stopped half-way; run `dalel retention purge` again",
                    blob.sha256,
                    half_done,
                )
            )
        if items and all(i in purged for i in items):
            if present:
                report.findings.append(
                    Finding(
                        "purged-present",
                        f"object {blob.storage_key} of purged items is still stored",
                        blob.sha256,
                        items,
                    )
                )
            else:
                report.purged += 1
            continue
        if half_done and not present:
            continue  # reported above: the purge deleted it and must still record it
        if blob.storage_key != blob_key(blob.sha256):
            report.findings.append(
                Finding("orphan-row", f"blob row points at {blob.storage_key}", blob.sha256, items)
            )
        if not items and blob.sha256 not in quarantined:
            report.findings.append(Finding("orphan-row", "blob row without an item", blob.sha256))
        if not present:
            report.findings.append(
                Finding("missing-object", f"object {blob.storage_key} is gone", blob.sha256, items)
            )
            continue
        if blob.sha256 not in rehash:
            continue
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
    known = {blob.storage_key for blob in blobs.values()}
    for key, obj in stored.items():
        if key not in known:
            report.orphans.append(obj)
            report.findings.append(
                Finding(
                    "orphan-object",
                    f"no blob row refers to {key} ({obj.size} bytes, {_age(obj.modified_at, now)})",
                )
            )
    live = tuple(live_staging(session))
    for left in store.iter_leftovers():
        if live and left.name.startswith(live):
            continue  # an upload in progress: its session names these parts
        report.leftovers.append(left)
        report.findings.append(
            Finding(
                "leftover",
                f"{left.describe()} ({left.size} bytes, {_age(left.started_at, now)})",
            )
        )
    return report


def _purge_states(session: Session) -> tuple[set[str], set[str]]:
    """Items purged, and items whose purge began but was not recorded."""
    rows = session.exec(
        select(ItemRetention.item_id, ItemRetention.purged_at, ItemRetention.purging_at).where(
            col(ItemRetention.purging_at).is_not(None)
        )
    ).all()
    done = {item for item, finished, _ in rows if finished is not None}
    return done, {item for item, finished, _ in rows if finished is None}


def _check_items(
    session: Session,
    report: FsckReport,
    blobs: dict[str, Blob],
    firsts: dict[str, tuple[int, str, Any]],
) -> dict[str, list[str]]:
    """Each item against its creation event, its blob and its inputs; returns item ids
    by blob."""
    damaged = report.ledger.gap_items  # already one ledger finding each
    # Five plain columns: sqlmodel's typed select stops at four.
    rows = session.execute(
        sa_select(
            col(Item.id),
            col(Item.sha256),
            col(Item.kind),
            col(Item.parent_id),
            col(Item.derivation),
        )
    ).all()
    ids = {row[0] for row in rows}
    by_blob: dict[str, list[str]] = {}
    for item_id, sha, kind, parent_id, derivation in rows:
        report.items_checked += 1
        by_blob.setdefault(sha, []).append(item_id)
        if sha not in blobs:
            report.findings.append(
                Finding("item-hash", f"its sha256 {sha} names no blob row", sha, (item_id,))
            )
        first = firsts.get(item_id)
        if item_id in damaged:
            pass
        elif first is None:
            report.findings.append(Finding("chain", "item has no custody events", items=(item_id,)))
        elif first[1] not in _FIRST_ACTIONS:
            report.findings.append(
                Finding("chain", f"custody chain begins with {first[1]}", items=(item_id,))
            )
        elif first[2] != sha:
            report.findings.append(
                Finding(
                    "item-hash",
                    f"its sha256 {sha} differs from its {first[1]} event (entry {first[0]}: "
                    f"{first[2]}): the item row was changed after it was recorded",
                    sha,
                    (item_id,),
                )
            )
        if kind is not ItemKind.ORIGINAL:
            report.findings.extend(_derivation(item_id, parent_id, derivation, ids, blobs))
    return by_blob


def _derivation(
    item_id: str,
    parent_id: str | None,
    derivation: dict[str, Any] | None,
    ids: set[str],
    blobs: dict[str, Blob],
) -> Iterator[Finding]:
    if parent_id is None or parent_id not in ids:
        yield Finding("derivation", f"its parent item {parent_id} does not exist", items=(item_id,))
    inputs = (derivation or {}).get("inputs") or []
    for sha in inputs if isinstance(inputs, list) else [inputs]:
        if isinstance(sha, str) and sha not in blobs:
            yield Finding(
                "derivation", f"its input {sha} is not stored (no blob row)", sha, (item_id,)
            )
