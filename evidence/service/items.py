"""Evidence items: receiving bytes, registering items, reading metadata and content.

This module and its siblings are the only code that opens evidence bytes. Every write
records its custody event in the same transaction; every read records its event (and
commits it) before the first byte is handed out.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import filetype
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

import custody
from custody.events import utc_now
from evidence import hooks
from evidence.errors import IntegrityMismatch, InvalidInput, TooLarge
from evidence.models import Blob, Case, Item, ItemKind
from evidence.policy import Perm, Principal, allowed
from evidence.ranges import ByteRange, RangeNotSatisfiable
from evidence.schemas import ItemCreate
from evidence.service.access import case_role, load_case, load_item, permits, require
from evidence.service.item_events import record_item_event
from evidence.service.releases import record_released
from evidence.service.retention import ensure_readable, track_item
from evidence.storage import ObjectStore, ObjectWriter, blob_key
from evidence.validation import check_filename

_SNIFF_BYTES = 8192


class Incoming:
    """Bytes arriving for one file: hashed and stored in the same pass, never held whole."""

    def __init__(self, writer: ObjectWriter, *, limit: int) -> None:
        self._writer = writer
        self._hash = hashlib.sha256()
        self._head = bytearray()
        self._limit = limit
        self._sha256: str | None = None
        self.size = 0
        self.closed = False

    @classmethod
    def assembled(
        cls, writer: ObjectWriter, *, sha256: str, size: int, head: bytes, limit: int
    ) -> Incoming:
        """Bytes that arrived earlier in parts (a resumable upload): already hashed and
        written by `writer`, which only has to commit them."""
        if size > limit:
            writer.abort()
            raise TooLarge("the file exceeds the upload limit of %(limit)d bytes", limit=limit)
        incoming = cls(writer, limit=limit)
        incoming.size = size
        incoming._head = bytearray(head[:_SNIFF_BYTES])
        incoming._sha256 = sha256
        return incoming

    def write(self, data: bytes) -> None:
        if not data:
            return
        if self._sha256 is not None:
            raise RuntimeError("assembled bytes take no more writes")
        self.size += len(data)
        if self.size > self._limit:
            self.abort()
            raise TooLarge(
                "the file exceeds the upload limit of %(limit)d bytes", limit=self._limit
            )
        if len(self._head) < _SNIFF_BYTES:
            self._head += data[: _SNIFF_BYTES - len(self._head)]
        self._hash.update(data)
        self._writer.write(data)

    @property
    def sha256(self) -> str:
        return self._sha256 or self._hash.hexdigest()

    @property
    def media_type(self) -> str:
        """By content, never by name; text has no magic number, so test its encoding."""
        head = bytes(self._head)
        kind = filetype.guess(head)
        if kind:
            return str(kind.mime)
        return "text/plain" if _looks_like_text(head) else "application/octet-stream"

    def abort(self) -> None:
        if not self.closed:
            self.closed = True
            self._writer.abort()

    def commit(self) -> str:
        key = blob_key(self.sha256)
        self._writer.commit(key)
        self.closed = True
        return key


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1251"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            # The sniffed head may end inside a multi-byte character.
            try:
                text = head[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        return printable >= 0.95 * max(1, len(text))
    return False


def receive(*, store: ObjectStore, limit: int) -> Incoming:
    """Open a staging write for one file; feed it with `write`, then `register_item`."""
    return Incoming(store.begin_put(), limit=limit)


def authorize_upload(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> Case:
    """Check before any byte is accepted, so a refused upload costs nothing."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.ITEM_UPLOAD, case=case, client=client)
    session.commit()  # release the transaction (and SQLite's lock) before bytes stream in
    return case


@dataclass(frozen=True, slots=True)
class Registered:
    item: Item
    blob: Blob
    duplicate: bool
    provenance: bool = True  # the uploader may see the (existing) item's origin
    name: str | None = None  # the name the uploader gave, shown in place of another's


# What an item says about where it came from: kept from whoever lacks `item.provenance`
# (a disclosure's recipient must not learn the original's id, place or collector; an
# officer whose upload matched another officer's item must not learn theirs).
PROVENANCE_FIELDS = (
    "parent_id", "device", "collected_by", "location", "description", "original_path",
    "uploaded_by",
)  # fmt: skip


def sees_provenance(session: Session, principal: Principal, item: Item) -> bool:
    """Whether the policy lets the caller see the item's origin (`item.provenance`)."""
    case = session.get(Case, item.case_id)
    return permits(session, principal=principal, perm=Perm.ITEM_PROVENANCE, case=case, item=item)


def without_provenance(item: Item) -> dict[str, Any]:
    """The item's fields with its origin left out: the derivation keeps its tool and
    version only (no parent, no inputs, no parameters naming them)."""
    shown = item.model_dump()
    shown.update(dict.fromkeys(PROVENANCE_FIELDS))
    if item.derivation is not None:
        shown["derivation"] = {
            k: item.derivation[k] for k in ("tool", "version") if k in item.derivation
        }
    return shown


def blob_for(session: Session, incoming: Incoming) -> Blob:
    """The blob of staged bytes: the stored one when the same bytes exist (the staged copy
    is dropped), else the staged bytes committed to the store and a new row."""
    blob = session.get(Blob, incoming.sha256)
    if blob is not None:
        incoming.abort()  # the same bytes are already stored: keep one copy
        return blob
    key = incoming.commit()
    blob = Blob(
        sha256=incoming.sha256,
        size=incoming.size,
        media_type=incoming.media_type,
        storage_key=key,
        created_at=utc_now(),
    )
    session.add(blob)
    return blob


def register_item(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    incoming: Incoming,
    filename: str,
    metadata: ItemCreate,
    expected_sha256: str | None = None,
    client: str | None = None,
) -> Registered:
    """Turn received bytes into an original item, with its custody event, atomically.

    The object is committed to storage before the database; if the database commit
    fails the object stays unreferenced (fsck lists it) and no item is visible.
    """
    try:
        filename = check_filename(filename)
        case = authorize_upload(
            session=session, principal=principal, case_id=case_id, client=client
        )
        if incoming.size == 0:
            raise InvalidInput("the file is empty")
        if expected_sha256 and expected_sha256 != incoming.sha256:
            raise IntegrityMismatch(
                "received bytes hash to %(sha256)s, not the expected %(expected)s",
                sha256=incoming.sha256,
                expected=expected_sha256,
            )
    except Exception:
        incoming.abort()
        raise
    existing = session.exec(
        select(Item).where(
            Item.case_id == case.id, Item.sha256 == incoming.sha256, Item.kind == ItemKind.ORIGINAL
        )
    ).first()
    if existing is not None:
        incoming.abort()
        record_item_event(
            session=session,
            action=custody.Action.ITEM_DUPLICATE_UPLOADED,
            actor=principal.actor(),
            item=existing,
            case=case,
            client=client,
            details={"original_name": filename},
        )
        session.commit()
        blob = session.get(Blob, existing.sha256)
        assert blob is not None
        # Someone else's item is named, not shown: its description, place, collector
        # and uploader are not the duplicate uploader's to learn.
        provenance = sees_provenance(session, principal, existing)
        session.commit()
        return Registered(
            existing, blob, duplicate=True, provenance=provenance,
            name=None if provenance else filename,
        )  # fmt: skip
    try:
        blob = blob_for(session, incoming)
        item = Item(
            case_id=case.id,
            sha256=blob.sha256,
            kind=ItemKind.ORIGINAL,
            original_name=filename,
            uploaded_by=principal.user_id,
            created_at=utc_now(),
            **metadata.model_dump(),
        )
        if principal.device and not item.device:
            item.device = principal.device
        session.add(item)
        session.flush()
        track_item(session, item)
        record_item_event(
            session=session,
            action=custody.Action.ITEM_CREATED,
            actor=principal.actor(),
            item=item,
            case=case,
            client=client,
            details={"size": blob.size, "original_name": filename, "media_type": blob.media_type},
        )
        session.commit()
    except IntegrityError:
        # Another upload of the same bytes won the race for the blob row; retry once.
        session.rollback()
        return register_item(
            session=session,
            principal=principal,
            case_id=case_id,
            incoming=incoming,
            filename=filename,
            metadata=metadata,
            expected_sha256=expected_sha256,
            client=client,
        )
    except Exception:
        session.rollback()
        incoming.abort()
        raise
    hooks.item_added(session, item.id, str(item.kind))
    return Registered(item, blob, duplicate=False)


def get_item(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    client: str | None = None,
    record: bool = True,
) -> tuple[Item, Blob]:
    """An item's metadata; the view is recorded in custody."""
    item, case = load_item(session, item_id)
    require(session, principal=principal, perm=Perm.ITEM_READ, case=case, item=item, client=client)
    blob = session.get(Blob, item.sha256)
    assert blob is not None
    if record:
        custody.record(
            session=session,
            action=custody.Action.ITEM_METADATA_READ,
            actor=principal.actor(),
            case_id=case.id,
            item_id=item.id,
            sha256=item.sha256,
            client=client,
        )
        session.commit()
    return item, blob


def list_items(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    sha256: str | None = None,
    client: str | None = None,
) -> list[tuple[Item, Blob]]:
    """Items of a case the caller may see (officers: their own uploads)."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_READ, case=case, client=client)
    query = (
        select(Item, Blob)
        .join(Blob, Blob.sha256 == Item.sha256)  # type: ignore[arg-type]
        .where(Item.case_id == case.id)
        .order_by(Item.created_at)  # type: ignore[arg-type]
    )
    if sha256:
        query = query.where(Item.sha256 == sha256)
    role = case_role(session, case_id=case.id, user_id=principal.user_id)
    rows = session.exec(query).all()
    return [
        (item, blob)
        for item, blob in rows
        if allowed(
            principal=principal,
            perm=Perm.ITEM_READ,
            case_role=role,
            own_item=item.uploaded_by == principal.user_id,
        )
    ]


@dataclass(frozen=True, slots=True)
class Content:
    item: Item
    blob: Blob
    start: int
    length: int
    chunks: Iterator[bytes]


def open_content(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    item_id: str,
    start: int = 0,
    end: int | None = None,
    download: bool = False,
    client: str | None = None,
    context: dict[str, Any] | None = None,
    byte_range: ByteRange | None = None,
) -> Content:
    """Open an item's bytes (optionally a range); the read is recorded before any byte.

    A `byte_range` (from a Range header) overrides `start`/`end` once it is fitted to
    the file's size (`RangeNotSatisfiable` when nothing of the file is in it).
    `context` adds details to the recorded event (e.g. the disclosure it was read under).
    """
    item, case = load_item(session, item_id)
    require(
        session, principal=principal, perm=Perm.ITEM_CONTENT, case=case, item=item, client=client
    )
    ensure_readable(session, item)
    blob = session.get(Blob, item.sha256)
    assert blob is not None
    if byte_range is not None:
        start, end = byte_range.resolve(blob.size)
    last = blob.size - 1 if end is None else min(end, blob.size - 1)
    if start < 0 or (blob.size and start > last):
        raise RangeNotSatisfiable("the requested range is outside the file", size=blob.size)
    length = max(0, last - start + 1)
    details = dict(context or {})
    if (start, last) != (0, blob.size - 1):
        details["range"] = [start, last]
    # Storage answers first (its first chunk is in hand): a read it cannot serve (503) is
    # never recorded as one that happened. No byte is served before the record commits.
    chunks = store.get(blob.storage_key, start=start, length=length) if length else iter(())
    try:
        first = next(chunks, b"")
    except Exception:
        session.rollback()
        raise
    custody.record(
        session=session,
        action=custody.Action.ITEM_DOWNLOADED if download else custody.Action.ITEM_CONTENT_READ,
        actor=principal.actor(),
        case_id=case.id,
        item_id=item.id,
        sha256=item.sha256,
        client=client,
        details=details or None,
    )
    if hooks.is_disclosed(session, principal.user_id, item.id):
        # Bytes delivered to a disclosure's recipient have left the building: from now on
        # a public verification of them answers "released", with the proof.
        scope = f"disclosure:{details['disclosure']}" if "disclosure" in details else None
        record_released(
            session=session, items=[item], kind="disclosure",
            scope=scope or f"recipient:{principal.user_id}",
        )  # fmt: skip
    session.commit()
    rest = itertools.chain([first], chunks) if first else chunks
    return Content(item=item, blob=blob, start=start, length=length, chunks=rest)
