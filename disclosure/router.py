"""REST endpoints of the disclosure package (mounted under /api/v1 by evidence.app).

Thin: each handler calls one service function; errors are DisclosureError subclasses
mapped to problem responses in evidence/problems.py.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from disclosure import (
    blinding,
    bundle,
    court_router,
    portal,
    recipient_router,
    selection,
    service,
)
from disclosure.errors import WatermarkPending
from disclosure.schemas import (
    DisclosureCreate,
    DisclosurePublic,
    FlagPublic,
    FlagUpdate,
    NoteCreate,
    NotePublic,
    TrancheCreate,
    TranchePublic,
)
from evidence import problems
from evidence.deps import ClientDep, CurrentPrincipal, LedgerDep, SessionDep, StoreDep
from evidence.headers import content_headers
from evidence.problems import problem_response
from evidence.ranges import parse_range

router = APIRouter(tags=["disclosure"])
_PENDING = {
    "description": "A watermarked copy is not ready: problem JSON naming each file in "
    "`preparing` (`entry_id`, `name`, `state`), with `Retry-After` (seconds) while it is "
    "being prepared (none when preparation failed)",
    "content": {"application/problem+json": {}},
}
_ZIP: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {}}},
    409: _PENDING,
    410: {"description": "the disclosure was revoked or has expired"},
}


def _pending(exc: WatermarkPending, request: Request) -> Response:
    """409 problem JSON for files still being prepared, with a retry hint."""
    response = problems.problem(
        409, exc.title, str(exc), instance=request.url.path, preparing=exc.pending
    )
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


class RevokeRequest(BaseModel):
    reason: str = Field(default="", max_length=500)


@router.post(
    "/cases/{case_id}/disclosures",
    response_model=DisclosurePublic,
    status_code=201,
    summary="Disclose items to a defence lawyer",
)
def create_disclosure(
    case_id: str, body: DisclosureCreate, principal: CurrentPrincipal, session: SessionDep,
    store: StoreDep, client: ClientDep,
) -> DisclosurePublic:  # fmt: skip
    """Tranche 1 of a new disclosure (case prosecutor only). Each selected original is
    replaced by its approved redacted derivative — the original itself only when flagged
    `disclosable_original`; `do_not_disclose` refuses the request (409). Each image,
    video and PDF is watermarked for the recipient by a `wmark` job (queue `media`)
    queued on creation: the answer lists such files with `state: preparing` until the
    job has made the copy (then `ready`, with `served_id`). Recorded on the case chain
    and every item chain."""
    disclosure = service.create_disclosure(
        session=session, store=store, principal=principal, case_id=case_id,
        recipient=body.recipient, items=body.items, expires_at=body.expires_at,
        note=body.note, client=client,
    )  # fmt: skip
    return portal.public(session, disclosure, for_defence=False)


@router.get(
    "/cases/{case_id}/disclosures",
    response_model=list[DisclosurePublic],
    summary="Disclosures of a case",
)
def list_case_disclosures(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> list[DisclosurePublic]:
    """For the case's prosecutors, investigators and auditors."""
    return portal.list_for_case(
        session=session, principal=principal, case_id=case_id, client=client
    )


@router.get("/disclosures", response_model=list[DisclosurePublic], summary="My disclosures")
def my_disclosures(principal: CurrentPrincipal, session: SessionDep) -> list[DisclosurePublic]:
    """A defence lawyer's own disclosures; nobody else's are ever listed."""
    return portal.list_mine(session=session, principal=principal)


@router.get("/disclosures/{disclosure_id}", response_model=DisclosurePublic, summary="Disclosure")
def get_disclosure(
    disclosure_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> DisclosurePublic:
    """The recipient's view (served files only; the first view notifies the prosecutor)
    or the prosecution's view (with the items each file was derived from)."""
    return portal.get_disclosure(
        session=session, principal=principal, disclosure_id=disclosure_id, client=client
    )


@router.post(
    "/disclosures/{disclosure_id}/tranches",
    response_model=TranchePublic,
    status_code=201,
    summary="Add a tranche",
)
def add_tranche(
    disclosure_id: str, body: TrancheCreate, principal: CurrentPrincipal, session: SessionDep,
    store: StoreDep, client: ClientDep,
) -> TranchePublic:  # fmt: skip
    """Tranche N+1: `add` items (ids of selected items), `withdraw` items (selected,
    disclosed, served or entry ids). The tranche lists what changed since tranche N;
    added files that take a watermark are prepared by `wmark` jobs and join `added`
    when ready."""
    tranche = service.add_tranche(
        session=session, store=store, principal=principal, disclosure_id=disclosure_id,
        add=body.add, withdraw=body.withdraw, note=body.note, client=client,
    )  # fmt: skip
    return TranchePublic.model_validate(tranche, from_attributes=True)


@router.post(
    "/disclosures/{disclosure_id}/prepare",
    response_model=DisclosurePublic,
    status_code=202,
    summary="Queue unfinished watermarks again",
)
def prepare_again(
    disclosure_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> DisclosurePublic:
    """Hand every watermark job of this disclosure that is not done (failed, or never
    reached a worker) to the queue again (case prosecutor). 202: the jobs run later."""
    disclosure = service.prepare_again(
        session=session, principal=principal, disclosure_id=disclosure_id, client=client
    )
    return portal.public(session, disclosure, for_defence=False)


@router.post(
    "/disclosures/{disclosure_id}/revoke", response_model=DisclosurePublic, summary="Revoke"
)
def revoke(
    disclosure_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep,
    body: RevokeRequest | None = None,
) -> DisclosurePublic:  # fmt: skip
    """End the recipient's access at once: every later read is refused, and a bundle
    already streaming stops at its next check (between files, every 8 MiB)."""
    disclosure = service.revoke(
        session=session, principal=principal, disclosure_id=disclosure_id,
        reason=body.reason if body else "", client=client,
    )  # fmt: skip
    return portal.public(session, disclosure, for_defence=False)


@router.get(
    "/disclosures/{disclosure_id}/items/{item_id}/content",
    summary="Stream or download a disclosed file",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}},
        206: {"description": "the requested range", "content": {"application/octet-stream": {}}},
        409: _PENDING,
        416: problem_response("no byte of the file is in the range (`Content-Range: */size`)"),
        410: {"description": "the disclosure was revoked or has expired"},
    },
)
def disclosed_content(
    disclosure_id: str, item_id: str, request: Request, principal: CurrentPrincipal,
    session: SessionDep, store: StoreDep, client: ClientDep, download: bool = False,
) -> Response:  # fmt: skip
    """The recipient's view (`Range` supported) or download (`?download=true`, which
    records a receipt, returned in `X-Receipt-Id`). Recorded in custody first.
    `item_id` is a file's `served_id` or its `entry_id`; a file whose watermarked copy
    is still being prepared answers 409 problem JSON with `Retry-After` at once (the
    request never waits for rendering)."""
    match = parse_range(request.headers.get("range"))
    try:
        opened, receipt = portal.open_item(
            session=session, store=store, principal=principal, disclosure_id=disclosure_id,
            item_id=item_id, download=download, byte_range=match, client=client,
        )  # fmt: skip
    except WatermarkPending as exc:
        return _pending(exc, request)
    served = content_headers(
        media_type=opened.blob.media_type, filename=opened.item.original_name, download=download
    )
    headers = {"Accept-Ranges": "bytes", "Content-Length": str(opened.length),
               "ETag": f'"{opened.blob.sha256}"', **served}  # fmt: skip
    if receipt is not None:
        headers["X-Receipt-Id"] = receipt.id
    status = 200
    if match:
        status = 206
        last = opened.start + opened.length - 1
        headers["Content-Range"] = f"bytes {opened.start}-{last}/{opened.blob.size}"
    return StreamingResponse(
        opened.chunks, status_code=status, media_type=opened.blob.media_type, headers=headers
    )


@router.get(
    "/disclosures/{disclosure_id}/bundle",
    summary="Download the disclosure bundle (ZIP)",
    response_class=StreamingResponse,
    responses=_ZIP,
)
def disclosure_bundle(
    disclosure_id: str, request: Request, principal: CurrentPrincipal, session: SessionDep,
    store: StoreDep, ledger: LedgerDep, client: ClientDep,
) -> Response:  # fmt: skip
    """A ZIP streamed with constant memory: `files/`, `manifest.json` (hashes, sizes,
    derivation chains, plan ids, events with inclusion proofs, signed checkpoint with
    cosignatures, keys), `verifier.py` and `verify.html`. Every file's download is
    recorded (and anchored in the bundle's checkpoint) before the first byte.

    All or nothing: while any file's watermarked copy is still being prepared the answer
    is 409 problem JSON naming those files (`preparing`) with `Retry-After`; nothing is
    recorded. If the disclosure is revoked or expires while the ZIP streams, the stream
    stops at the next check (between files, and every 8 MiB inside one) and the
    connection ends without completing the body; the files not delivered are recorded
    as `access.denied` with `details.bundle = "stopped"`."""
    try:
        prepared = bundle.prepare_bundle(
            session=session, store=store, principal=principal, ledger=ledger,
            disclosure_id=disclosure_id, client=client,
        )  # fmt: skip
    except WatermarkPending as exc:
        return _pending(exc, request)
    headers = {
        "Content-Disposition": f'attachment; filename="disclosure-{disclosure_id[:8]}.zip"',
        "X-Manifest-SHA256": hashlib.sha256(prepared.manifest).hexdigest(),
    }
    if prepared.receipt is not None:
        headers["X-Receipt-Id"] = prepared.receipt.id
    return StreamingResponse(prepared.stream(), media_type="application/zip", headers=headers)


@router.get(
    "/disclosures/{disclosure_id}/access-trail",
    summary="The recipient's access trail (auditors)",
)
def access_trail(
    disclosure_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> list[dict[str, Any]]:
    """Every read by the recipient under this disclosure. Auditors of the case only:
    the defence's work pattern is not shown to the prosecution."""
    return portal.access_trail(
        session=session, principal=principal, disclosure_id=disclosure_id, client=client
    )


@router.get("/disclosures/{disclosure_id}/notes", response_model=list[NotePublic])
def list_notes(
    disclosure_id: str, principal: CurrentPrincipal, session: SessionDep
) -> list[NotePublic]:
    """The recipient's private notes (visible to their author only)."""
    notes = portal.list_notes(session=session, principal=principal, disclosure_id=disclosure_id)
    return [NotePublic.model_validate(n, from_attributes=True) for n in notes]


@router.post("/disclosures/{disclosure_id}/notes", response_model=NotePublic, status_code=201)
def add_note(
    disclosure_id: str, body: NoteCreate, principal: CurrentPrincipal, session: SessionDep
) -> NotePublic:
    """Add a private note (the recipient only)."""
    note = portal.add_note(
        session=session, principal=principal, disclosure_id=disclosure_id, text=body.text,
        item_id=body.item_id,
    )  # fmt: skip
    return NotePublic.model_validate(note, from_attributes=True)


@router.post(
    "/items/{item_id}/disclosure-flags", response_model=FlagPublic, summary="Disclosure flags"
)
def set_flags(
    item_id: str, body: FlagUpdate, principal: CurrentPrincipal, session: SessionDep,
    client: ClientDep,
) -> FlagPublic:  # fmt: skip
    """`do_not_disclose` blocks an item from every disclosure; `disclosable_original`
    allows disclosing the original when no redaction is needed (case prosecutor)."""
    flag = selection.set_flags(
        session=session, principal=principal, item_id=item_id,
        do_not_disclose=body.do_not_disclose, disclosable_original=body.disclosable_original,
        reason=body.reason, client=client,
    )  # fmt: skip
    return FlagPublic.model_validate(flag, from_attributes=True)


class RevealCreate(BaseModel):
    """The court order under which a withheld input's salt is revealed."""

    order: str = Field(min_length=1, max_length=500, description="the order's reference")


class RevealPublic(BaseModel):
    """A withheld input of a disclosure, unblinded: its hash, salt and commitment."""

    disclosure_id: str
    item_id: str
    sha256: str
    salt: str = Field(description="hex, 16 bytes")
    commitment: str = Field(
        description='hex SHA-256("dalel-withheld/v1\\n" || salt || sha256): as in the '
        "disclosure bundle's `withheld` list"
    )


@router.post(
    "/disclosures/{disclosure_id}/withheld/{item_id}/reveal",
    response_model=RevealPublic,
    summary="Reveal a withheld input (court order)",
)
def reveal_withheld(
    disclosure_id: str, item_id: str, body: RevealCreate, principal: CurrentPrincipal,
    session: SessionDep, client: ClientDep,
) -> RevealPublic:  # fmt: skip
    """A court member of the case reveals the salt of a withheld input's commitment, so
    the defence's bundle can be tied to the court export's file; the order is recorded
    (`disclosure.withheld.revealed`)."""
    revealed = blinding.reveal(
        session=session, principal=principal, disclosure_id=disclosure_id, item_id=item_id,
        order=body.order, client=client,
    )  # fmt: skip
    return RevealPublic.model_validate(revealed)


# Court export and public verification, and the recipient's receipts and notifications,
# live in their own modules, mounted here.
router.include_router(court_router.router)
router.include_router(recipient_router.router)
