"""The person's link API: a victim's or witness's uploads and receipts, no account.

The `/citizen/{token}` routes need no account: the token is the right, checked (and
wrong tokens rate-limited) by `evidence.service.citizen_link`. Files are never served
back.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from evidence import hooks
from evidence.chunks import with_body
from evidence.citizen_models import CitizenUpload, EvidenceRequest
from evidence.citizen_schemas import (
    CitizenUploadCreate,
    CitizenUploadPublic,
    FileReceived,
    FinalizeBody,
    LinkPublic,
    ReceiptCheck,
)
from evidence.deps import (
    ClientDep,
    LedgerDep,
    PublicRateLimit,
    SessionDep,
    StoreDep,
)
from evidence.errors import InvalidInput, TooLarge
from evidence.models import Case
from evidence.routers.uploads import MAX_CHUNK
from evidence.schemas import IdPath
from evidence.service import citizen_link, citizen_receipts
from evidence.service.citizen_link import Guard, LinkClosed
from evidence.throttle import RateLimiter

router = APIRouter(tags=["evidence requests"])
ERROR_STATUS: list[tuple[type[Exception], int]] = [(LinkClosed, 410)]
# Wrong tokens per address and per token prefix before the link routes answer 429.
WRONG_TOKENS, WRONG_TOKEN_PERIOD = 20, 600.0
TokenPath = Annotated[str, IdPath]


def get_guard(request: Request) -> Guard:
    guard = getattr(request.app.state, "citizen_guard", None)
    if guard is None:
        guard = Guard(RateLimiter(limit=WRONG_TOKENS, period=WRONG_TOKEN_PERIOD))
        request.app.state.citizen_guard = guard
    return guard  # type: ignore[no-any-return]


GuardDep = Annotated[Guard, Depends(get_guard)]


def link_public(session: SessionDep, row: EvidenceRequest) -> LinkPublic:
    case = session.get(Case, row.case_id)
    return LinkPublic(
        reference=row.reference,
        case_number=case.number if case is not None and row.show_case_number else None,
        message=row.message, asked_for=row.asked_for, expires_at=row.expires_at,
        max_files=row.max_files, max_file_bytes=row.max_file_bytes,
        max_total_bytes=row.max_total_bytes, files_received=row.files_received,
        bytes_received=row.bytes_received,
    )  # fmt: skip


@router.get(
    "/citizen/{token}",
    response_model=LinkPublic,
    summary="A request, through its link",
    responses={404: {"description": "no such link"}, 410: {"description": "link closed"},
               429: {"description": "too many wrong links"}},
)  # fmt: skip
def open_link(
    token: TokenPath, session: SessionDep, guard: GuardDep, client: ClientDep
) -> LinkPublic:
    row = citizen_link.open_link(session=session, token=token, guard=guard, client=client)
    citizen_link.refuse_if_closed(session, row, client=client)
    return link_public(session, row)


def _upload(upload: CitizenUpload) -> CitizenUploadPublic:
    return CitizenUploadPublic(
        id=upload.id, size=upload.size, offset=upload.received, expires_at=upload.expires_at
    )


@router.post(
    "/citizen/{token}/uploads",
    response_model=CitizenUploadPublic,
    status_code=201,
    summary="Begin sending a file",
)
def begin_upload(
    token: TokenPath,
    body: CitizenUploadCreate,
    session: SessionDep,
    store: StoreDep,
    guard: GuardDep,
    client: ClientDep,
) -> CitizenUploadPublic:
    """Declare the file's name, size and the SHA-256 the device computed."""
    upload = citizen_link.begin_upload(
        session=session, token=token, guard=guard, filename=body.filename, size=body.size,
        sha256=body.sha256, description=body.description, store=store,
        client=client,
    )  # fmt: skip
    return _upload(upload)


@router.get(
    "/citizen/{token}/uploads/{upload_id}",
    response_model=CitizenUploadPublic,
    summary="Where to resume",
)
def upload_progress(
    token: TokenPath, upload_id: IdPath, session: SessionDep, guard: GuardDep, client: ClientDep
) -> CitizenUploadPublic:
    upload, _ = citizen_link.get_upload(
        session=session, token=token, guard=guard, upload_id=upload_id, client=client
    )
    return _upload(upload)


@router.put(
    "/citizen/{token}/uploads/{upload_id}",
    response_model=CitizenUploadPublic,
    summary="Send a chunk",
)
async def put_chunk(
    token: TokenPath,
    upload_id: IdPath,
    request: Request,
    session: SessionDep,
    store: StoreDep,
    guard: GuardDep,
    client: ClientDep,
    upload_offset: Annotated[int, Header(ge=0, le=2**62, description="where this chunk starts")],
) -> CitizenUploadPublic:
    """Raw bytes at `Upload-Offset` (409 when it is not the bytes received so far, or
    while another request writes the same upload); stored straight in the object store,
    so any server can take the next chunk."""
    if int(request.headers.get("content-length") or 0) > MAX_CHUNK:
        raise TooLarge("send chunks of at most %(max)s bytes", max=MAX_CHUNK)
    upload = await with_body(
        request,
        lambda chunks: citizen_link.append_chunk(
            session=session,
            store=store,
            token=token,
            guard=guard,
            upload_id=upload_id,
            offset=upload_offset,
            chunks=chunks,
            client=client,
        ),
        limit=MAX_CHUNK,
    )
    return _upload(upload)


@router.post(
    "/citizen/{token}/uploads/{upload_id}/finalize",
    response_model=FileReceived,
    status_code=201,
    summary="Finish sending a file",
)
def finalize(
    token: TokenPath,
    upload_id: IdPath,
    body: FinalizeBody,
    session: SessionDep,
    store: StoreDep,
    guard: GuardDep,
    client: ClientDep,
) -> FileReceived:
    """Kept (in quarantine, for the investigator) only if the bytes hash to the SHA-256
    the device computed; otherwise 400 and nothing is kept."""
    row = citizen_link.finalize_upload(
        session=session, store=store, token=token, guard=guard, upload_id=upload_id,
        sha256=body.sha256, client=client,
    )  # fmt: skip
    return FileReceived(
        name=row.original_name, size=row.size, sha256=row.sha256,
        received_at=row.received_at, ledger_index=row.ledger_index,
    )  # fmt: skip


def _receipt_request(
    session: SessionDep, token: str, guard: Guard, client: str | None
) -> EvidenceRequest:
    row = citizen_link.find_request(session=session, token=token, guard=guard, client=client)
    if row.revoked_at is not None:  # a revoked link may have leaked: it shows nothing
        citizen_link.refuse_if_closed(session, row, client=client, accepting=False)
    return row


@router.get("/citizen/{token}/receipt", summary="The signed receipt (JSON)")
def receipt(
    token: TokenPath, session: SessionDep, guard: GuardDep, client: ClientDep, ledger: LedgerDep
) -> Response:
    """A C2SP signed note by the log's key listing each file; check it at /receipts."""
    row = _receipt_request(session, token, guard, client)
    signed = citizen_receipts.signed_receipt(session=session, request=row, ledger=ledger)
    import json

    return Response(
        json.dumps(signed, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="receipt-{row.reference}.json"',
                 "Cache-Control": "no-store"},
    )  # fmt: skip


@router.get(
    "/citizen/{token}/receipt.pdf",
    summary="The receipt (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def receipt_pdf(
    token: TokenPath,
    session: SessionDep,
    guard: GuardDep,
    client: ClientDep,
    ledger: LedgerDep,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    from evidence import i18n

    row = _receipt_request(session, token, guard, client)
    signed = citizen_receipts.signed_receipt(session=session, request=row, ledger=ledger)
    i18n.activate(lang if lang in i18n.LANGUAGES else i18n.negotiate(None, accept_language))
    return Response(
        citizen_receipts.receipt_pdf(signed),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="receipt-{row.reference}.pdf"',
                 "Cache-Control": "no-store"},
    )  # fmt: skip


@router.post("/citizen/{token}/receipt/email", summary="E-mail the receipt")
def email_receipt(
    token: TokenPath, session: SessionDep, guard: GuardDep, client: ClientDep, ledger: LedgerDep
) -> dict[str, bool]:
    """To the address the investigator entered (never one the page gives)."""
    row = _receipt_request(session, token, guard, client)
    if not row.email:
        return {"sent": False}
    signed = citizen_receipts.signed_receipt(session=session, request=row, ledger=ledger)
    subject = f"Dalel: receipt {row.reference}"
    return {"sent": hooks.of(session).send_mail(row.email, subject, signed["note"])}


@router.post(
    "/receipts/verify",
    summary="Check a receipt (public)",
    dependencies=[PublicRateLimit],
)
def verify_receipt(body: ReceiptCheck, session: SessionDep) -> dict[str, object]:
    """Signature by this log's key, and each file's entry in the log and under a signed
    checkpoint. Answers about the receipt's own entries only."""
    try:
        return citizen_receipts.verify_receipt(session=session, note=body.note)
    except InvalidInput:
        return {"signature": False, "files": [], "checkpoint_size": None}


@router.get(
    "/receipts/proof",
    summary="Inclusion proof of a receipt's entry (public)",
    dependencies=[PublicRateLimit],
)
def receipt_proof(
    session: SessionDep,
    index: Annotated[int, Query(ge=0, le=2**62)],
    leaf_hash: Annotated[str, Query(min_length=64, max_length=64)],
) -> dict[str, object]:
    return citizen_receipts.receipt_proof(session=session, index=index, leaf_hash=leaf_hash)
