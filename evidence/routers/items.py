"""Items: streamed upload, metadata, content with Range, custody history."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from evidence import service
from evidence.deps import (
    ClientDep,
    CurrentPrincipal,
    LedgerDep,
    SessionDep,
    SettingsDep,
    StoreDep,
)
from evidence.headers import content_headers
from evidence.models import Blob, Item
from evidence.problems import problem_response
from evidence.ranges import parse_range
from evidence.schemas import CustodyPublic, ItemPublic
from evidence.streaming import upload_from_request
from evidence.validation import check_sha256

router = APIRouter(tags=["items"])
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def item_public(
    item: Item,
    blob: Blob,
    *,
    duplicate: bool = False,
    provenance: bool = True,
    name: str | None = None,
) -> ItemPublic:
    """The API shape; without `provenance` (`item.provenance`: a disclosure's recipient,
    an officer whose upload matched someone else's item) the item's origin stays out."""
    shown = item.model_dump() if provenance else service.without_provenance(item)
    if name is not None:
        shown["original_name"] = name
    return ItemPublic.model_validate(
        {**shown, "size": blob.size, "media_type": blob.media_type, "duplicate": duplicate}
    )


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
                            "device": {"type": "string", "maxLength": 120},
                            "captured_at": {"type": "string", "format": "date-time"},
                            "collected_at": {"type": "string", "format": "date-time"},
                            "collected_by": {"type": "string", "maxLength": 200},
                            "location": {"type": "string", "maxLength": 300},
                            "description": {"type": "string", "maxLength": 2000},
                            "original_path": {"type": "string", "maxLength": 1024},
                            "source_modified_at": {
                                "type": "string",
                                "format": "date-time",
                                "description": "the file's modification time at its source",
                            },
                            "sha256": {
                                "type": "string",
                                "maxLength": 64,
                                "description": "expected SHA-256",
                            },
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
    registered = await upload_from_request(
        request,
        session=session,
        store=store,
        settings=settings,
        principal=principal,
        case_id=case_id,
        client=client,
    )
    body = item_public(
        registered.item, registered.blob, duplicate=registered.duplicate,
        provenance=registered.provenance, name=registered.name,
    )  # fmt: skip
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
    return [
        item_public(item, blob, provenance=service.sees_provenance(session, principal, item))
        for item, blob in rows
    ]


@router.get("/items/{item_id}", response_model=ItemPublic, summary="Item metadata")
def get_item(
    item_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> ItemPublic:
    """Viewing metadata is itself recorded in the item's custody chain."""
    item, blob = service.get_item(
        session=session, principal=principal, item_id=item_id, client=client
    )
    return item_public(item, blob, provenance=service.sees_provenance(session, principal, item))


@router.get(
    "/items/{item_id}/content",
    summary="Item bytes",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}},
        206: {"description": "the requested range", "content": {"application/octet-stream": {}}},
        416: problem_response("no byte of the file is in the range (`Content-Range: */size`)"),
    },
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
    """The exact stored bytes. Supports one `Range: bytes=a-b`, `a-` or `-n` (RFC 9110;
    other Range headers are ignored and the whole file is sent). Every read, ranges
    included, is recorded in custody before the first byte is sent. Served with a
    sandboxing Content-Security-Policy; types a browser could execute (HTML, SVG, …)
    always as an attachment."""
    wanted = parse_range(request.headers.get("range"))
    opened = service.open_content(
        session=session,
        store=store,
        principal=principal,
        item_id=item_id,
        byte_range=wanted,
        download=download,
        client=client,
    )
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Length": str(opened.length),
        "ETag": f'"{opened.blob.sha256}"',
        "Digest": f"sha-256={opened.blob.sha256}",
        **content_headers(
            media_type=opened.blob.media_type,
            filename=opened.item.original_name,
            download=download,
        ),
    }
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
    return CustodyPublic.model_validate(result.as_json())


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
    return [
        item_public(item, blob, provenance=service.sees_provenance(session, principal, item))
        for item, blob in rows
    ]
