"""Resumable uploads: create a session, send chunks at offsets, finalise with a SHA-256.

Chunks wait in a spool folder (shared by the API processes of one host) until the
final call streams them into the object store through `Incoming`, hashing in that
same pass; a hash mismatch keeps nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

import custody
from custody.events import utc_now
from evidence.errors import Conflict, InvalidInput, NotFound, TooLarge
from evidence.models import UploadSession
from evidence.policy import Principal
from evidence.schemas import ItemCreate, UploadCreate
from evidence.service.items import Registered, authorize_upload, receive, register_item
from evidence.storage import ObjectStore
from evidence.storage.base import CHUNK
from evidence.validation import check_filename


def _spool(spool_dir: Path, upload_id: str) -> Path:
    return spool_dir / f"{upload_id}.part"


def create_upload(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    request: UploadCreate,
    spool_dir: Path,
    ttl: timedelta,
    limit: int,
    client: str | None = None,
) -> UploadSession:
    """Open a resumable upload session for one file."""
    case = authorize_upload(session=session, principal=principal, case_id=case_id, client=client)
    check_filename(request.filename)
    if request.size > limit:
        raise TooLarge("the file exceeds the upload limit of %(limit)d bytes", limit=limit)
    now = utc_now()
    upload = UploadSession(
        case_id=case.id,
        user_id=principal.user_id,
        size=request.size,
        expected_sha256=request.sha256,
        item_metadata=request.model_dump(mode="json", exclude={"size", "sha256"}),
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(upload)
    session.commit()
    spool_dir.mkdir(parents=True, exist_ok=True)
    _spool(spool_dir, upload.id).touch()
    return upload


def get_upload(*, session: Session, principal: Principal, upload_id: str) -> UploadSession:
    """An upload session of the caller's own (others' sessions do not exist for them)."""
    upload = session.get(UploadSession, upload_id)
    if upload is None or upload.user_id != principal.user_id or upload.expires_at < utc_now():
        raise NotFound("no such upload session (it may have expired)")
    return upload


def append_chunk(
    *,
    session: Session,
    principal: Principal,
    upload_id: str,
    offset: int,
    chunks: Iterable[bytes],
    spool_dir: Path,
) -> UploadSession:
    """Append bytes at exactly the current offset; out-of-order or overlapping is refused."""
    upload = get_upload(session=session, principal=principal, upload_id=upload_id)
    if offset != upload.received:
        raise Conflict(
            "expected a chunk at offset %(expected)d, not %(offset)d",
            expected=upload.received,
            offset=offset,
        )
    path = _spool(spool_dir, upload.id)
    written = 0
    with open(path, "r+b") as spool:
        spool.truncate(upload.received)  # drop bytes of a chunk that never completed
        spool.seek(upload.received)
        for data in chunks:
            written += len(data)
            if upload.received + written > upload.size:
                spool.truncate(upload.received)
                raise InvalidInput("the chunk runs past the declared size")
            spool.write(data)
        spool.flush()
        os.fsync(spool.fileno())
    upload.received += written
    session.add(upload)
    session.commit()
    return upload


def finalize_upload(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    upload_id: str,
    sha256: str,
    spool_dir: Path,
    limit: int,
    client: str | None = None,
) -> Registered:
    """Store the spooled bytes as an item if they match the client's SHA-256."""
    upload = get_upload(session=session, principal=principal, upload_id=upload_id)
    if upload.received != upload.size:
        raise Conflict(
            "only %(received)d of %(size)d bytes have arrived",
            received=upload.received,
            size=upload.size,
        )
    if upload.expected_sha256 and upload.expected_sha256 != sha256:
        raise InvalidInput("the SHA-256 differs from the one given when the upload began")
    metadata = dict(upload.item_metadata)
    filename = metadata.pop("filename")
    path = _spool(spool_dir, upload.id)
    incoming = receive(store=store, limit=limit)
    try:
        with open(path, "rb") as spool:
            while block := spool.read(CHUNK):
                incoming.write(block)
        registered = register_item(
            session=session,
            principal=principal,
            case_id=upload.case_id,
            incoming=incoming,
            filename=filename,
            metadata=ItemCreate.model_validate(metadata),
            expected_sha256=sha256,
            client=client,
        )
    except Exception:
        incoming.abort()
        _discard(session, upload, spool_dir, reason="rejected", principal=principal, client=client)
        raise
    _discard(session, upload, spool_dir)
    return registered


def _discard(
    session: Session,
    upload: UploadSession,
    spool_dir: Path,
    *,
    reason: str | None = None,
    principal: Principal | None = None,
    client: str | None = None,
) -> None:
    session.rollback()
    row = session.get(UploadSession, upload.id)
    if row is not None:
        session.delete(row)
    if reason:
        custody.record(
            session=session,
            action=custody.Action.UPLOAD_REJECTED,
            actor=principal.actor() if principal else custody.SYSTEM,
            case_id=upload.case_id,
            client=client,
            details={"upload": upload.id, "reason": reason, "size": upload.size},
        )
    session.commit()
    with contextlib.suppress(FileNotFoundError):
        _spool(spool_dir, upload.id).unlink()


def abort_upload(
    *, session: Session, principal: Principal, upload_id: str, spool_dir: Path
) -> None:
    upload = get_upload(session=session, principal=principal, upload_id=upload_id)
    _discard(session, upload, spool_dir)


def expire_uploads(*, session: Session, spool_dir: Path) -> int:
    """Remove abandoned sessions past their expiry and their spooled bytes."""
    stale = list(session.exec(select(UploadSession).where(UploadSession.expires_at < utc_now())))
    for upload in stale:
        custody.record(
            session=session,
            action=custody.Action.UPLOAD_ABANDONED,
            actor=custody.SYSTEM,
            case_id=upload.case_id,
            details={"upload": upload.id, "received": upload.received, "size": upload.size},
        )
        session.delete(upload)
    session.commit()
    for upload in stale:
        with contextlib.suppress(FileNotFoundError):
            _spool(spool_dir, upload.id).unlink()
    return len(stale)
