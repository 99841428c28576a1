"""Applying retention to the object store: every committed object is locked (S3 object
lock, COMPLIANCE) until the latest retain-until date of the items that use its bytes, and
carries the legal-hold flag while any of them is held.

An object whose items have no date yet (indefinite, or a clock not started) keeps the
bucket's default retention from its upload; with `horizon_days` > 0 it is also locked for
a rolling horizon that each run extends once half of it has passed (stronger against a
storage administrator, at the cost of delaying a later purge by up to one horizon: a
lock never shortens).
`object_lock` remembers what the store was told, so a run after a change touches only
the objects whose lock must move. Dates only ever move later in storage.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from custody.events import utc_now
from evidence.models import Blob, Item
from evidence.retention_models import ItemRetention, LegalHold, ObjectLock
from evidence.storage import ObjectMissing, ObjectStore

HORIZON_DAYS = 0  # the default of DALEL_RETENTION_HORIZON_DAYS: no rolling lock


@dataclass(frozen=True, slots=True)
class Wanted:
    sha256: str
    key: str
    until: datetime | None  # the latest known date (None: only the horizon applies)
    open_ended: bool  # some item has no date: lock for the horizon too
    hold: bool


@dataclass(slots=True)
class SyncReport:
    objects: int = 0  # objects considered
    extended: int = 0  # retention moved later
    holds_changed: int = 0
    missing: list[str] = field(default_factory=list)


def wanted_locks(
    session: Session, *, case_id: str | None = None, sha256s: list[str] | None = None
) -> list[Wanted]:
    """What each object of a case (or the given blobs, or all) should be locked to.

    Items of other cases that share the bytes count too: a hold there must not be lifted
    here, nor a later date shortened.
    """
    blobs = sa_select(col(Item.sha256)).distinct()
    if case_id is not None:
        blobs = blobs.where(col(Item.case_id) == case_id)
    if sha256s is not None:
        blobs = blobs.where(col(Item.sha256).in_(sha256s))
    rows = session.execute(
        sa_select(
            col(Item.sha256),
            col(Item.id),
            col(Item.case_id),
            col(ItemRetention.retain_until),
            col(Blob.storage_key),
        )
        .join(ItemRetention, col(ItemRetention.item_id) == col(Item.id))
        .join(Blob, col(Blob.sha256) == col(Item.sha256))
        .where(
            col(Item.sha256).in_(blobs),
            col(ItemRetention.purged_at).is_(None),
            col(ItemRetention.purging_at).is_(None),
        )
    ).all()
    holds = session.exec(
        select(LegalHold.case_id, LegalHold.item_id).where(col(LegalHold.released_at).is_(None))
    ).all()
    held_cases = {case for case, item in holds if item is None}
    held_items = {item for _, item in holds if item is not None}
    merged: dict[str, Wanted] = {}
    for sha, item_id, item_case, until, key in rows:
        hold = item_case in held_cases or item_id in held_items
        was = merged.get(sha)
        if was is None:
            merged[sha] = Wanted(sha, key, until, until is None, hold)
            continue
        latest = max((d for d in (was.until, until) if d is not None), default=None)
        merged[sha] = Wanted(sha, key, latest, was.open_ended or until is None, was.hold or hold)
    return list(merged.values())


def _target(want: Wanted, known: datetime | None, now: datetime, horizon: int) -> datetime | None:
    """The date to send to the store, or None when what it has is enough."""
    target = want.until
    if want.open_ended and horizon > 0:
        rolling = now + timedelta(days=horizon)
        if known is None or known < now + timedelta(days=horizon / 2):
            target = max(target or rolling, rolling)
    if target is None or target <= now or (known is not None and known >= target):
        return None
    return target


def sync_objects(
    *,
    session: Session,
    store: ObjectStore,
    case_id: str | None = None,
    sha256s: list[str] | None = None,
    horizon_days: int = HORIZON_DAYS,
    workers: int = 8,
    now: datetime | None = None,
) -> SyncReport:
    """Bring the store's locks up to date for a case's objects (or the given, or all).

    Store calls run `workers` at a time (they are network round trips on S3); the
    remembered state is committed in one go at the end.
    """
    now = now or utc_now()
    wanted = wanted_locks(session, case_id=case_id, sha256s=sha256s)
    known = {
        row.sha256: row
        for row in session.exec(
            select(ObjectLock).where(col(ObjectLock.sha256).in_([w.sha256 for w in wanted]))
        )
    }
    report = SyncReport(objects=len(wanted))
    jobs: list[Callable[[], tuple[str, datetime | None, bool | None]]] = []
    for want in wanted:
        row = known.get(want.sha256)
        target = _target(want, row.retain_until if row else None, now, horizon_days)
        hold = want.hold if row is None or row.legal_hold != want.hold else None
        if row is None and not want.hold:
            hold = None  # a new object carries no hold: nothing to lift
        if target is None and hold is None:
            continue
        jobs.append(_push(store, want, target, hold, row.retain_until if row else None))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda job: job(), jobs))
    for sha, until, hold in results:
        if until is None and hold is None:
            report.missing.append(sha)
            continue
        row = known.get(sha) or ObjectLock(sha256=sha, legal_hold=False, synced_at=now)
        if until is not None and (row.retain_until is None or until > row.retain_until):
            row.retain_until = until
            report.extended += 1
        if hold is not None and hold != row.legal_hold:
            row.legal_hold = hold
            report.holds_changed += 1
        row.synced_at = now
        session.add(row)
    session.commit()
    return report


def _push(
    store: ObjectStore,
    want: Wanted,
    target: datetime | None,
    hold: bool | None,
    known: datetime | None,
) -> Callable[[], tuple[str, datetime | None, bool | None]]:
    def run() -> tuple[str, datetime | None, bool | None]:
        try:
            until = (
                store.set_retention(want.key, until=target, known=known)
                if target is not None
                else None
            )
            if hold is not None:
                store.set_legal_hold(want.key, on=hold)
        except ObjectMissing:
            return want.sha256, None, None  # fsck reports it
        return want.sha256, until, hold

    return run
