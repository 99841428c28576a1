"""REST endpoints for courts and the public: the court export of a case, and
`POST /verify` (no sign-in). Included in disclosure.router."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from disclosure import court
from disclosure.errors import DisclosureInvalid
from disclosure.published import release_version, verifier_hashes
from evidence import service
from evidence.deps import (
    ClientDep,
    CurrentPrincipal,
    LedgerDep,
    OptionalPrincipal,
    PublicRateLimit,
    SessionDep,
    StoreDep,
)

router = APIRouter(tags=["court"])
_ZIP: dict[int | str, dict[str, Any]] = {200: {"content": {"application/zip": {}}}}


@router.get(
    "/cases/{case_id}/court-export",
    summary="Court export of a case (ZIP)",
    response_class=StreamingResponse,
    responses=_ZIP,
)
def court_export(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, store: StoreDep,
    ledger: LedgerDep, client: ClientDep, language: str = "en",
) -> Response:  # fmt: skip
    """Originals, derivatives, custody bundle manifest, offline verifier and the
    chain-of-custody report PDF (court members and the case prosecutor)."""
    path = court.court_export(
        session=session, store=store, principal=principal, ledger=ledger, case_id=case_id,
        language=language, client=client,
    )  # fmt: skip
    headers = {"Content-Disposition": f'attachment; filename="{path.name}"',
               "Content-Length": str(path.stat().st_size)}  # fmt: skip
    return StreamingResponse(
        court.stream_and_remove(path), media_type="application/zip", headers=headers
    )


_VERIFY_DOC = (
    "Anyone may ask whether a file (multipart `file`, raw `application/octet-stream` body, "
    'or `{"sha256": "<64 hex>"}`) is one the system released: delivered to a disclosure\'s '
    "recipient or written into a court or custody export. A released file's answer "
    '(`"released": true`) carries each release\'s ledger event (naming only the hash, the '
    "time and the kind of release) with its inclusion proof to the signed checkpoint. "
    'Every other file gets one and the same answer, `{"released": false}`, byte for byte, '
    "whether the system holds it or not. Signed in, the answer adds `sha256`, `held` and "
    "`items`: whether cases in which the caller is a court or prosecution member hold the "
    "bytes, each with its first custody event and proof (recorded as `item.verified`). "
    "Rate-limited per client address (`DALEL_PUBLIC_REQUESTS_PER_MINUTE`; 429 with "
    "`Retry-After`)."
)


@router.post(
    "/verify",
    summary="Verify a file or a SHA-256: released files only (no sign-in)",
    description=_VERIFY_DOC,
    dependencies=[PublicRateLimit],
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"sha256": {"type": "string", "maxLength": 64}},
                    }
                },
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
async def verify(
    request: Request, principal: OptionalPrincipal, session: SessionDep, client: ClientDep
) -> dict[str, Any]:
    """Hash what was sent (streamed: never held whole), then answer for this caller."""
    sha256 = await _sha256_of(request)
    return await run_in_threadpool(
        service.verify_file, session=session, principal=principal, sha256=sha256, client=client
    )


async def _sha256_of(request: Request) -> str:
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind == "application/json":
        try:
            payload = await request.json()
        except ValueError as exc:
            raise DisclosureInvalid('send {"sha256": "<64 hex>"} or a file') from exc
        if not isinstance(payload, dict) or not isinstance(payload.get("sha256"), str):
            raise DisclosureInvalid('send {"sha256": "<64 hex>"} or a file')
        return str(payload["sha256"])[:200]
    digest = hashlib.sha256()
    if kind == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise DisclosureInvalid("multipart field `file` is missing")
        while chunk := await upload.read(1 << 20):
            digest.update(chunk)
    else:
        async for chunk in request.stream():
            digest.update(chunk)
    return digest.hexdigest()


@router.get(
    "/ledger/verifier",
    tags=["ledger"],
    summary="SHA-256 of this release's genuine verifiers (no sign-in)",
    description=(
        "The SHA-256 of the `verifier.py` and `verify.html` this release ships (and puts in "
        "every bundle). Compare the copy in a bundle before running it; the README and the "
        "signed statement inside each bundle carry the same hashes."
    ),
)
def verifier() -> dict[str, Any]:
    return {"version": release_version(), "sha256": verifier_hashes()}
