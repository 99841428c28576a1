"""Resumable uploads: create a session, send chunks at offsets, finalise with a SHA-256.

Stateless across hosts (`evidence.service.resumable`): the session row holds the
offset, the object store's parts state and the running SHA-256, and each chunk goes
straight into the store as (part of) a multipart upload, so any API process can take
any chunk. Finalising checks the whole file's hash from that state against the client's
SHA-256, commits the parts to their content address and registers the item; a mismatch
keeps nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from evidence.citizen_models import CitizenUpload, EvidenceRequest
from evidence.errors import (
    Conflict,
    EvidenceError,
    IntegrityMismatch,
    InvalidInput,
    NotFound,
    TooLarge,
)
from evidence.models import UploadSession
from evidence.policy import Principal
from evidence.schemas import ItemCreate, UploadCreate
from evidence.service import resumable
from evidence.service.items import Incoming, Registered, authorize_upload, register_item
from evidence.storage import ObjectStore
from evidence.validation import check_filename


def create_upload(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    case_id: str,
    request: UploadCreate,
    ttl: timedelta,
    limit: int,
    client: str | None = None,
) -> UploadSession:
    """Open a resumable upload session for one file (and its multipart upload)."""
    case = authorize_upload(session=session, principal=principal, case_id=case_id, client=client)
    check_filename(request.filename)
    if request.size > limit:
        raise TooLarge("the file exceeds the upload limit of %(limit)d bytes", limit=limit)
    now = utc_now()
    state, hash_state = resumable.begin(store)
    upload = UploadSession(
        case_id=case.id,
        user_id=principal.user_id,
        size=request.size,
        expected_sha256=request.sha256,
        item_metadata=request.model_dump(mode="json", exclude={"size", "sha256"}),
        created_at=now,
        expires_at=now + ttl,
        store_state=state,
        hash_state=hash_state,
        head=b"",
    )
    try:
        session.add(upload)
        session.commit()
    except Exception:
        session.rollback()
        resumable.discard(store, state)
        raise
    return upload


def _own(upload: UploadSession | None, principal: Principal) -> UploadSession:
    if upload is None or upload.user_id != principal.user_id or upload.expires_at < utc_now():
        raise NotFound("no such upload session (it may have expired)")
    return upload


def get_upload(*, session: Session, principal: Principal, upload_id: str) -> UploadSession:
    """An upload session of the caller's own (others' sessions do not exist for them)."""
    return _own(session.get(UploadSession, upload_id), principal)


def append_chunk(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    upload_id: str,
    offset: int,
    chunks: Iterable[bytes],
) -> UploadSession:
    """Append bytes at exactly the current offset; out-of-order or overlapping is refused,
    and so is a chunk while another request writes the same upload (409)."""
    with resumable.hold(session, UploadSession, upload_id) as row:
        upload = _own(row, principal)
        resumable.append(session=session, store=store, row=upload, offset=offset, chunks=chunks)
    return upload


def finalize_upload(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    upload_id: str,
    sha256: str,
    limit: int,
    client: str | None = None,
) -> Registered:
    """Store the received bytes as an item if they hash to the client's SHA-256."""
    with resumable.hold(session, UploadSession, upload_id) as row:
        upload = _own(row, principal)
        if upload.received != upload.size:
            raise Conflict(
                "only %(received)d of %(size)d bytes have arrived",
                received=upload.received,
                size=upload.size,
            )
        if upload.expected_sha256 and upload.expected_sha256 != sha256:
            raise InvalidInput("the SHA-256 differs from the one given when the upload began")
        actual = resumable.sha256_of(upload)
        if actual != sha256:
            _discard(session, store, upload, reason="rejected", principal=principal, client=client)
            raise IntegrityMismatch(
                "received bytes hash to %(sha256)s, not the expected %(expected)s",
                sha256=actual,
                expected=sha256,
            )
        key = resumable.commit(session=session, store=store, row=upload)
    metadata = dict(upload.item_metadata)
    filename = metadata.pop("filename")
    incoming = Incoming.assembled(
        resumable.Committed(key), sha256=actual, size=upload.size, head=upload.head or b"",
        limit=limit,
    )  # fmt: skip
    try:
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
    except EvidenceError:
        # Refused (e.g. the caller lost the case meanwhile): recorded, nothing kept but
        # the committed object, which fsck lists while no row refers to it.
        _discard(session, store, upload, reason="rejected", principal=principal, client=client)
        raise
    # Anything else (a database that went away) keeps the session: finalize again.
    _discard(session, store, upload)
    # Removing the session expired what the registration loaded (a duplicate's existing
    # item among them): read it again for the answer.
    session.refresh(registered.item)
    session.refresh(registered.blob)
    return registered


def _discard(
    session: Session,
    store: ObjectStore,
    upload: UploadSession,
    *,
    reason: str | None = None,
    principal: Principal | None = None,
    client: str | None = None,
) -> None:
    state = upload.store_state
    session.rollback()
    row = session.get(UploadSession, upload.id)
    if row is not None:
        state = row.store_state
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
    resumable.discard(store, state)


def abort_upload(
    *, session: Session, store: ObjectStore, principal: Principal, upload_id: str
) -> None:
    """Abandon an upload: its session and its parts in the store go."""
    with resumable.hold(session, UploadSession, upload_id) as row:
        upload = _own(row, principal)
        _discard(session, store, upload)


def expire_uploads(*, session: Session, store: ObjectStore) -> int:
    """Remove abandoned sessions past their expiry (staff and evidence-request uploads)
    and abort their multipart uploads; each is recorded as `upload.abandoned`."""
    now = utc_now()
    stale = list(session.exec(select(UploadSession).where(col(UploadSession.expires_at) < now)))
    citizen = list(
        session.exec(
            select(CitizenUpload, EvidenceRequest.case_id)
            .join(EvidenceRequest, col(EvidenceRequest.id) == col(CitizenUpload.request_id))
            .where(col(CitizenUpload.expires_at) < now)
        ).all()
    )
    for upload in stale:
        custody.record(
            session=session,
            action=custody.Action.UPLOAD_ABANDONED,
            actor=custody.SYSTEM,
            case_id=upload.case_id,
            details={"upload": upload.id, "received": upload.received, "size": upload.size},
        )
        session.delete(upload)
    for row, case_id in citizen:
        custody.record(
            session=session,
            action=custody.Action.UPLOAD_ABANDONED,
            actor=custody.SYSTEM,
            case_id=case_id,
            details={"request": row.request_id, "upload": row.id, "received": row.received,
                     "size": row.size},
        )  # fmt: skip
        session.delete(row)
    session.commit()
    for state in [u.store_state for u in stale] + [r.store_state for r, _ in citizen]:
        resumable.discard(store, state)
    return len(stale) + len(citizen)
