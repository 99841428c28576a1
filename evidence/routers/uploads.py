"""Resumable uploads for large files (bodycam shifts run to tens of gigabytes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from starlette.concurrency import run_in_threadpool

from evidence import service
from evidence.deps import ClientDep, CurrentPrincipal, SessionDep, SettingsDep, StoreDep
from evidence.errors import TooLarge
from evidence.models import UploadSession
from evidence.routers.items import item_public
from evidence.schemas import ItemPublic, UploadCreate, UploadFinalize, UploadPublic

router = APIRouter(tags=["uploads"])
MAX_CHUNK = 64 * 1024 * 1024  # a chunk is buffered whole: bound it


def _public(upload: UploadSession) -> UploadPublic:
    return UploadPublic(
        id=upload.id,
        case_id=upload.case_id,
        size=upload.size,
        offset=upload.received,
        expires_at=upload.expires_at,
    )


@router.post(
    "/cases/{case_id}/uploads", response_model=UploadPublic, status_code=201, summary="Begin upload"
)
def create_upload(
    case_id: str,
    body: UploadCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
) -> UploadPublic:
    """Open a resumable upload: declare name, size, optional SHA-256 and item metadata."""
    service.expire_uploads(session=session, spool_dir=settings.spool_dir)
    upload = service.create_upload(
        session=session,
        principal=principal,
        case_id=case_id,
        request=body,
        spool_dir=settings.spool_dir,
        ttl=timedelta(hours=settings.upload_session_ttl_hours),
        limit=settings.max_upload_bytes,
        client=client,
    )
    return _public(upload)


@router.get("/uploads/{upload_id}", response_model=UploadPublic, summary="Upload progress")
def get_upload(upload_id: str, principal: CurrentPrincipal, session: SessionDep) -> UploadPublic:
    """How many bytes have arrived: resume by sending the next chunk at `offset`."""
    return _public(service.get_upload(session=session, principal=principal, upload_id=upload_id))


@router.put("/uploads/{upload_id}", response_model=UploadPublic, summary="Send a chunk")
async def put_chunk(
    upload_id: str,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    upload_offset: Annotated[int, Header(ge=0, description="where this chunk starts")],
) -> UploadPublic:
    """Raw bytes of the next chunk; `Upload-Offset` must equal the bytes received so far
    (409 otherwise: out of order or overlapping)."""
    if int(request.headers.get("content-length") or 0) > MAX_CHUNK:
        raise TooLarge(f"send chunks of at most {MAX_CHUNK} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_CHUNK:
            raise TooLarge(f"send chunks of at most {MAX_CHUNK} bytes")
        chunks.append(chunk)
    upload = await run_in_threadpool(
        service.append_chunk,
        session=session,
        principal=principal,
        upload_id=upload_id,
        offset=upload_offset,
        chunks=chunks,
        spool_dir=settings.spool_dir,
    )
    return _public(upload)


@router.post(
    "/uploads/{upload_id}/finalize", response_model=ItemPublic, status_code=201, summary="Finish"
)
def finalize(
    upload_id: str,
    body: UploadFinalize,
    principal: CurrentPrincipal,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    client: ClientDep,
    response: Response,
) -> ItemPublic:
    """Store the file if its bytes hash to `sha256`; on mismatch nothing is kept (422)."""
    registered = service.finalize_upload(
        session=session,
        store=store,
        principal=principal,
        upload_id=upload_id,
        sha256=body.sha256,
        spool_dir=settings.spool_dir,
        limit=settings.max_upload_bytes,
        client=client,
    )
    if registered.duplicate:
        response.status_code = 200
    return item_public(registered.item, registered.blob, duplicate=registered.duplicate)


@router.delete("/uploads/{upload_id}", status_code=204, summary="Abandon upload")
def abort(
    upload_id: str, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> None:
    service.abort_upload(
        session=session, principal=principal, upload_id=upload_id, spool_dir=settings.spool_dir
    )
