"""Setting a case up in the browser: open a case (the ЕРДР number checked as it is
typed, and again by the service), change its title and status, and choose its members
from the people who may join it (filtered by role), each shown with the day they joined.

A refused form comes back with the reason in the page's language and the fields as
typed; the services change nothing unless every check passed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from evidence import service
from evidence.deps import ClientDep, SessionDep
from evidence.errors import EvidenceError
from evidence.policy import Perm, Principal
from evidence.service import accounts
from evidence.service.access import load_case, permits, require
from evidence.service.cases import CASE_STATUSES, update_case
from evidence.web.core import Me, WebRoute, localized_reason, page

router = APIRouter(include_in_schema=False, route_class=WebRoute)


@router.get("/cases/new")
def new_case(request: Request, me: Me, session: SessionDep, client: ClientDep) -> Response:
    require(session, principal=me, perm=Perm.CASE_CREATE, client=client)
    session.commit()
    return page(request, "case_new.html", me, typed={}, error=None)


@router.post("/cases/new")
def create_case(
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    number: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
) -> Response:
    try:
        case = service.create_case(
            session=session, principal=me, number=number, title=title, client=client
        )
    except EvidenceError as exc:
        session.rollback()
        typed = {"number": number, "title": title}
        return page(
            request,
            "case_new.html",
            me,
            status_code=400,
            typed=typed,
            error=localized_reason(request, exc),
        )
    return RedirectResponse(f"/cases/{case.id}/members?done=created", status_code=303)


def _members_page(
    request: Request,
    me: Principal,
    session: SessionDep,
    client: str | None,
    case_id: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    members = service.list_members(session=session, principal=me, case_id=case_id, client=client)
    case = load_case(session, case_id)
    may_manage = permits(session, principal=me, perm=Perm.CASE_MANAGE, case=case)
    candidates = (
        accounts.member_candidates(session=session, principal=me, case_id=case_id, client=client)
        if may_manage
        else []
    )
    adders = _names(session, {m.added_by for m, _ in members})
    session.commit()
    context.setdefault("error", None)
    return page(
        request, "case_members.html", me, status_code=status_code, case=case,
        members=members, adders=adders, candidates=candidates, may_manage=may_manage,
        member_roles=sorted({str(c.role) for c in candidates}), statuses=CASE_STATUSES,
        message=request.query_params.get("done", ""), **context,
    )  # fmt: skip


def _names(session: SessionDep, ids: set[str]) -> dict[str, str]:
    from sqlmodel import col, select

    from evidence.models import User

    rows = session.exec(select(User.id, User.username).where(col(User.id).in_(ids))).all()
    return dict(rows)


@router.get("/cases/{case_id}/members")
def members(
    case_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    return _members_page(request, me, session, client, case_id)


def _back(case_id: str, done: str) -> Response:
    return RedirectResponse(f"/cases/{case_id}/members?done={done}", status_code=303)


def _refused(
    request: Request, me: Principal, session: SessionDep, client: str | None, case_id: str,
    exc: EvidenceError, **typed: str,
) -> Response:  # fmt: skip
    session.rollback()
    return _members_page(
        request,
        me,
        session,
        client,
        case_id,
        status_code=400,
        error=localized_reason(request, exc),
        typed=typed,
    )


@router.post("/cases/{case_id}/members")
def add_member(
    case_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    username: Annotated[str, Form()] = "",
) -> Response:
    try:
        service.add_member(
            session=session, principal=me, case_id=case_id, username=username.strip(),
            client=client,
        )  # fmt: skip
    except EvidenceError as exc:
        return _refused(request, me, session, client, case_id, exc, username=username)
    return _back(case_id, "added")


@router.post("/cases/{case_id}/members/{username}/remove")
def remove_member(
    case_id: str, username: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    try:
        service.remove_member(
            session=session, principal=me, case_id=case_id, username=username, client=client
        )
    except EvidenceError as exc:
        return _refused(request, me, session, client, case_id, exc)
    return _back(case_id, "removed")


@router.post("/cases/{case_id}/details")
def change_details(
    case_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    title: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
) -> Response:
    try:
        update_case(
            session=session, principal=me, case_id=case_id, title=title, status=status or None,
            client=client,
        )  # fmt: skip
    except EvidenceError as exc:
        return _refused(request, me, session, client, case_id, exc, title=title)
    return _back(case_id, "saved")
