"""Cases and members."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from evidence import service
from evidence.deps import ClientDep, CurrentPrincipal, SessionDep
from evidence.models import User
from evidence.schemas import CaseCreate, CasePublic, MemberCreate, MemberPublic

router = APIRouter(tags=["cases"])


@router.post("/cases", response_model=CasePublic, status_code=201, summary="Open a case")
def create_case(
    body: CaseCreate, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> CasePublic:
    """Prosecutors and investigators open cases by their 15-digit ЕРДР number."""
    case = service.create_case(
        session=session, principal=principal, number=body.number, title=body.title, client=client
    )
    return CasePublic.model_validate(case)


@router.get("/cases", response_model=list[CasePublic], summary="My cases")
def list_cases(
    principal: CurrentPrincipal, session: SessionDep, client: ClientDep, number: str | None = None
) -> list[CasePublic]:
    """Cases the caller is a member of; `?number=` finds one by its ЕРДР number."""
    if number is not None:
        case = service.find_case(session=session, principal=principal, number=number, client=client)
        return [CasePublic.model_validate(case)]
    return [
        CasePublic.model_validate(c)
        for c in service.list_cases(session=session, principal=principal)
    ]


@router.get("/cases/{case_id}", response_model=CasePublic, summary="A case")
def get_case(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> CasePublic:
    case = service.get_case(session=session, principal=principal, case_id=case_id, client=client)
    return CasePublic.model_validate(case)


@router.get("/cases/{case_id}/members", response_model=list[MemberPublic], summary="Members")
def list_members(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> list[MemberPublic]:
    rows = service.list_members(
        session=session, principal=principal, case_id=case_id, client=client
    )
    return [
        MemberPublic(username=u.username, full_name=u.full_name, role=m.role, added_at=m.added_at)
        for m, u in rows
    ]


@router.post(
    "/cases/{case_id}/members", response_model=MemberPublic, status_code=201, summary="Add member"
)
def add_member(
    case_id: str,
    body: MemberCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> MemberPublic:
    """Need-to-know: only members see a case. Recorded in the case's custody chain."""
    member = service.add_member(
        session=session,
        principal=principal,
        case_id=case_id,
        username=body.username,
        role=body.role,
        client=client,
    )
    user = session.get(User, member.user_id)
    assert user is not None
    return MemberPublic(
        username=user.username, full_name=user.full_name, role=member.role, added_at=member.added_at
    )


@router.delete("/cases/{case_id}/members/{username}", status_code=204, summary="Remove member")
def remove_member(
    case_id: str, username: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> None:
    """Only a prosecutor of the case removes a prosecutor, and never the last one (409)."""
    service.remove_member(
        session=session, principal=principal, case_id=case_id, username=username, client=client
    )


class CaseTransfer(BaseModel):
    username: str = Field(max_length=64, description="the prosecutor who takes the case")
    reason: str = Field(min_length=1, max_length=500, examples=["reassigned, order 114"])
    replaces: str | None = Field(
        default=None, max_length=64, description="the prosecutor who leaves it, if any"
    )


@router.post(
    "/cases/{case_id}/transfer",
    response_model=MemberPublic,
    summary="Transfer a case to another prosecutor (admin)",
)
def transfer_case(
    case_id: str,
    body: CaseTransfer,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> MemberPublic:
    """A case keeps at least one prosecutor: members cannot remove the last one, and
    only a prosecutor of the case removes another. When the prosecution itself cannot
    (the only prosecutor left the office), an administrator approves a transfer: the
    new prosecutor joins and, with `replaces`, the old one leaves; the reason is recorded
    in the case's custody chain. Administrators still read nothing of the case."""
    member = service.transfer_case(
        session=session,
        principal=principal,
        case_id=case_id,
        username=body.username,
        reason=body.reason,
        replaces=body.replaces,
        client=client,
    )
    user = session.get(User, member.user_id)
    assert user is not None
    return MemberPublic(
        username=user.username, full_name=user.full_name, role=member.role, added_at=member.added_at
    )
