"""The purge job: deletes approved items' bytes and records `item.purged`, crash-safely.

Per item, three steps, each committed before the next starts:

1. mark the item as being purged (`purging_at`): from now on no one may read it, and
   the approvals are already in the ledger (`purge.approved` names the item);
2. delete every version of its object, unless other items still use the same bytes;
3. record `item.purged` with the approvals and keep the rows as a tombstone; what
   people wrote about the content (notes, clip titles, tags only it carried) goes too.

A crash after step 1 leaves the object (and no `item.purged`); after step 2, no object
and the step-1 marker; running the job again finishes the item, once. If the store
still retains the object (its lock is later than the database's date, or a hold flag
is on that the database does not know), step 1 is undone and the item stays readable.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, exists
from sqlmodel import Session, col, select

import custody
from custody.events import format_time, utc_now
from evidence import hooks
from evidence.errors import Conflict, NotFound
from evidence.models import Blob, Case, Item
from evidence.retention_models import ItemRetention, PurgeItem, PurgeRequest, PurgeState
from evidence.review_models import Clip, ItemTag, Note, Tag
from evidence.service.derive import WORKER
from evidence.service.holds import holds_covering
from evidence.service.item_events import record_item_event
from evidence.service.retention import recompute_item, usernames
from evidence.storage import ObjectLocked, ObjectMissing, ObjectStore

log = logging.getLogger(__name__)


def approvals(session: Session, request: PurgeRequest) -> list[dict[str, Any]]:
    """Who proposed and who approved, with when: what `item.purged` records."""
    names = usernames(session, [request.proposed_by, request.decided_by])
    people = [("proposed", request.proposed_by, request.proposed_at)]
    if request.decided_by and request.decided_at:
        people.append(("approved", request.decided_by, request.decided_at))
    return [
        {"step": step, "user": uid, "username": names.get(uid, uid), "at": format_time(at)}
        for step, uid, at in people
    ]


def run_purge(*, session: Session, store: ObjectStore, purge_id: str) -> PurgeRequest:
    """Carry out an approved purge request; safe to run again after any failure."""
    request = session.get(PurgeRequest, purge_id)
    if request is None:
        raise NotFound("no such purge request")
    if request.state is PurgeState.DONE:
        return request
    if request.state is not PurgeState.APPROVED:
        raise Conflict("the purge request is %(state)s, not approved", state=str(request.state))
    case = session.get(Case, request.case_id)
    assert case is not None
    who = approvals(session, request)
    pending = session.exec(
        select(PurgeItem.item_id)
        .where(PurgeItem.purge_id == request.id, col(PurgeItem.done_at).is_(None))
        .order_by(col(PurgeItem.item_id))
    ).all()
    waiting = 0
    for item_id in pending:
        if not _purge_one(session, store, request, case, item_id, who):
            waiting += 1
    request = session.get(PurgeRequest, purge_id) or request
    if waiting == 0:
        request.state, request.finished_at, request.error = PurgeState.DONE, utc_now(), None
        session.add(request)
        session.commit()
    return request


def _finish_row(session: Session, purge_id: str, item_id: str, outcome: str) -> None:
    row = session.get(PurgeItem, (purge_id, item_id))
    assert row is not None
    row.outcome, row.done_at = outcome[:300], utc_now()
    session.add(row)


def _purge_one(
    session: Session,
    store: ObjectStore,
    request: PurgeRequest,
    case: Case,
    item_id: str,
    who: list[dict[str, Any]],
) -> bool:
    """One item through the three steps; False when storage still keeps it (retry later)."""
    own = session.get(ItemRetention, item_id, with_for_update=True)
    item = session.get(Item, item_id)
    assert own is not None and item is not None
    if own.purged_at is not None:  # an earlier run got this far
        _finish_row(session, request.id, item_id, "purged")
        session.commit()
        return True
    kept = _still_kept(session, item, own)
    if kept:
        own.purging_at, own.purge_id = None, None
        session.add(own)
        _finish_row(session, request.id, item_id, f"kept: {kept}")
        session.commit()
        return True
    if own.purging_at is None:  # step 1
        own.purging_at, own.purge_id = utc_now(), request.id
        session.add(own)
        session.commit()
    blob = session.get(Blob, item.sha256)
    assert blob is not None
    try:
        bytes_outcome = _delete_bytes(session, store, item, blob)  # step 2
    except ObjectLocked as exc:
        own.purging_at, own.purge_id = None, None
        session.add(own)
        stored = session.get(PurgeRequest, request.id)
        assert stored is not None
        stored.error = f"item {item.id}: {exc}"[:2000]
        session.add(stored)
        session.commit()
        log.warning("purge %s: storage keeps item %s: %s", request.id, item.id, exc)
        return False
    now = utc_now()  # step 3
    own.purged_at = now
    session.add(own)
    _finish_row(session, request.id, item_id, "purged")
    _forget_annotations(session, item.id)
    hooks.item_purged(session, item.id)
    record_item_event(
        session=session,
        action=custody.Action.ITEM_PURGED,
        actor=WORKER,
        item=item,
        case=case,
        details={
            "purge": request.id,
            "reason": request.reason,
            "approvals": who,
            "bytes": bytes_outcome,
            "size": blob.size,
            "retain_until": format_time(own.retain_until) if own.retain_until else None,
        },
    )
    session.commit()
    return True


def _forget_annotations(session: Session, item_id: str) -> None:
    """Notes and clips on the item, and the tags no other item carries: free text about
    the content ("the woman at 01:23 is Aigerim S.") is personal data like the content.
    Their events stay in the ledger, which is never rewritten: those of notes and clips
    never held their text; a tag's event names the tag (need-to-know custody, never
    public)."""
    tag_ids = session.exec(select(ItemTag.tag_id).where(ItemTag.item_id == item_id)).all()
    for model in (Note, Clip, ItemTag):
        session.execute(delete(model).where(col(model.item_id) == item_id))
    if tag_ids:
        others = select(ItemTag.id).where(col(ItemTag.tag_id) == col(Tag.id))
        session.execute(delete(Tag).where(col(Tag.id).in_(tag_ids), ~exists(others)))


def _still_kept(session: Session, item: Item, own: ItemRetention) -> str | None:
    """Why an approved item must not go after all (a hold placed since, a later date)."""
    if holds_covering(session, case_id=item.case_id, item_id=item.id):
        return "under a legal hold"
    until = recompute_item(session, own, item)
    if until is None:
        return "kept indefinitely"
    if until > utc_now():
        return f"retained until {until.isoformat()}"
    return None


def _delete_bytes(session: Session, store: ObjectStore, item: Item, blob: Blob) -> str:
    """Delete the object unless other unpurged items use the same bytes. The database
    transaction ends first: storage round trips must not hold SQLite's write lock."""
    others = session.exec(
        select(Item.id)
        .join(ItemRetention, col(ItemRetention.item_id) == col(Item.id))
        .where(
            Item.sha256 == item.sha256,
            Item.id != item.id,
            col(ItemRetention.purged_at).is_(None),
            col(ItemRetention.purging_at).is_(None),
        )
    ).all()
    session.commit()
    if others:
        return f"kept: the same bytes belong to {len(others)} other item(s)"
    try:
        if store.lock_state(blob.storage_key).legal_hold:
            # No hold in force covers the item (checked above): the flag is stale.
            store.set_legal_hold(blob.storage_key, on=False)
        store.delete(blob.storage_key)
    except ObjectMissing:
        return "already gone"  # an earlier attempt deleted it before it could record
    return "deleted"
