"""Resumable uploads for large files (bodycam shifts run to tens of gigabytes).

Stateless: a session lives in the database and its bytes in the object store, so the
chunks of one upload may go to different API processes and hosts."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from evidence import service
from evidence.chunks import with_body
from evidence.deps import ClientDep, CurrentPrincipal, SessionDep, SettingsDep, StoreDep
from evidence.errors import TooLarge
from evidence.models import UploadSession
from evidence.routers.items import item_public
from evidence.schemas import ItemPublic, UploadCreate, UploadFinalize, UploadPublic

router = APIRouter(tags=["uploads"])
MAX_CHUNK = 64 * 1024 * 1024  # S3 backends buffer a chunk whole (one part): bound it


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
    store: StoreDep,
    client: ClientDep,
) -> UploadPublic:
    """Open a resumable upload: declare name, size, optional SHA-256 and item metadata.
    The session is kept in the database, so its chunks may go to any API server."""
    service.expire_uploads(session=session, store=store)
    upload = service.create_upload(
        session=session,
        store=store,
        principal=principal,
        case_id=case_id,
        request=body,
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
    store: StoreDep,
    upload_offset: Annotated[int, Header(ge=0, le=2**62, description="where this chunk starts")],
) -> UploadPublic:
    """Raw bytes of the next chunk, at most 64 MiB (16 MiB is a good size; on S3 every
    chunk but the last should be at least 5 MiB, smaller ones wait in staging for the
    next). `Upload-Offset` must equal the bytes received so far (409 otherwise: out of
    order or overlapping; 409 too while another request writes the same upload). The
    offset advances only once the chunk is stored: after a cut connection, ask
    `GET /uploads/{id}` — of any server — and send from there."""
    if int(request.headers.get("content-length") or 0) > MAX_CHUNK:
        raise TooLarge("send chunks of at most %(max)s bytes", max=MAX_CHUNK)
    upload = await with_body(
        request,
        lambda chunks: service.append_chunk(
            session=session,
            store=store,
            principal=principal,
            upload_id=upload_id,
            offset=upload_offset,
            chunks=chunks,
        ),
        limit=MAX_CHUNK,
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
    """Store the file if its bytes hash to `sha256` (the hash of every chunk, carried in
    the session from chunk to chunk); on mismatch nothing is kept (422)."""
    registered = service.finalize_upload(
        session=session,
        store=store,
        principal=principal,
        upload_id=upload_id,
        sha256=body.sha256,
        limit=settings.max_upload_bytes,
        client=client,
    )
    if registered.duplicate:
        response.status_code = 200
    return item_public(
        registered.item, registered.blob, duplicate=registered.duplicate,
        provenance=registered.provenance, name=registered.name,
    )  # fmt: skip


@router.delete("/uploads/{upload_id}", status_code=204, summary="Abandon upload")
def abort(
    upload_id: str, principal: CurrentPrincipal, session: SessionDep, store: StoreDep
) -> None:
    """Abandon the upload: its session goes and its parts in the object store with it."""
    service.abort_upload(session=session, store=store, principal=principal, upload_id=upload_id)
