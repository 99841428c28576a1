"""Batch upload: many small files in one request (a tar), registered all or nothing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from evidence.batch import CONTENT_TYPE, batch_from_request
from evidence.deps import ClientDep, CurrentPrincipal, SessionDep, SettingsDep, StoreDep
from evidence.schemas import ItemPublic

router = APIRouter(tags=["items"])


class BatchFilePublic(BaseModel):
    """One file of the batch: the path it had in the tar and the item it is now."""

    path: str
    item: ItemPublic


class BatchPublic(BaseModel):
    created: int = Field(description="files that became new items")
    duplicates: int = Field(
        description="files whose bytes were already an item of the case (or an earlier file "
        "of the batch): each repeat upload is recorded on that item"
    )
    files: list[BatchFilePublic] = Field(description="in the order of the tar")


@router.post(
    "/cases/{case_id}/items/batch",
    response_model=BatchPublic,
    summary="Upload many small files in one tar",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                CONTENT_TYPE: {
                    "schema": {"type": "string", "format": "binary"},
                    "description": "a tar (pax or ustar) of regular files; pax keywords "
                    "DALEL.<field> give metadata, for the batch in the global header and "
                    "per file in a member's header",
                }
            },
        }
    },
)
async def upload_batch(
    case_id: str,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    client: ClientDep,
) -> Any:
    """Store every file of a tar as an original item, in one transaction.

    Each regular member is one file: its path in the tar is kept as `original_path`, its
    last part as the name. Pax keywords carry metadata: `DALEL.source_kind`,
    `DALEL.device`, `DALEL.captured_at`, `DALEL.collected_at`, `DALEL.collected_by`,
    `DALEL.location`, `DALEL.description` (in the global header for every file, or in a
    member's), and per file `DALEL.sha256` (the expected hash; a mismatch refuses the
    batch) and `DALEL.source_modified_at` (ISO 8601 with a time zone: the file's time
    at its source). Bytes already in the case come back with `duplicate: true`, the
    repeat upload recorded on the existing item.

    All or nothing: a truncated or malformed tar, a path that is absolute or contains
    `..`, a link or device member, an empty file, an unknown `DALEL.` keyword, invalid
    metadata, more than `DALEL_BATCH_MAX_FILES` files or `DALEL_BATCH_MAX_BYTES` bytes
    gives a 4xx problem and keeps nothing. Files of many megabytes belong in
    `POST /cases/{case_id}/items` or the resumable protocol.
    """
    result = await batch_from_request(
        request,
        session=session,
        store=store,
        settings=settings,
        principal=principal,
        case_id=case_id,
        client=client,
    )
    files = [
        BatchFilePublic(path=file.path, item=ItemPublic.model_validate(file.fields))
        for file in result.files
    ]
    return BatchPublic(created=result.created, duplicates=result.duplicates, files=files)
