"""Ledger endpoints that need the access policy: entries and inclusion proofs (need-to-
know), witnesses and their cosignatures.

The public commitments (checkpoint, keys, consistency proofs, tiles) are served by
custody.router, which knows nothing of users; everything here goes through
evidence.service, which decides and records.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field

from evidence import service
from evidence.deps import ClientDep, CurrentPrincipal, PublicRateLimit, SessionDep

router = APIRouter(prefix="/ledger", tags=["ledger"])
_MAX_INDEX = 2**62  # bound every size and index (a 64-bit overflow is a 400, never a 500)
_DENIED = {401: {"description": "sign in first"}, 403: {"description": "not yours to read"}}


class ProofPublic(BaseModel):
    """A Merkle proof: base64 SHA-256 hashes, in RFC 9162 order."""

    hashes: list[str]


@router.get(
    "/entries/{index}",
    summary="One ledger entry (leaf bytes; need-to-know)",
    description=(
        "The leaf at `index`: the RFC 8785 canonical JSON of the custody event, exactly "
        "the bytes hashed as SHA-256(0x00 || leaf). Signed in, and only for who may read "
        "that event: the rule of its item or case (`item.custody`, `case.custody`), system "
        "events for auditors and administrators (`ledger.system`), the defence's events "
        "for that lawyer and auditors. A refusal is recorded. The hashes themselves are "
        "public as tiles (`/ledger/tile/...`)."
    ),
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}},
        **_DENIED,
        404: {"description": "no entry"},
    },
)
def get_entry(
    index: Annotated[int, Path(ge=0, le=_MAX_INDEX)],
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> Response:
    leaf = service.entry_leaf(session=session, principal=principal, index=index, client=client)
    return Response(content=leaf, media_type="application/octet-stream")


@router.get(
    "/proof/inclusion",
    summary="Inclusion proof (need-to-know)",
    description=(
        "RFC 9162 §2.1.3 audit path proving entry `index` is in the tree of `tree_size` "
        "entries (as committed to by a checkpoint of that size), for whoever may read the "
        "entry (the same decision as `GET /ledger/entries/{index}`)."
    ),
    responses={**_DENIED, 404: {"description": "no entry"}},
)
def get_inclusion_proof(
    index: Annotated[int, Query(ge=0, le=_MAX_INDEX)],
    tree_size: Annotated[int, Query(ge=1, le=_MAX_INDEX)],
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> ProofPublic:
    hashes = service.entry_inclusion_proof(
        session=session, principal=principal, index=index, tree_size=tree_size, client=client
    )
    return ProofPublic(hashes=[base64.b64encode(h).decode() for h in hashes])


class CosignatureCreate(BaseModel):
    """A witness's cosignature on the checkpoint of a given size."""

    size: int = Field(ge=0, le=2**62, description="tree size of the checkpoint being cosigned")
    witness_key: str = Field(
        max_length=400, description="witness verifier key `name+hash+base64` (type 0x04)"
    )
    cosignature: str = Field(
        max_length=400, description="the C2SP tlog-cosignature line, `— name base64`"
    )


class CosignaturePublic(BaseModel):
    """A stored cosignature."""

    checkpoint_size: int
    witness: str
    key_id: str
    signed_at: datetime


class WitnessCreate(BaseModel):
    """A witness to trust: its name and its cosignature/v1 verifier key."""

    name: str = Field(min_length=1, max_length=200, description="e.g. court.almaty.kz")
    key: str = Field(
        max_length=400, description="the witness's verifier key `name+hash+base64` (type 0x04)"
    )


class WitnessPublic(BaseModel):
    """A registered witness."""

    name: str
    key: str
    key_id: str
    added_by: str
    added_at: datetime
    removed_at: datetime | None = None


@router.post(
    "/cosignatures",
    status_code=status.HTTP_201_CREATED,
    summary="Submit a witness cosignature",
    description=(
        "A registered witness that checked the checkpoint of `size` (and its consistency "
        "with the last one it cosigned) submits its tlog-cosignature line. Only keys an "
        "administrator registered (`dalel witness add`, `POST /ledger/witnesses`) are "
        "accepted, at most one cosignature per witness per checkpoint; any other key is "
        "refused with 403 and the refusal recorded. No sign-in: the signature is the "
        "credential. Rate-limited per client address (429 with `Retry-After`)."
    ),
    dependencies=[PublicRateLimit],
    responses={
        403: {"description": "the key is not a registered witness"},
        404: {"description": "no checkpoint of that size"},
        409: {"description": "this witness already cosigned that checkpoint"},
    },
)
def post_cosignature(
    session: SessionDep, body: CosignatureCreate, client: ClientDep
) -> CosignaturePublic:
    stored = service.submit_cosignature(
        session=session, size=body.size, witness_key=body.witness_key, line=body.cosignature,
        client=client,
    )  # fmt: skip
    return CosignaturePublic(
        checkpoint_size=body.size,
        witness=stored.key_name,
        key_id=stored.key_id,
        signed_at=stored.signed_at,
    )


def _witness(row) -> WitnessPublic:  # type: ignore[no-untyped-def]
    return WitnessPublic(
        name=row.name, key=row.verifier, key_id=row.key_id, added_by=row.added_by,
        added_at=row.added_at, removed_at=row.removed_at,
    )  # fmt: skip


@router.get("/witnesses", summary="Registered witnesses (administrators, auditors)")
def get_witnesses(
    principal: CurrentPrincipal, session: SessionDep, client: ClientDep, removed: bool = False
) -> list[WitnessPublic]:
    """The witnesses whose cosignatures the log accepts; `?removed=true` adds past ones."""
    rows = service.list_witnesses(
        session=session, principal=principal, include_removed=removed, client=client
    )
    return [_witness(row) for row in rows]


@router.post(
    "/witnesses",
    status_code=status.HTTP_201_CREATED,
    summary="Register a witness (administrators)",
    responses={409: {"description": "that name or key is already registered"}},
)
def post_witness(
    body: WitnessCreate, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> WitnessPublic:
    """Trust a witness's key: from now on its cosignatures are accepted and served."""
    row = service.add_witness(
        session=session, principal=principal, name=body.name, key=body.key, client=client
    )
    return _witness(row)


@router.delete(
    "/witnesses/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a witness (administrators)",
    responses={404: {"description": "no such registered witness"}},
)
def delete_witness(
    name: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> Response:
    """Its cosignatures are no longer accepted, nor served with checkpoints."""
    service.remove_witness(session=session, principal=principal, name=name, client=client)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
