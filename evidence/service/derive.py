"""Reads and writes by processing jobs: materialise an item for a tool, register outputs.

Jobs act as the system (no person), on items already in the vault; each read and each
new derivative is still a custody event, committed with the change it describes.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

import custody
from custody import Actor
from custody.events import utc_now
from evidence import hooks
from evidence.errors import IntegrityMismatch, InvalidInput
from evidence.models import Blob, Item, ItemKind
from evidence.policy import Perm, Principal
from evidence.service.access import load_item, require
from evidence.service.items import _blob_for, receive
from evidence.storage import ObjectStore
from evidence.storage.base import CHUNK

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
    folder = Path(tempfile.mkdtemp(prefix="dalel-job-"))
    path = folder / f"input{suffix}"
    try:
        digest = hashlib.sha256()
        with open(path, "wb") as handle:
            for chunk in store.get(blob.storage_key):
                digest.update(chunk)
                handle.write(chunk)
        if digest.hexdigest() != blob.sha256:
            raise IntegrityMismatch(
                "the stored object of item %(item)s no longer matches its hash", item=item.id
            )
        yield item, blob, path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
    parent, case = load_item(session, parent_id)
    if not {"tool", "version"} <= derivation.keys():
        raise InvalidInput("a derivation names at least its tool and version")
    parent_sha, case_id, case_number = parent.sha256, case.id, case.number
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
        blob = _blob_for(session, incoming)
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
    custody.record(
        session=session,
        action=custody.Action.ITEM_DERIVED,
        actor=actor,
        case_id=case_id,
        case_number=case_number,
        item_id=item.id,
        sha256=blob.sha256,
        details={"kind": derivative_kind, "item_kind": str(kind), "size": blob.size, **full},
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
        hooks.item_added(item.id, str(kind))
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
