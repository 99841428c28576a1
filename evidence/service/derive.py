"""Reads and writes by processing jobs: materialise an item for a tool, register outputs.

Jobs act as the system (no person), on items already in the vault; each read and each
new derivative is still a custody event, committed with the change it describes.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import custody
from custody import Actor
from custody.events import utc_now
from evidence import hooks, scratch
from evidence.errors import IntegrityMismatch, InvalidInput
from evidence.models import Blob, Item, ItemKind
from evidence.policy import Perm, Principal
from evidence.service.access import load_item, require
from evidence.service.item_events import record_item_event
from evidence.service.items import blob_for, receive
from evidence.service.retention import ensure_readable, track_item
from evidence.storage import ObjectStore
from evidence.storage.base import CHUNK
from evidence.validation import check_filename, check_relative_path

WORKER = Actor(id="worker", name="dalel-worker", role="system")


@contextmanager
def materialize(
    *,
    session: Session,
    store: ObjectStore,
    item_id: str,
    purpose: str,
    actor: Actor = WORKER,
    suffix: str = "",
) -> Iterator[tuple[Item, Blob, Path]]:
    """Copy an item's bytes into a private temporary file for a tool that needs a path.

    The read is recorded first; the copy is re-hashed, so a tampered object is refused
    instead of processed.
    """
    item, case = load_item(session, item_id)
    ensure_readable(session, item)
    blob = session.get(Blob, item.sha256)
    assert blob is not None
    custody.record(
        session=session,
        action=custody.Action.ITEM_CONTENT_READ,
        actor=actor,
        case_id=case.id,
        item_id=item.id,
        sha256=item.sha256,
        details={"purpose": purpose},
    )
    session.commit()
    folder = scratch.mkdtemp(prefix="dalel-job-")
    path = folder / f"input{suffix}"
    try:
        if not copy_object(store=store, blob=blob, path=path):
            raise IntegrityMismatch(
                "the stored object of item %(item)s no longer matches its hash", item=item.id
            )
        yield item, blob, path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def copy_object(*, store: ObjectStore, blob: Blob, path: Path) -> bool:
    """Copy a stored object into `path`, hashing it on the way; False when the copy does
    not hash to the blob's SHA-256 (the object was altered: the caller refuses it)."""
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        for chunk in store.get(blob.storage_key):
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest() == blob.sha256


def register_derivative(
    *,
    session: Session,
    store: ObjectStore,
    parent_id: str,
    source: Path | bytes,
    name: str,
    derivative_kind: str,
    derivation: dict[str, Any],
    job_key: str | None = None,
    kind: ItemKind = ItemKind.DERIVATIVE,
    original_path: str | None = None,
    inputs: list[str] | None = None,
    actor: Actor = WORKER,
) -> Item:
    """Store a tool's output as a new item linked to its parent, with its derivation.

    `derivation` names the tool, version and parameters; `inputs` lists the SHA-256 of
    every input (default: the parent's). With `job_key`, a repeated run returns the item
    the first run made, so a retried job never makes a second derivative.
    """
    if job_key:
        existing = session.exec(select(Item).where(Item.job_key == job_key)).first()
        if existing is not None:
            return existing
    # The same name rule as every upload: a child unpacked from an archive or a tool's
    # output never enters under a name that displays as something it is not.
    name = check_filename(name)
    original_path = check_relative_path(original_path)
    parent, case = load_item(session, parent_id)
    ensure_readable(session, parent)
    if not {"tool", "version"} <= derivation.keys():
        raise InvalidInput("a derivation names at least its tool and version")
    parent_sha, case_id = parent.sha256, case.id
    # End the read transaction before copying bytes: on SQLite it holds the write lock,
    # and a multi-gigabyte proxy must not keep every other writer waiting.
    session.commit()
    incoming = receive(store=store, limit=1 << 62)
    try:
        if isinstance(source, bytes):
            incoming.write(source)
        else:
            with open(source, "rb") as handle:
                while block := handle.read(CHUNK):
                    incoming.write(block)
        blob = blob_for(session, incoming)
    except Exception:
        incoming.abort()
        raise
    full = {**derivation, "inputs": inputs or [parent_sha], "parent": parent_id}
    item = Item(
        case_id=case_id,
        sha256=blob.sha256,
        kind=kind,
        derivative_kind=derivative_kind,
        parent_id=parent.id,
        derivation=full,
        source_kind=parent.source_kind,
        device=parent.device,
        captured_at=parent.captured_at,
        collected_at=parent.collected_at,
        collected_by=parent.collected_by,
        location=parent.location,
        original_name=name,
        original_path=original_path,
        uploaded_by=parent.uploaded_by,
        job_key=job_key,
        created_at=utc_now(),
    )
    session.add(item)
    session.flush()
    track_item(session, item)
    record_item_event(
        session=session,
        action=custody.Action.ITEM_DERIVED,
        actor=actor,
        item=item,
        case=case,
        # Inputs are named by item id, never by content hash: the event travels in
        # disclosure bundles, where a withheld input's plain hash would let a recipient
        # confirm guesses of the unredacted content (an input's own chain holds its hash).
        details={
            "kind": derivative_kind,
            "item_kind": str(kind),
            "size": blob.size,
            **full,
            "inputs": [{"item": parent.id}],
        },
    )
    try:
        session.commit()
    except IntegrityError:
        # A concurrent retry of the same job committed first: keep its item.
        session.rollback()
        if job_key:
            existing = session.exec(select(Item).where(Item.job_key == job_key)).first()
            if existing is not None:
                return existing
        raise
    if kind is ItemKind.CHILD:
        hooks.item_added(session, item.id, str(kind))
    return item


def list_derivatives(
    *, session: Session, principal: Principal, item_id: str, client: str | None = None
) -> list[tuple[Item, Blob]]:
    """Items derived from (or unpacked out of) an item."""
    item, case = load_item(session, item_id)
    require(session, principal=principal, perm=Perm.ITEM_READ, case=case, item=item, client=client)
    rows = session.exec(
        select(Item, Blob)
        .join(Blob, Blob.sha256 == Item.sha256)  # type: ignore[arg-type]
        .where(Item.parent_id == item.id)
        .order_by(Item.created_at)  # type: ignore[arg-type]
    ).all()
    return [(child, blob) for child, blob in rows]


def record_view(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    view: str,
    client: str | None = None,
) -> Item:
    """Authorise and record a read of an item's content shown in another form
    (its transcript, its extracted text): data derived from evidence is evidence too."""
    item, case = load_item(session, item_id)
    require(
        session, principal=principal, perm=Perm.ITEM_CONTENT, case=case, item=item, client=client
    )
    ensure_readable(session, item)
    custody.record(
        session=session,
        action=custody.Action.ITEM_CONTENT_READ,
        actor=principal.actor(),
        case_id=case.id,
        item_id=item.id,
        sha256=item.sha256,
        client=client,
        details={"view": view},
    )
    session.commit()
    return item


def record_refusal(
    *,
    session: Session,
    item_id: str,
    stage: str,
    reason: str,
    details: dict[str, Any] | None = None,
    actor: Actor = WORKER,
) -> None:
    """Record in the item's custody chain that processing refused it (an archive over a
    quota or a guard), so the refusal is part of the evidence's history, not only of a
    job's state. Commits."""
    item, case = load_item(session, item_id)
    record_item_event(
        session=session,
        action=custody.Action.ITEM_PROCESSING_REFUSED,
        actor=actor,
        item=item,
        case=case,
        details={"stage": stage, "reason": reason, **(details or {})},
    )
    session.commit()


def children_since(session: Session, *, uploaded_by: str, since: datetime) -> int:
    """Child items (unpacked from archives) of one person's uploads created since then."""
    count = session.exec(
        select(func.count())
        .select_from(Item)
        .where(
            Item.kind == ItemKind.CHILD,
            Item.uploaded_by == uploaded_by,
            col(Item.created_at) >= since,
        )
    ).one()
    return int(count)
