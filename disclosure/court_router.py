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
from evidence.deps import ClientDep, CurrentPrincipal, LedgerDep, SessionDep, StoreDep

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


@router.post(
    "/verify",
    summary="Public verification of a file or a SHA-256 (no sign-in)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {"type": "object", "properties": {"sha256": {"type": "string"}}}
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
async def verify(request: Request, session: SessionDep) -> dict[str, Any]:
    """Whether the system holds these bytes, with inclusion proofs of their records
    against the current signed checkpoint — and nothing else about the case."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind == "application/json":
        payload = await request.json()
        if not isinstance(payload, dict) or not isinstance(payload.get("sha256"), str):
            raise DisclosureInvalid('send {"sha256": "<64 hex>"} or a file')
        sha256 = payload["sha256"]
    elif kind == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise DisclosureInvalid("multipart field `file` is missing")
        digest = hashlib.sha256()
        while chunk := await upload.read(1 << 20):
            digest.update(chunk)
        sha256 = digest.hexdigest()
    else:
        digest = hashlib.sha256()
        async for chunk in request.stream():
            digest.update(chunk)
        sha256 = digest.hexdigest()
    return await run_in_threadpool(court.verify_hash, session=session, sha256=sha256)
