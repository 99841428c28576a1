"""Evidence requests, the staff side: send, list, revoke; quarantined files: accept, reject.

A request's link holds a random token of 192 bits; only its SHA-256 is stored. Files
that arrive through it (`evidence.service.citizen_link`) wait in quarantine: stored
bytes with a custody event, but no item — not searchable, not disclosable, processed by
nothing — until a case member accepts each one (an original item with source kind
`citizen`, and the normal pipeline runs) or rejects it with a reason.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from evidence import hooks
from evidence.citizen_models import EvidenceRequest, RequestState, Submission, SubmissionState
from evidence.errors import Conflict, InvalidInput, NotFound
from evidence.models import Blob, Case, Item, ItemKind, SourceKind
from evidence.policy import Perm, Principal
from evidence.service.access import load_case, require, require_case
from evidence.service.item_events import record_item_event
from evidence.service.retention import track_item

TOKEN_BYTES = 24  # 192 bits: far past guessing, short enough for an SMS
DEFAULT_DAYS, MAX_DAYS = 3, 30


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def state_of(request: EvidenceRequest, now: datetime | None = None) -> RequestState:
    """sent → opened → files received; revoked and expired end it."""
    if request.revoked_at is not None:
        return RequestState.REVOKED
    if request.expires_at <= (now or utc_now()):
        return RequestState.EXPIRED
    if request.files_received:
        return RequestState.RECEIVED
    return RequestState.OPENED if request.opened_at else RequestState.SENT


def used_up(request: EvidenceRequest) -> bool:
    return (
        request.files_received >= request.max_files
        or request.bytes_received >= request.max_total_bytes
    )


@dataclass(frozen=True, slots=True)
class NewRequest:
    person_name: str
    phone: str | None = None
    email: str | None = None
    language: str = "kk"
    message: str = ""
    asked_for: str = ""
    expires_in_days: int = DEFAULT_DAYS
    max_files: int = 16
    max_file_bytes: int | None = None  # default: 2 GiB (or the upload limit, if lower)
    max_total_bytes: int | None = None  # default: 8 GiB (at least one file's limit)
    show_case_number: bool = False


def create_request(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    new: NewRequest,
    max_upload_bytes: int,
    client: str | None = None,
) -> tuple[EvidenceRequest, str]:
    """Create a request; returns it with its token (shown once, never stored)."""
    case = require_case(
        session, principal=principal, perm=Perm.CITIZEN_REQUEST, case_id=case_id, client=client
    )
    if not new.person_name.strip():
        raise InvalidInput("give the name of the person asked")
    if not (new.phone or new.email):
        raise InvalidInput("give a phone number or an e-mail address")
    if new.email and ("@" not in new.email or any(c in new.email for c in "\r\n <>,;")):
        raise InvalidInput("not an e-mail address")
    if not 1 <= new.expires_in_days <= MAX_DAYS:
        raise InvalidInput("a request expires in 1 to %(max)d days", max=MAX_DAYS)
    if not 1 <= new.max_files <= 100:
        raise InvalidInput("a request takes 1 to %(max)d files", max=100)
    per_file = new.max_file_bytes or min(2 * 1024**3, max_upload_bytes)
    total = new.max_total_bytes or max(per_file, min(8 * 1024**3, 16 * per_file))
    if not 1 <= per_file <= min(total, max_upload_bytes):
        raise InvalidInput("the limit per file must be at most the total and the upload limit")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utc_now()
    request = EvidenceRequest(
        case_id=case.id,
        reference="R-" + secrets.token_hex(4).upper(),
        created_by=principal.user_id,
        person_name=new.person_name.strip(),
        phone=new.phone or None,
        email=new.email or None,
        language=new.language,
        message=new.message,
        asked_for=new.asked_for,
        show_case_number=new.show_case_number,
        max_files=new.max_files,
        max_file_bytes=per_file,
        max_total_bytes=total,
        token_hash=token_digest(token),
        created_at=now,
        expires_at=now + timedelta(days=new.expires_in_days),
    )
    session.add(request)
    session.flush()
    custody.record(
        session=session,
        action=custody.Action.REQUEST_CREATED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        # The person's name and contact are personal data: they stay in the table (case
        # members only), never in the log.
        details={"request": request.id, "reference": request.reference,
                 "expires_at": request.expires_at.isoformat(), "max_files": request.max_files},
    )  # fmt: skip
    session.commit()
    return request, token


def mark_emailed(*, session: Session, request: EvidenceRequest) -> None:
    request.emailed = True
    session.add(request)
    session.commit()


def list_requests(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> list[EvidenceRequest]:
    require_case(
        session, principal=principal, perm=Perm.CITIZEN_REQUEST, case_id=case_id, client=client
    )
    query = select(EvidenceRequest).where(EvidenceRequest.case_id == case_id)
    return list(session.exec(query.order_by(col(EvidenceRequest.created_at).desc())).all())


def _load_request(
    session: Session, principal: Principal, request_id: str, perm: Perm, client: str | None
) -> tuple[EvidenceRequest, Case]:
    request = session.get(EvidenceRequest, request_id)
    if request is None:
        raise NotFound("no such request")
    case = load_case(session, request.case_id)
    require(session, principal=principal, perm=perm, client=client, case=case)
    return request, case


def revoke_request(
    *, session: Session, principal: Principal, request_id: str, client: str | None = None
) -> EvidenceRequest:
    """The link stops working at once (uploads in progress through it too)."""
    request, case = _load_request(session, principal, request_id, Perm.CITIZEN_REQUEST, client)
    if request.revoked_at is not None:
        return request
    request.revoked_at, request.revoked_by = utc_now(), principal.user_id
    session.add(request)
    custody.record(
        session=session,
        action=custody.Action.REQUEST_REVOKED,
        actor=principal.actor(),
        case_id=case.id,
        client=client,
        details={"request": request.id, "reference": request.reference},
    )
    session.commit()
    return request


def list_submissions(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> list[tuple[Submission, EvidenceRequest]]:
    """The case's files from requests, quarantined ones first, newest first."""
    require_case(
        session, principal=principal, perm=Perm.CITIZEN_REVIEW, case_id=case_id, client=client
    )
    rows = session.exec(
        select(Submission, EvidenceRequest)
        .join(EvidenceRequest, col(EvidenceRequest.id) == col(Submission.request_id))
        .where(Submission.case_id == case_id)
        .order_by(col(Submission.received_at).desc())
    ).all()
    pending = [r for r in rows if r[0].state == SubmissionState.QUARANTINED]
    return pending + [r for r in rows if r[0].state != SubmissionState.QUARANTINED]


def _pending(
    session: Session, principal: Principal, submission_id: str, client: str | None
) -> tuple[Submission, EvidenceRequest, Case]:
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound("no such submission")
    case = load_case(session, submission.case_id)
    require(session, principal=principal, perm=Perm.CITIZEN_REVIEW, client=client, case=case)
    if submission.state != SubmissionState.QUARANTINED:
        raise Conflict("this file was already %(state)s", state=submission.state)
    request = session.get(EvidenceRequest, submission.request_id)
    assert request is not None
    return submission, request, case


def accept_submission(
    *, session: Session, principal: Principal, submission_id: str, client: str | None = None
) -> Item:
    """The file becomes an original item of the case (source kind `citizen`); its
    `item.created` event names the submission and the ledger entry of its receipt."""
    submission, request, case = _pending(session, principal, submission_id, client)
    blob = session.get(Blob, submission.sha256)
    assert blob is not None
    now = utc_now()
    existing = session.exec(
        select(Item).where(
            Item.case_id == case.id, Item.sha256 == blob.sha256, Item.kind == ItemKind.ORIGINAL
        )
    ).first()
    link = {"submission": submission.id, "request": request.id,
            "received_entry": submission.ledger_index}  # fmt: skip
    if existing is not None:
        item, created = existing, False
        record_item_event(
            session=session, action=custody.Action.ITEM_DUPLICATE_UPLOADED,
            actor=principal.actor(), item=item, case=case, client=client,
            details={"original_name": submission.original_name, **link},
        )  # fmt: skip
    else:
        item, created = (
            Item(
                case_id=case.id,
                sha256=blob.sha256,
                kind=ItemKind.ORIGINAL,
                source_kind=SourceKind.CITIZEN,
                original_name=submission.original_name,
                description=submission.description or None,
                collected_at=submission.received_at,
                collected_by=f"evidence request {request.reference}",
                uploaded_by=principal.user_id,
                created_at=now,
            ),
            True,
        )
        session.add(item)
        session.flush()
        track_item(session, item)
        record_item_event(
            session=session, action=custody.Action.ITEM_CREATED, actor=principal.actor(),
            item=item, case=case, client=client,
            details={"size": blob.size, "original_name": submission.original_name,
                     "media_type": blob.media_type, **link},
        )  # fmt: skip
    submission.state, submission.item_id = SubmissionState.ACCEPTED, item.id
    submission.decided_by, submission.decided_at = principal.user_id, now
    session.add(submission)
    custody.record(
        session=session, action=custody.Action.SUBMISSION_ACCEPTED, actor=principal.actor(),
        case_id=case.id, sha256=blob.sha256, client=client,
        details={**link, "item": item.id},
    )  # fmt: skip
    session.commit()
    if created:
        hooks.item_added(session, item.id, str(item.kind))
    return item


def reject_submission(
    *,
    session: Session,
    principal: Principal,
    submission_id: str,
    reason: str,
    client: str | None = None,
) -> Submission:
    """The file stays out of the case's evidence; the reason is recorded."""
    if not reason.strip():
        raise InvalidInput("give a reason for rejecting the file")
    submission, request, case = _pending(session, principal, submission_id, client)
    submission.state, submission.reason = SubmissionState.REJECTED, reason.strip()[:1000]
    submission.decided_by, submission.decided_at = principal.user_id, utc_now()
    session.add(submission)
    custody.record(
        session=session, action=custody.Action.SUBMISSION_REJECTED, actor=principal.actor(),
        case_id=case.id, sha256=submission.sha256, client=client,
        details={"submission": submission.id, "request": request.id,
                 "reason": submission.reason},
    )  # fmt: skip
    session.commit()
    return submission


def count_quarantined(*, session: Session, case_id: str) -> int:
    """Files of the case waiting for a decision (the case tab's badge; the caller has
    checked `citizen.review`)."""
    from sqlalchemy import func

    query = (
        select(func.count())
        .select_from(Submission)
        .where(Submission.case_id == case_id, Submission.state == SubmissionState.QUARANTINED)
    )
    return int(session.exec(query).one())
