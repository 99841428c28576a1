"""HTTP endpoints of the custody ledger (mounted under /api/v1 by evidence.app).

Thin layer: every handler calls one custody function and shapes its answer. These
endpoints serve what witnesses, courts and defence verify against, so they return the
exact bytes and texts that were signed and hashed.
"""

from __future__ import annotations

import base64
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from custody import checkpoint as checkpoints
from custody import service, tiles
from evidence.deps import SessionDep, get_session

router = APIRouter(prefix="/ledger", tags=["ledger"])

_NOTE = "text/plain; charset=utf-8"
_OCTETS = "application/octet-stream"
# tlog-tiles: the checkpoint is mutable (cache for seconds at most), tiles are immutable.
_MUTABLE = "no-cache"
_IMMUTABLE = "public, max-age=31536000, immutable"


# Ledger indices and sizes are 64-bit in the database; larger ones are refused (422).
MAX_INDEX = 2**63 - 1


class ProofPublic(BaseModel):
    """A Merkle proof: base64 SHA-256 hashes, in RFC 9162 order."""

    hashes: list[str]


def _proof(hashes: list[bytes]) -> ProofPublic:
    return ProofPublic(hashes=[base64.b64encode(h).decode() for h in hashes])


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    summary="Latest signed checkpoint",
    description=(
        "The latest C2SP tlog-checkpoint as a signed note (origin, tree size, base64 root "
        "hash), signed by the log's Ed25519 key(s) and followed by every witness "
        "cosignature (C2SP tlog-cosignature) received for it."
    ),
    responses={200: {"content": {_NOTE: {}}}, 404: {"description": "no checkpoint yet"}},
)
def get_checkpoint(session: SessionDep) -> PlainTextResponse:
    latest = checkpoints.require_latest_checkpoint(session=session)
    note = checkpoints.served_note(session=session, checkpoint=latest)
    return PlainTextResponse(note, headers={"Cache-Control": _MUTABLE})


@router.get(
    "/key",
    response_class=PlainTextResponse,
    summary="Log verifier keys",
    description=(
        "Every C2SP note verifier key (`name+hash+base64`) the log has signed checkpoints "
        "with, one per line, oldest first. Old keys stay listed after rotation so old "
        "checkpoints remain verifiable."
    ),
    responses={200: {"content": {_NOTE: {}}}, 404: {"description": "no key yet"}},
)
def get_keys(session: SessionDep) -> PlainTextResponse:
    return PlainTextResponse(service.verifier_keys_text(session=session))


def _tile_cache(app: FastAPI) -> tiles.TileCache:
    cache = getattr(app.state, "tile_cache", None)
    if cache is None:  # one per application (and so per database); a race only costs a miss
        cache = app.state.tile_cache = tiles.TileCache()
    return cache


def _read_tile(request: Request, ref: tiles.TileRef) -> bytes:
    state = request.app.state
    with contextmanager(get_session)(request) as session:
        # Checkpoints only grow: while a tile lies below the largest size seen, that size
        # answers, and a miss costs one range read (the checkpoint is read again only for
        # a tile past it).
        size = getattr(state, "tile_size", 0)
        if ref.end_entry() > size:
            latest = checkpoints.latest_checkpoint(session=session)
            size = state.tile_size = latest.size if latest else 0
        return tiles.tile_hashes(session=session, ref=ref, size=size)


def _matches(header: str, etag: str) -> bool:
    return any(tag.strip() in ("*", etag, "W/" + etag) for tag in header.split(","))


@router.get(
    "/tile/{path:path}",
    summary="Merkle tree hash tile (C2SP tlog-tiles)",
    description=(
        "`tile/<L>/<N>[.p/<W>]`: 256 (or, partial, W) consecutive Merkle Tree Hashes of "
        "height 8·L, concatenated (32 bytes each; level 0 holds leaf hashes). `<N>` is "
        "written in 3-digit path elements, all but the last prefixed with `x` "
        "(1234067 → `x001/x234/067`). Only tiles covered by the latest signed checkpoint "
        "are served; each is immutable (long-lived `Cache-Control`, `ETag`, 304 on "
        "`If-None-Match`), so witnesses and courts can mirror the log and compute any "
        "proof themselves. Entry bundles (leaf bytes) are not public."
    ),
    response_class=Response,
    responses={
        200: {"content": {_OCTETS: {}}},
        304: {"description": "not modified"},
        404: {"description": "no such tile (yet)"},
    },
)
async def get_tile(path: str, request: Request) -> Response:
    ref = tiles.parse_tile_path(path)
    cache = _tile_cache(request.app)
    tile = cache.get(ref)
    if tile is None:  # a hit touches no database: tiles never change once they exist
        tile = cache.put(ref, await run_in_threadpool(_read_tile, request, ref))
    headers = {"Cache-Control": _IMMUTABLE, "ETag": tile.etag}
    if _matches(request.headers.get("if-none-match", ""), tile.etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(tile.data, media_type=_OCTETS, headers=headers)


@router.get(
    "/proof/consistency",
    summary="Consistency proof",
    description=(
        "RFC 9162 §2.1.4 proof that the tree of `first` entries is a prefix of the tree of "
        "`second` entries. Empty when the sizes are equal."
    ),
)
def get_consistency_proof(
    session: SessionDep,
    first: Annotated[int, Query(ge=1, le=MAX_INDEX)],
    second: Annotated[int, Query(ge=1, le=MAX_INDEX)],
) -> ProofPublic:
    return _proof(service.consistency_proof(session=session, first=first, second=second))
