"""Many small files in one registration: one transaction, one `record_many`.

A phone extraction is tens of thousands of files of a few kilobytes; registering each
through `register_item` costs a transaction, a policy check, a ledger append and an
fsync apiece. `register_batch` takes files already staged through `Incoming` (hashed
in the same pass as they were written) and registers them together: the policy once
for the case, one query for the items and blobs already there, the new objects
committed to the store in parallel (the file system groups their fsyncs), the rows
and every custody event in one transaction. All or nothing: a refusal of any file
discards every staged file and keeps no row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from evidence import hooks
from evidence.errors import IntegrityMismatch, InvalidInput
from evidence.models import Blob, Case, Item, ItemKind, new_id
from evidence.policy import Perm, Principal, allowed
from evidence.retention_models import ItemRetention
from evidence.schemas import ItemCreate
from evidence.service.access import case_role
from evidence.service.items import Incoming, authorize_upload, without_provenance
from evidence.service.retention import case_settings, compute_until, current_config
from evidence.storage import blob_key

# Object commits at once: enough for the file system to group the fsyncs of a batch
# into a few journal commits (16 parallel fsyncs cost ~1/8 of serial ones here).
COMMIT_THREADS = 16
_IN_CHUNK = 500  # hashes per IN (...) list: under SQLite's bind-parameter limit
_BLOB: Table = Blob.__table__  # type: ignore[attr-defined]
_ITEM: Table = Item.__table__  # type: ignore[attr-defined]
_RETENTION: Table = ItemRetention.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)
class StagedFile:
    """One file of a batch, its bytes staged (not yet visible) in the object store."""

    incoming: Incoming
    filename: str
    metadata: ItemCreate
    expected_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class BatchFile:
    """One file's answer: its path and the item's fields as the caller may see them
    (`ItemPublic`'s fields: an item of someone else's without its provenance)."""

    path: str
    fields: dict[str, Any]
    duplicate: bool


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Each file's answer, in the order given, and how many became new items."""

    files: list[BatchFile]
    created: int
    duplicates: int


def abort_all(files: Iterable[StagedFile]) -> None:
    """Discard every staged file (a no-op for those already committed)."""
    for staged in files:
        staged.incoming.abort()


def _check(files: Sequence[StagedFile]) -> None:
    for staged in files:
        incoming = staged.incoming
        if incoming.size == 0:
            raise InvalidInput("the file %(name)s is empty", name=staged.filename)
        if staged.expected_sha256 and staged.expected_sha256 != incoming.sha256:
            raise IntegrityMismatch(
                "received bytes hash to %(sha256)s, not the expected %(expected)s",
                sha256=incoming.sha256,
                expected=staged.expected_sha256,
            )


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _IN_CHUNK):
        yield values[start : start + _IN_CHUNK]


def _existing(session: Session, case_id: str, hashes: Sequence[str]) -> tuple[
    dict[str, Item], dict[str, Blob]
]:  # fmt: skip
    """The case's original items and the stored blobs with these hashes (two queries
    per few hundred files, not two per file)."""
    items: dict[str, Item] = {}
    blobs: dict[str, Blob] = {}
    for chunk in _chunks(hashes):
        for item in session.exec(
            select(Item)
            .where(Item.case_id == case_id, Item.kind == ItemKind.ORIGINAL)
            .where(col(Item.sha256).in_(chunk))
            .order_by(col(Item.created_at))
        ):
            items.setdefault(item.sha256, item)
        for blob in session.exec(select(Blob).where(col(Blob.sha256).in_(chunk))):
            blobs[blob.sha256] = blob
    return items, blobs


def _commit_objects(staged: Sequence[Incoming]) -> None:
    """Make the new objects visible under their content keys, in parallel."""
    if not staged:
        return
    with ThreadPoolExecutor(max_workers=min(COMMIT_THREADS, len(staged))) as pool:
        list(pool.map(lambda incoming: incoming.commit(), staged))


def register_batch(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    files: Sequence[StagedFile],
    client: str | None = None,
) -> BatchResult:
    """Register staged files as original items of one case, atomically.

    The upload permission is checked once for the case. A file whose bytes are already
    an original of the case (or an earlier file of the same batch) is a duplicate: its
    repeat upload is recorded on the existing item, as `register_item` does. Objects are
    committed to the store before the database; should the commit fail, they stay
    unreferenced (fsck lists them) and no item is visible. Any refusal discards every
    staged file and changes nothing.
    """
    stored: set[str] = set()
    try:
        case = authorize_upload(
            session=session, principal=principal, case_id=case_id, client=client
        )
        if not files:
            raise InvalidInput("the batch holds no file")
        _check(files)
        return _register(session, principal, case, files, client, stored)
    except IntegrityError:
        # Another upload of the same bytes won the race for a blob row: once more, now
        # that its row is there (our objects are committed; same content, same key).
        session.rollback()
        try:
            return _register(session, principal, case, files, client, stored)
        except Exception:
            session.rollback()
            abort_all(files)
            raise
    except Exception:
        session.rollback()
        abort_all(files)
        raise


def _register(
    session: Session,
    principal: Principal,
    case: Case,
    files: Sequence[StagedFile],
    client: str | None,
    stored: set[str],
) -> BatchResult:
    """One attempt; `stored` holds the hashes whose objects this batch committed (kept
    across a retry: those objects are in the store whatever the database says).

    New rows go in as Core multi-row inserts: building and flushing an ORM object per
    row cost more than everything else a file needs. (A JSON column left out of the
    rows is SQL NULL, as the ORM writes it: `derivation` is not in them.)"""
    hashes = sorted({staged.incoming.sha256 for staged in files})
    items, blobs = _existing(session, case.id, hashes)
    now = utc_now()
    actor = principal.actor()
    role = case_role(session, case_id=case.id, user_id=principal.user_id)
    to_commit: list[Incoming] = []
    blob_rows: dict[str, dict[str, Any]] = {}
    for staged in files:
        incoming = staged.incoming
        sha256 = incoming.sha256
        if sha256 in blobs or sha256 in blob_rows:
            incoming.abort()  # the same bytes are stored (or about to be): one copy
            continue
        if sha256 not in stored:
            to_commit.append(incoming)
            stored.add(sha256)
        blob_rows[sha256] = {
            "sha256": sha256,
            "size": incoming.size,
            "media_type": incoming.media_type,
            "storage_key": blob_key(sha256),
            "created_at": now,
        }
    _commit_objects(to_commit)
    shown: list[BatchFile] = []
    events: list[custody.NewEvent] = []
    item_rows: dict[str, dict[str, Any]] = {}
    for staged in files:
        sha256 = staged.incoming.sha256
        size, media_type = _blob_facts(blobs, blob_rows, sha256)
        path = staged.metadata.original_path or staged.filename
        existing = items.get(sha256)
        if existing is not None or sha256 in item_rows:
            details: dict[str, object] = {"original_name": staged.filename, "original_path": path}
            if existing is None:  # an earlier file of this batch
                row = item_rows[sha256]
                events.append(_event(custody.Action.ITEM_DUPLICATE_UPLOADED, actor, row["id"],
                                     sha256, case, client, details))  # fmt: skip
                fields = {**row, "derivation": None, "size": size, "media_type": media_type,
                          "duplicate": True}  # fmt: skip
                shown.append(BatchFile(path=path, fields=fields, duplicate=True))
                continue
            own = existing.uploaded_by == principal.user_id
            provenance = allowed(
                principal=principal, perm=Perm.ITEM_PROVENANCE, case_role=role, own_item=own
            )
            events.append(_event(custody.Action.ITEM_DUPLICATE_UPLOADED, actor, existing.id,
                                 sha256, case, client, details))  # fmt: skip
            # Someone else's item is named, not shown (as `register_item` answers).
            fields = existing.model_dump() if provenance else without_provenance(existing)
            if not provenance:
                fields["original_name"] = staged.filename
            fields.update(size=size, media_type=media_type, duplicate=True)
            shown.append(BatchFile(path=path, fields=fields, duplicate=True))
            continue
        row = {
            "id": new_id(),
            "case_id": case.id,
            "sha256": sha256,
            "kind": ItemKind.ORIGINAL,
            "derivative_kind": None,
            "parent_id": None,
            "original_name": staged.filename,
            "uploaded_by": principal.user_id,
            "job_key": None,
            "created_at": now,
            **staged.metadata.model_dump(),
        }
        if principal.device and not row["device"]:
            row["device"] = principal.device
        item_rows[sha256] = row
        created = {"size": size, "original_name": staged.filename, "media_type": media_type}
        events.append(_event(custody.Action.ITEM_CREATED, actor, row["id"], sha256, case,
                             client, created))  # fmt: skip
        fields = {**row, "derivation": None, "size": size, "media_type": media_type,
                  "duplicate": False}  # fmt: skip
        shown.append(BatchFile(path=path, fields=fields, duplicate=False))
    rows = list(item_rows.values())
    if blob_rows:
        session.execute(insert(_BLOB), list(blob_rows.values()))
    if rows:
        session.execute(insert(_ITEM), rows)
        _track(session, case.id, rows)
    custody.record_many(session=session, events=events)
    session.commit()
    hooks.items_added(session, [row["id"] for row in rows], str(ItemKind.ORIGINAL))
    return BatchResult(files=shown, created=len(rows), duplicates=len(files) - len(rows))


def _blob_facts(
    blobs: dict[str, Blob], rows: dict[str, dict[str, Any]], sha256: str
) -> tuple[int, str]:
    if sha256 in rows:
        return int(rows[sha256]["size"]), str(rows[sha256]["media_type"])
    return blobs[sha256].size, blobs[sha256].media_type


def _event(
    action: custody.Action,
    actor: custody.Actor,
    item_id: str,
    sha256: str,
    case: Case,
    client: str | None,
    details: Mapping[str, object],
) -> custody.NewEvent:
    """The event `record_item_event` would append, for `record_many`."""
    return custody.NewEvent(
        action=action,
        actor=actor,
        case_id=case.id,
        case_number=case.number,
        item_id=item_id,
        sha256=sha256,
        client=client,
        details=dict(details),
    )


def _track(session: Session, case_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """Retention rows of new items (`track_item`, with the table and case read once)."""
    config_id, config = current_config(session)
    case = case_settings(session, case_id)
    session.execute(
        insert(_RETENTION),
        [
            {
                "item_id": row["id"],
                "case_id": case_id,
                "retain_until": compute_until(
                    config,
                    case=case,
                    category=None,
                    kind=ItemKind.ORIGINAL,
                    collected_at=row["collected_at"] or row["created_at"],
                ),
                "config_id": config_id,
            }
            for row in rows
        ],
    )
