"""Evidence requests, the person's side: the link, resumable uploads, the receipt.

The person has no account: the link's token is their only right, checked on every call
(found by its SHA-256, then compared in constant time). Wrong tokens are counted per
address and per token prefix and refused past a limit, and an unknown token answers
exactly like one that never existed — nothing tells whether a case exists. Expired,
revoked and used-up links accept nothing, and each attempt through them is recorded.

Uploads follow the staff protocol (begin with name, size and SHA-256 → chunks at
offsets → finalize); the browser computed the SHA-256 before sending, and bytes that
hash otherwise are refused and kept nowhere. Accepted bytes wait in quarantine
(`Submission`) with a `citizen.file.received` event, whose ledger index and leaf hash
the signed receipt lists.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

import custody
from custody.events import canonical, format_time, utc_now
from evidence.citizen_models import CitizenUpload, EvidenceRequest, Submission
from evidence.errors import Conflict, EvidenceError, InvalidInput, NotFound, TooLarge
from evidence.i18n import N_
from evidence.models import Case
from evidence.service import resumable
from evidence.service.citizen import token_digest, used_up
from evidence.service.citizen_actor import CITIZEN
from evidence.service.items import Incoming, blob_for
from evidence.storage import ObjectStore
from evidence.throttle import RateLimiter, Throttled
from evidence.validation import check_filename, check_sha256

UPLOAD_TTL = timedelta(hours=24)


class LinkClosed(EvidenceError):
    """The link was valid but accepts nothing now (expired, revoked or used up)."""

    title = "Link closed"

    def __init__(self, template: str = "", /, *, why: str = "expired", **params: object):
        super().__init__(template, **params)
        self.why = why


CLOSED = {  # N_: catalog messages (LinkClosed takes them by reference)
    "expired": N_("this link has expired and accepts no files"),
    "revoked": N_("this link was withdrawn and accepts no files"),
    "used up": N_("this link has received all the files it may take"),
}


UNKNOWN = "this link is not valid; check that it was copied whole"


@dataclass
class Guard:
    """Counts wrong tokens per address and per token prefix (`evidence.throttle`)."""

    limiter: RateLimiter

    def check(self, token: str, client: str | None) -> None:
        for key in (f"addr {client or '?'}", f"prefix {token[:6]}"):
            wait = self.limiter.retry_after(key)
            if wait is not None:
                raise Throttled("too many wrong links from here; try again later",
                                retry_after=wait)  # fmt: skip

    def miss(self, token: str, client: str | None) -> None:
        self.limiter.hit(f"addr {client or '?'}")
        self.limiter.hit(f"prefix {token[:6]}")


def find_request(
    *, session: Session, token: str, guard: Guard, client: str | None
) -> EvidenceRequest:
    """The request the token opens (in any state), or NotFound; wrong tokens count."""
    guard.check(token, client)
    digest = token_digest(token)
    request = (
        session.exec(select(EvidenceRequest).where(EvidenceRequest.token_hash == digest)).first()
        if 16 <= len(token) <= 64
        else None
    )
    if request is None or not hmac.compare_digest(request.token_hash, digest):
        guard.miss(token, client)
        session.rollback()
        custody.record(
            session=session, action=custody.Action.ACCESS_DENIED, actor=CITIZEN, client=client,
            details={"permission": "citizen.link", "token_prefix": token[:6]},
        )  # fmt: skip
        session.commit()
        raise NotFound(UNKNOWN)
    return request


def closed_reason(request: EvidenceRequest, *, accepting: bool) -> str | None:
    if request.revoked_at is not None:
        return "revoked"
    if request.expires_at <= utc_now():
        return "expired"
    if accepting and used_up(request):
        return "used up"
    return None


def refuse_if_closed(
    session: Session, request: EvidenceRequest, *, client: str | None, accepting: bool = True
) -> None:
    """Record the attempt and raise LinkClosed when the link accepts nothing now."""
    why = closed_reason(request, accepting=accepting)
    if why is None:
        return
    session.rollback()
    custody.record(
        session=session, action=custody.Action.REQUEST_REFUSED, actor=CITIZEN,
        case_id=request.case_id, client=client, details={"request": request.id, "why": why},
    )  # fmt: skip
    session.commit()
    raise LinkClosed(CLOSED[why], why=why)


def open_link(*, session: Session, token: str, guard: Guard, client: str | None) -> EvidenceRequest:
    """The request behind a link for its page; the first visit is recorded (opened)."""
    request = find_request(session=session, token=token, guard=guard, client=client)
    if request.opened_at is None and closed_reason(request, accepting=False) is None:
        request.opened_at = utc_now()
        session.add(request)
        custody.record(
            session=session, action=custody.Action.REQUEST_OPENED, actor=CITIZEN,
            case_id=request.case_id, client=client, details={"request": request.id},
        )  # fmt: skip
        session.commit()
    return request


def _open_uploads(session: Session, request: EvidenceRequest) -> list[CitizenUpload]:
    return list(
        session.exec(
            select(CitizenUpload).where(
                CitizenUpload.request_id == request.id, col(CitizenUpload.expires_at) > utc_now()
            )
        ).all()
    )


def begin_upload(
    *,
    session: Session,
    token: str,
    guard: Guard,
    filename: str,
    size: int,
    sha256: str,
    description: str,
    store: ObjectStore,
    client: str | None = None,
) -> CitizenUpload:
    """Open a resumable upload of one file; the request's limits are checked first.
    Its state lives in the row and its bytes in the store, as staff uploads'."""
    request = find_request(session=session, token=token, guard=guard, client=client)
    refuse_if_closed(session, request, client=client)
    filename = check_filename(filename)
    sha256 = check_sha256(sha256)
    if size < 1:
        raise InvalidInput("the file is empty")
    if size > request.max_file_bytes:
        raise TooLarge("a file may be at most %(limit)d bytes", limit=request.max_file_bytes)
    others = [u for u in _open_uploads(session, request) if u.sha256 != sha256]
    if request.files_received + len(others) + 1 > request.max_files:
        raise TooLarge("this link takes at most %(limit)d files", limit=request.max_files)
    if request.bytes_received + sum(u.size for u in others) + size > request.max_total_bytes:
        raise TooLarge("this link takes at most %(limit)d bytes in all",
                       limit=request.max_total_bytes)  # fmt: skip
    now = utc_now()
    state, hash_state = resumable.begin(store)
    upload = CitizenUpload(
        request_id=request.id, filename=filename, description=description[:2000], size=size,
        sha256=sha256, created_at=now, expires_at=now + UPLOAD_TTL,
        store_state=state, hash_state=hash_state, head=b"",
    )  # fmt: skip
    try:
        session.add(upload)
        session.commit()
    except Exception:
        session.rollback()
        resumable.discard(store, state)
        raise
    return upload


def get_upload(
    *, session: Session, token: str, guard: Guard, upload_id: str, client: str | None = None
) -> tuple[CitizenUpload, EvidenceRequest]:
    request = find_request(session=session, token=token, guard=guard, client=client)
    upload = session.get(CitizenUpload, upload_id)
    if upload is None or upload.request_id != request.id or upload.expires_at < utc_now():
        raise NotFound("no such upload session (it may have expired)")
    return upload, request


def append_chunk(
    *,
    session: Session,
    store: ObjectStore,
    token: str,
    guard: Guard,
    upload_id: str,
    offset: int,
    chunks: Iterable[bytes],
    client: str | None = None,
) -> CitizenUpload:
    """Append bytes at exactly the received offset (as the staff protocol)."""
    _, request = get_upload(
        session=session, token=token, guard=guard, upload_id=upload_id, client=client
    )
    refuse_if_closed(session, request, client=client)
    with resumable.hold(session, CitizenUpload, upload_id) as upload:
        if upload is None or upload.request_id != request.id:
            raise NotFound("no such upload session (it may have expired)")
        resumable.append(session=session, store=store, row=upload, offset=offset, chunks=chunks)
    return upload


def _discard(session: Session, store: ObjectStore, upload: CitizenUpload) -> None:
    state = upload.store_state
    row = session.get(CitizenUpload, upload.id)
    if row is not None:
        state = row.store_state
        session.delete(row)
    session.commit()
    resumable.discard(store, state)


def finalize_upload(
    *,
    session: Session,
    store: ObjectStore,
    token: str,
    guard: Guard,
    upload_id: str,
    sha256: str,
    client: str | None = None,
) -> Submission:
    """Store the received bytes in quarantine if they hash to the SHA-256 declared when
    the upload began (and given again now); otherwise nothing is kept."""
    _, request = get_upload(
        session=session, token=token, guard=guard, upload_id=upload_id, client=client
    )
    refuse_if_closed(session, request, client=client)
    with resumable.hold(session, CitizenUpload, upload_id) as upload:
        if upload is None or upload.request_id != request.id:
            raise NotFound("no such upload session (it may have expired)")
        if upload.received != upload.size:
            raise Conflict("only %(received)d of %(size)d bytes have arrived",
                           received=upload.received, size=upload.size)  # fmt: skip
        try:
            if check_sha256(sha256) != upload.sha256:
                raise InvalidInput("the SHA-256 differs from the one given when the upload began")
            actual = resumable.sha256_of(upload)
            if actual != upload.sha256:
                raise InvalidInput(
                    "the file's bytes hash to %(sha256)s, not the %(expected)s computed on the "
                    "device; nothing was kept",
                    sha256=actual, expected=upload.sha256,
                )  # fmt: skip
            if request.files_received + 1 > request.max_files:
                raise TooLarge("this link takes at most %(limit)d files", limit=request.max_files)
        except Exception:
            session.rollback()
            custody.record(
                session=session, action=custody.Action.UPLOAD_REJECTED, actor=CITIZEN,
                case_id=request.case_id, client=client,
                details={"request": request.id, "upload": upload.id, "reason": "rejected",
                         "size": upload.size},
            )  # fmt: skip
            _discard(session, store, upload)
            raise
        key = resumable.commit(session=session, store=store, row=upload)
    incoming = Incoming.assembled(
        resumable.Committed(key), sha256=actual, size=upload.size, head=upload.head or b"",
        limit=request.max_file_bytes,
    )  # fmt: skip
    blob = blob_for(session, incoming)
    session.flush()  # the blob row before the submission that names it
    now = utc_now()
    submission = Submission(
        request_id=request.id, case_id=request.case_id, sha256=blob.sha256, size=incoming.size,
        media_type=incoming.media_type, original_name=upload.filename,
        description=upload.description, received_at=now, ledger_index=0, leaf_hash="",
    )  # fmt: skip
    session.add(submission)
    session.flush()
    entry = custody.record(
        session=session, action=custody.Action.SUBMISSION_RECEIVED, actor=CITIZEN,
        case_id=request.case_id, sha256=blob.sha256, client=client,
        details={"request": request.id, "submission": submission.id, "size": incoming.size,
                 "media_type": incoming.media_type},
    )  # fmt: skip
    submission.ledger_index, submission.leaf_hash = entry.idx, bytes(entry.leaf_hash).hex()
    request.files_received += 1
    request.bytes_received += incoming.size
    session.add_all([submission, request])
    row = session.get(CitizenUpload, upload.id)
    if row is not None:
        session.delete(row)
    session.commit()
    return submission


# ---- receipts ---------------------------------------------------------------------

RECEIPT_HEADER = "dalel citizen receipt v1"


def receipt_body(session: Session, request: EvidenceRequest, origin: str) -> dict[str, Any]:
    """What the receipt states: the files (name, size, SHA-256, when, ledger entry), the
    request's reference and, if the investigator chose so, the case number. Nothing of
    the person's name or contact."""
    case = session.get(Case, request.case_id)
    assert case is not None
    files = session.exec(
        select(Submission)
        .where(Submission.request_id == request.id)
        .order_by(col(Submission.ledger_index))
    ).all()
    return {
        "log": origin,
        "request": request.reference,
        "case": case.number if request.show_case_number else None,
        "files": [
            {
                "name": f.original_name,
                "size": f.size,
                "sha256": f.sha256,
                "received_at": format_time(f.received_at),
                "ledger_index": f.ledger_index,
                "leaf_hash": f.leaf_hash,
            }
            for f in files
        ],
    }


def receipt_text(body: dict[str, Any]) -> str:
    """The signed text: a header line and the body as RFC 8785 JSON on one line."""
    return f"{RECEIPT_HEADER}\n{canonical(body).decode()}\n"


def parse_receipt_text(text: str) -> dict[str, Any]:
    header, _, rest = text.partition("\n")
    if header != RECEIPT_HEADER or not rest.endswith("\n") or "\n" in rest[:-1]:
        raise InvalidInput("this is not a Dalel receipt")
    try:
        body = json.loads(rest)
    except ValueError as exc:
        raise InvalidInput("this is not a Dalel receipt") from exc
    if not isinstance(body, dict) or not isinstance(body.get("files"), list):
        raise InvalidInput("this is not a Dalel receipt")
    return body
