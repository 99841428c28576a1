"""HTTP endpoints of the custody ledger (mounted under /api/v1 by evidence.app).

Thin layer: every handler calls one custody function and shapes its answer. These
endpoints serve what witnesses, courts and defence verify against, so they return the
exact bytes and texts that were signed and hashed.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from custody import checkpoint as checkpoints
from custody import service
from evidence.deps import SessionDep

router = APIRouter(prefix="/ledger", tags=["ledger"])

_NOTE = "text/plain; charset=utf-8"


class ProofPublic(BaseModel):
    """A Merkle proof: base64 SHA-256 hashes, in RFC 9162 order."""

    hashes: list[str]


class CosignatureCreate(BaseModel):
    """A witness's cosignature on the checkpoint of a given size."""

    size: int = Field(ge=0, description="tree size of the checkpoint being cosigned")
    witness_key: str = Field(description="witness verifier key `name+hash+base64` (type 0x04)")
    cosignature: str = Field(description="the C2SP tlog-cosignature line, `— name base64`")


class CosignaturePublic(BaseModel):
    """A stored cosignature."""

    checkpoint_size: int
    witness: str
    key_id: str
    signed_at: datetime


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
    return PlainTextResponse(checkpoints.served_note(session=session, checkpoint=latest))


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


@router.get(
    "/entries/{index}",
    summary="One ledger entry (leaf bytes)",
    description=(
        "The leaf at `index`: the RFC 8785 canonical JSON of the custody event, exactly "
        "the bytes hashed as SHA-256(0x00 || leaf)."
    ),
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}},
        404: {"description": "no entry"},
    },
)
def get_entry(session: SessionDep, index: int) -> Response:
    leaf = service.entry_leaf(session=session, index=index)
    return Response(content=leaf, media_type="application/octet-stream")


@router.get(
    "/proof/inclusion",
    summary="Inclusion proof",
    description=(
        "RFC 9162 §2.1.3 audit path proving entry `index` is in the tree of `tree_size` "
        "entries (as committed to by a checkpoint of that size)."
    ),
)
def get_inclusion_proof(
    session: SessionDep,
    index: Annotated[int, Query(ge=0)],
    tree_size: Annotated[int, Query(ge=1)],
) -> ProofPublic:
    return _proof(service.inclusion_proof(session=session, index=index, size=tree_size))


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
    first: Annotated[int, Query(ge=1)],
    second: Annotated[int, Query(ge=1)],
) -> ProofPublic:
    return _proof(service.consistency_proof(session=session, first=first, second=second))


@router.post(
    "/cosignatures",
    status_code=status.HTTP_201_CREATED,
    summary="Submit a witness cosignature",
    description=(
        "A witness that checked the checkpoint of `size` (and its consistency with the "
        "last one it cosigned) submits its tlog-cosignature line. The signature is verified "
        "before it is stored; verifiers decide which witnesses they trust."
    ),
)
def post_cosignature(session: SessionDep, body: CosignatureCreate) -> CosignaturePublic:
    stored = checkpoints.add_cosignature(
        session=session, size=body.size, witness_key=body.witness_key, line=body.cosignature
    )
    session.commit()
    return CosignaturePublic(
        checkpoint_size=body.size,
        witness=stored.key_name,
        key_id=stored.key_id,
        signed_at=stored.signed_at,
    )
