"""Items: streamed upload, metadata, content with Range, custody history."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from evidence import service
from evidence.deps import (
    ClientDep,
    CurrentPrincipal,
    LedgerDep,
    SessionDep,
    SettingsDep,
    StoreDep,
)
from evidence.errors import InvalidInput, TooLarge
from evidence.models import Blob, Item
from evidence.schemas import CustodyPublic, ItemCreate, ItemPublic
from evidence.streaming import parse_upload
from evidence.validation import check_sha256

router = APIRouter(tags=["items"])
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_MULTIPART_OVERHEAD = 64 * 1024


def item_public(item: Item, blob: Blob, *, duplicate: bool = False) -> ItemPublic:
    return ItemPublic.model_validate(
        {
            **item.model_dump(),
            "size": blob.size,
            "media_type": blob.media_type,
            "duplicate": duplicate,
        }
    )


def _metadata(fields: dict[str, str]) -> tuple[ItemCreate, str | None]:
    expected = fields.pop("sha256", None)
    try:
        metadata = ItemCreate.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
    return metadata, check_sha256(expected) if expected else None


@router.post(
    "/cases/{case_id}/items",
    response_model=ItemPublic,
    status_code=201,
    summary="Upload evidence",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "source_kind": {
                                "type": "string",
                                "enum": [
                                    "bodycam",
                                    "phone",
                                    "cctv",
                                    "document",
                                    "photo",
                                    "audio",
                                    "other",
                                ],
                            },
                            "device": {"type": "string"},
                            "captured_at": {"type": "string", "format": "date-time"},
                            "collected_at": {"type": "string", "format": "date-time"},
                            "collected_by": {"type": "string"},
                            "location": {"type": "string"},
                            "description": {"type": "string"},
                            "original_path": {"type": "string"},
                            "sha256": {"type": "string", "description": "expected SHA-256"},
                        },
                    }
                }
            },
        }
    },
)
async def upload_item(
    case_id: str,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    client: ClientDep,
) -> Any:
    """Stream one file into the vault, hashing it in the same pass.

    The response is 201 for a new item, 200 with `duplicate: true` when the same bytes
    are already in this case (the repeat upload is still recorded in custody). For files
    of many gigabytes prefer the resumable `/cases/{case_id}/uploads` protocol.
    """
    declared = int(request.headers.get("content-length") or 0)
    if declared > settings.max_upload_bytes + _MULTIPART_OVERHEAD:
        raise TooLarge(f"the file exceeds the upload limit of {settings.max_upload_bytes} bytes")
    await run_in_threadpool(
        service.authorize_upload,
        session=session,
        principal=principal,
        case_id=case_id,
        client=client,
    )
    incoming = await run_in_threadpool(
        service.receive, store=store, limit=settings.max_upload_bytes
    )
    try:
        filename, fields = await parse_upload(request, incoming)
        metadata, expected = _metadata(fields)
    except Exception:
        await run_in_threadpool(incoming.abort)
        raise
    registered = await run_in_threadpool(
        service.register_item,
        session=session,
        principal=principal,
        case_id=case_id,
        incoming=incoming,
        filename=filename,
        metadata=metadata,
        expected_sha256=expected,
        client=client,
    )
    body = item_public(registered.item, registered.blob, duplicate=registered.duplicate)
    return JSONResponse(
        body.model_dump(mode="json"), status_code=200 if registered.duplicate else 201
    )


@router.get("/cases/{case_id}/items", response_model=list[ItemPublic], summary="Items of a case")
def list_items(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
    sha256: str | None = None,
) -> list[ItemPublic]:
    """`?sha256=` finds items with those bytes (clients use it to skip re-uploads)."""
    rows = service.list_items(
        session=session,
        principal=principal,
        case_id=case_id,
        sha256=check_sha256(sha256) if sha256 else None,
        client=client,
    )
    return [item_public(item, blob) for item, blob in rows]


@router.get("/items/{item_id}", response_model=ItemPublic, summary="Item metadata")
def get_item(
    item_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> ItemPublic:
    """Viewing metadata is itself recorded in the item's custody chain."""
    item, blob = service.get_item(
        session=session, principal=principal, item_id=item_id, client=client
    )
    return item_public(item, blob)


def _parse_range(header: str | None) -> tuple[int, int | None] | None:
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if not match or match.groups() == ("", ""):
        raise InvalidInput("only a single `bytes=start-end` range is supported")
    start, end = match.groups()
    if start == "":  # suffix range: the last N bytes
        return -int(end), None
    return int(start), int(end) if end else None


@router.get(
    "/items/{item_id}/content",
    summary="Item bytes",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, 206: {"description": "range"}},
)
def content(
    item_id: str,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    store: StoreDep,
    client: ClientDep,
    download: bool = False,
) -> Response:
    """The exact stored bytes. Supports `Range: bytes=a-b` (video seeking). Every read,
    ranges included, is recorded in custody before the first byte is sent."""
    wanted = _parse_range(request.headers.get("range"))
    start, end = wanted if wanted else (0, None)
    if start < 0:  # suffix range needs the size first
        _, blob = service.get_item(
            session=session, principal=principal, item_id=item_id, client=client, record=False
        )
        start, end = max(0, blob.size + start), None
    opened = service.open_content(
        session=session,
        store=store,
        principal=principal,
        item_id=item_id,
        start=start,
        end=end,
        download=download,
        client=client,
    )
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(opened.length),
        "ETag": f'"{opened.blob.sha256}"',
        "Digest": f"sha-256={opened.blob.sha256}",
    }
    if download:
        headers["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(opened.item.original_name)}"
        )
    status = 200
    if wanted:
        status = 206
        last = opened.start + opened.length - 1
        headers["Content-Range"] = f"bytes {opened.start}-{last}/{opened.blob.size}"
    return StreamingResponse(
        opened.chunks, status_code=status, media_type=opened.blob.media_type, headers=headers
    )


@router.get("/items/{item_id}/custody", response_model=CustodyPublic, summary="Custody history")
def custody_history(
    item_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    ledger: LedgerDep,
    client: ClientDep,
) -> CustodyPublic:
    """Every event of the item, oldest first, as the exact ledger leaves, each with an
    inclusion proof to the signed checkpoint returned alongside (verify them against
    `GET /ledger/key`). The read itself is the last event."""
    result = service.item_custody(
        session=session, principal=principal, item_id=item_id, ledger=ledger, client=client
    )
    return CustodyPublic.model_validate(service.custody_json(result))


@router.get(
    "/items/{item_id}/derivatives", response_model=list[ItemPublic], summary="Derived items"
)
def derivatives(
    item_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> list[ItemPublic]:
    """Proxies, thumbnails, transcripts, OCR, redacted versions and unpacked children of
    an item; each is an item itself (same endpoints), naming its inputs and tool."""
    rows = service.list_derivatives(
        session=session, principal=principal, item_id=item_id, client=client
    )
    return [item_public(item, blob) for item, blob in rows]
