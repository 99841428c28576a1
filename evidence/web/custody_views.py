"""A case's custody timeline page (`/cases/{id}/custody`) and its CSV (auditors)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from evidence.deps import ClientDep, SessionDep
from evidence.policy import Perm, allowed
from evidence.service import custody_timeline
from evidence.service.access import case_role
from evidence.web.core import Me, WebRoute, page

router = APIRouter(include_in_schema=False, route_class=WebRoute)


@router.get("/cases/{case_id}/custody")
def case_custody(
    case_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    person = str(request.query_params.get("person", ""))
    action = str(request.query_params.get("action", ""))
    timeline = custody_timeline.case_timeline(
        session=session, principal=me, case_id=case_id, person=person, action=action,
        client=client,
    )  # fmt: skip
    role = case_role(session, case_id=case_id, user_id=me.user_id)
    may_csv = allowed(principal=me, perm=Perm.CUSTODY_EXPORT, case_role=role)
    session.commit()
    return page(
        request, "case_custody.html", me, case=timeline.case, timeline=timeline,
        person=person, action=action, may_csv=may_csv,
    )  # fmt: skip


@router.get("/cases/{case_id}/custody.csv")
def case_custody_csv(
    case_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    lines = custody_timeline.case_custody_csv(
        session=session, principal=me, case_id=case_id, client=client
    )
    first = next(lines)  # the permission and the record happen before the answer starts

    def body():  # type: ignore[no-untyped-def]
        yield first
        yield from lines

    headers = {"Content-Disposition": f'attachment; filename="custody-{case_id}.csv"'}
    return StreamingResponse(body(), media_type="text/csv; charset=utf-8", headers=headers)
