"""Retention pages: a case's category, basis, purpose, dates, holds and purges, and the
list of what is due across cases (prosecutors and administrators). Forms carry the CSRF
token, which the app-wide dependency (`evidence.csrf`) checks before any handler runs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response

from evidence import i18n
from evidence.deps import ClientDep, SessionDep
from evidence.errors import InvalidInput
from evidence.policy import Perm, allowed
from evidence.service import holds, purge, retention, retention_info, retention_settings
from evidence.service.access import case_role
from evidence.service.retention_jobs import after_approval, after_change
from evidence.web.core import Me, WebRoute, page

router = APIRouter(include_in_schema=False, route_class=WebRoute)
Text = Annotated[str, Form()]


def _day(value: str, field: str) -> datetime | None:
    """A date from a form (YYYY-MM-DD, in the display time zone); empty clears it."""
    value = value.strip()
    if not value:
        return None
    try:
        day = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("dates are YYYY-MM-DD") from exc
    del field
    return day if day.tzinfo else day.replace(tzinfo=i18n.display_zone())


@router.get("/cases/{case_id}/retention")
def retention_page(
    case_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    info = retention_info.case_retention(
        session=session, principal=me, case_id=case_id, client=client
    )
    _, table = retention.current_config(session)
    role = case_role(session, case_id=case_id, user_id=me.user_id)
    may = {
        name: allowed(principal=me, perm=perm, case_role=role)
        for name, perm in (
            ("manage", Perm.RETENTION_MANAGE),
            ("lifecycle", Perm.CASE_LIFECYCLE),
            ("hold", Perm.HOLD_SET),
            ("propose", Perm.PURGE_PROPOSE),
        )
    }
    every_hold = holds.list_holds(session=session, principal=me, case_id=case_id, client=client)
    requests = purge.list_purges(session=session, principal=me, case_id=case_id, client=client)
    details = {
        r.id: purge.get_purge(session=session, principal=me, purge_id=r.id, client=client)[1]
        for r in requests
    }
    due = (
        purge.due_items(session=session, principal=me, case_id=case_id, client=client, limit=500)
        if may["propose"]
        else []
    )
    approvable = {r.id for r in requests if purge.may_approve(session, me, r)}
    names = retention.usernames(
        session,
        [h.placed_by for h in every_hold]
        + [h.released_by for h in every_hold]
        + [r.proposed_by for r in requests]
        + [r.decided_by for r in requests],
    )
    session.commit()
    return page(
        request,
        "retention.html",
        me,
        info=info,
        case=info.case,
        table=table,
        may=may,
        holds=every_hold,
        requests=requests,
        details=details,
        due=due,
        approvable=approvable,
        names=names,
        zone=i18n.display_zone(),
    )


@router.post("/cases/{case_id}/retention")
def save_retention(
    case_id: str,
    request: Request,
    tasks: BackgroundTasks,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    category: Text = "",
    legal_basis: Text = "",
    legal_basis_text: Text = "",
    purpose: Text = "",
    purpose_text: Text = "",
) -> Response:
    retention_settings.set_case_retention(
        session=session,
        principal=me,
        case_id=case_id,
        category=category or None,
        basis=retention_settings.Basis(
            legal_basis or None, legal_basis_text, purpose or None, purpose_text
        ),
        client=client,
    )
    after_change(tasks, request.app, session, case_id=case_id)
    return RedirectResponse(f"/cases/{case_id}/retention", status_code=303)


@router.post("/cases/{case_id}/lifecycle")
def save_lifecycle(
    case_id: str,
    request: Request,
    tasks: BackgroundTasks,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    closed_at: Text = "",
    verdict_at: Text = "",
    appeal_ended_at: Text = "",
) -> Response:
    dates = {
        "closed_at": _day(closed_at, "closed_at"),
        "verdict_at": _day(verdict_at, "verdict_at"),
        "appeal_ended_at": _day(appeal_ended_at, "appeal_ended_at"),
    }
    retention_settings.set_lifecycle(
        session=session, principal=me, case_id=case_id, dates=dates, client=client
    )
    after_change(tasks, request.app, session, case_id=case_id)
    return RedirectResponse(f"/cases/{case_id}/retention#dates", status_code=303)


@router.post("/cases/{case_id}/holds")
def place_hold(
    case_id: str,
    request: Request,
    tasks: BackgroundTasks,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    reason: Text,
    item: Text = "",
) -> Response:
    hold = holds.place_hold(
        session=session,
        principal=me,
        case_id=case_id,
        reason=reason,
        item_id=item or None,
        client=client,
    )
    after_change(tasks, request.app, session, case_id=case_id, item_id=hold.item_id)
    back = f"/items/{hold.item_id}#retention" if hold.item_id else f"/cases/{case_id}/retention"
    return RedirectResponse(back, status_code=303)


@router.post("/holds/{hold_id}/release")
def release_hold(
    hold_id: str,
    request: Request,
    tasks: BackgroundTasks,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    reason: Text,
) -> Response:
    hold = holds.release_hold(
        session=session, principal=me, hold_id=hold_id, reason=reason, client=client
    )
    after_change(tasks, request.app, session, case_id=hold.case_id, item_id=hold.item_id)
    return RedirectResponse(f"/cases/{hold.case_id}/retention#holds", status_code=303)


@router.post("/cases/{case_id}/purges")
async def propose(
    case_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    form = await request.form()
    items = [str(v) for v in form.getlist("items")]
    purge.propose_purge(
        session=session,
        principal=me,
        case_id=case_id,
        reason=str(form.get("reason", "")),
        item_ids=items or None,
        client=client,
    )
    return RedirectResponse(f"/cases/{case_id}/retention#purges", status_code=303)


@router.post("/purges/{purge_id}/decide")
def decide(
    purge_id: str,
    request: Request,
    tasks: BackgroundTasks,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    decision: Text,
    reason: Text = "",
) -> Response:
    approve = decision == "approve"
    done = purge.decide_purge(
        session=session,
        principal=me,
        purge_id=purge_id,
        approve=approve,
        reason=reason or None,
        client=client,
    )
    if approve:
        after_approval(tasks, request.app, session, purge_id=purge_id)
    return RedirectResponse(f"/cases/{done.case_id}/retention#purges", status_code=303)


@router.get("/retention")
def due_page(request: Request, me: Me, session: SessionDep) -> Response:
    """What is due across cases: every case (counts only) for administrators, else the
    cases where the caller is a prosecutor."""
    rows = purge.due_cases(session=session, principal=me)
    session.commit()
    return page(request, "retention_due.html", me, rows=rows)
