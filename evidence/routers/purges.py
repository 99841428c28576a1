"""Purges over HTTP: what is due, proposing a purge, the second prosecutor's decision
(thin: `evidence.service.purge` decides everything; the purge job deletes the bytes)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from sqlmodel import Session

from evidence.deps import ClientDep, CurrentPrincipal, SessionDep
from evidence.errors import InvalidInput
from evidence.retention_models import PurgeItem, PurgeRequest
from evidence.retention_schemas import (
    DueCasePublic,
    DueItemPublic,
    PurgeCreate,
    PurgeDecision,
    PurgeItemPublic,
    PurgePublic,
)
from evidence.service import purge
from evidence.service.retention_jobs import after_approval

router = APIRouter(tags=["retention"])


def _purge_public(request: PurgeRequest, items: list[PurgeItem] | None = None) -> PurgePublic:
    body = PurgePublic.model_validate(request, from_attributes=True)
    body.state = str(request.state)
    body.items = [PurgeItemPublic.model_validate(i, from_attributes=True) for i in items or []]
    return body


@router.get("/retention/due", response_model=list[DueCasePublic], summary="Due for purging")
def due(principal: CurrentPrincipal, session: SessionDep) -> list[DueCasePublic]:
    """Per case, what has passed its date and is not held: every case for
    administrators, else the cases where the caller is a prosecutor."""
    return [
        DueCasePublic.model_validate(due, from_attributes=True)
        for due in purge.due_cases(session=session, principal=principal)
    ]


@router.get(
    "/cases/{case_id}/retention/due", response_model=list[DueItemPublic], summary="Due items"
)
def due_items(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[DueItemPublic]:
    rows = purge.due_items(
        session=session, principal=principal, case_id=case_id, client=client, limit=limit
    )
    return [
        DueItemPublic(
            id=item.id,
            name=item.original_name,
            kind=str(item.kind),
            derivative_kind=item.derivative_kind,
            sha256=item.sha256,
            retain_until=own.retain_until,  # type: ignore[arg-type]
        )
        for item, own in rows
    ]


@router.post(
    "/cases/{case_id}/purges",
    response_model=PurgePublic,
    status_code=201,
    summary="Propose a purge",
)
def propose(
    case_id: str,
    body: PurgeCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> PurgePublic:
    """Prosecutor of the case. Refused (409, recorded) when an item is held or not due."""
    request = purge.propose_purge(
        session=session,
        principal=principal,
        case_id=case_id,
        reason=body.reason,
        item_ids=body.items,
        client=client,
    )
    return _purge_detail(session, principal, request.id, client)


def _purge_detail(
    session: Session, principal: Any, purge_id: str, client: str | None
) -> PurgePublic:
    request, items = purge.get_purge(
        session=session, principal=principal, purge_id=purge_id, client=client
    )
    return _purge_public(request, items)


@router.get("/cases/{case_id}/purges", response_model=list[PurgePublic], summary="Purge requests")
def list_purges(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> list[PurgePublic]:
    rows = purge.list_purges(session=session, principal=principal, case_id=case_id, client=client)
    return [_purge_public(r) for r in rows]


@router.get("/purges/{purge_id}", response_model=PurgePublic, summary="A purge request")
def get_purge(
    purge_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> PurgePublic:
    return _purge_detail(session, principal, purge_id, client)


@router.post("/purges/{purge_id}/approve", response_model=PurgePublic, summary="Approve a purge")
def approve(
    purge_id: str,
    request: Request,
    tasks: BackgroundTasks,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
    body: PurgeDecision | None = None,
) -> PurgePublic:
    """A second prosecutor of the case (never the proposer). The purge job then deletes
    the bytes and records `item.purged`; poll this request's state."""
    purge.decide_purge(
        session=session,
        principal=principal,
        purge_id=purge_id,
        approve=True,
        reason=body.reason if body else None,
        client=client,
    )
    result = _purge_detail(session, principal, purge_id, client)
    after_approval(tasks, request.app, session, purge_id=purge_id)
    return result


@router.post("/purges/{purge_id}/reject", response_model=PurgePublic, summary="Reject a purge")
def reject(
    purge_id: str,
    body: PurgeDecision,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> PurgePublic:
    if not (body.reason or "").strip():
        raise InvalidInput("rejecting a purge needs a reason")
    purge.decide_purge(
        session=session,
        principal=principal,
        purge_id=purge_id,
        approve=False,
        reason=body.reason,
        client=client,
    )
    return _purge_detail(session, principal, purge_id, client)
