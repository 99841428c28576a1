"""Evidence requests to victims and witnesses: the staff API (the person's side, with no
account, is `citizen_link`).

Staff routes need a case member who may `citizen.request` / `citizen.review`. Files are
never served back.
"""

from __future__ import annotations

from fastapi import APIRouter

from evidence import hooks
from evidence.citizen_models import EvidenceRequest, Submission
from evidence.citizen_schemas import (
    RejectBody,
    RequestCreate,
    RequestCreated,
    RequestPublic,
    SubmissionPublic,
)
from evidence.deps import (
    ClientDep,
    CurrentPrincipal,
    SessionDep,
    SettingsDep,
)
from evidence.schemas import IdPath
from evidence.service import citizen
from evidence.service.citizen_messages import default_message, invitation, link_for

router = APIRouter(tags=["evidence requests"])


def request_public(row: EvidenceRequest) -> RequestPublic:
    return RequestPublic(
        **row.model_dump(exclude={"token_hash", "created_by", "revoked_by"}),
        state=citizen.state_of(row),
    )


@router.post(
    "/cases/{case_id}/evidence-requests",
    response_model=RequestCreated,
    status_code=201,
    summary="Ask a victim or witness for files",
)
def create_request(
    case_id: IdPath,
    body: RequestCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
) -> RequestCreated:
    """A one-time link (shown once, e-mailed when an address is given) through which the
    person uploads without an account; it expires (default 3 days, at most 30)."""
    fields = body.model_dump()
    fields["message"] = fields["message"] or default_message(body.language)
    row, token = citizen.create_request(
        session=session, principal=principal, case_id=case_id,
        new=citizen.NewRequest(**fields), max_upload_bytes=settings.max_upload_bytes,
        client=client,
    )  # fmt: skip
    link = link_for(settings.base_url, token)
    if row.email:
        subject, text = invitation(row, link)
        if hooks.of(session).send_mail(row.email, subject, text):
            citizen.mark_emailed(session=session, request=row)
    return RequestCreated(**request_public(row).model_dump(), link=link)


@router.get(
    "/cases/{case_id}/evidence-requests",
    response_model=list[RequestPublic],
    summary="Evidence requests of a case",
)
def list_requests(
    case_id: IdPath, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> list[RequestPublic]:
    rows = citizen.list_requests(
        session=session, principal=principal, case_id=case_id, client=client
    )
    return [request_public(r) for r in rows]


@router.post(
    "/evidence-requests/{request_id}/revoke",
    response_model=RequestPublic,
    summary="Revoke a request's link",
)
def revoke_request(
    request_id: IdPath, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> RequestPublic:
    row = citizen.revoke_request(
        session=session, principal=principal, request_id=request_id, client=client
    )
    return request_public(row)


def submission_public(row: Submission, request: EvidenceRequest) -> SubmissionPublic:
    return SubmissionPublic(
        **row.model_dump(exclude={"leaf_hash", "case_id", "decided_by"}),
        request_reference=request.reference,
    )


@router.get(
    "/cases/{case_id}/submissions",
    response_model=list[SubmissionPublic],
    summary="Files received through requests (quarantine)",
)
def list_submissions(
    case_id: IdPath, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> list[SubmissionPublic]:
    """Quarantined files first: not evidence of the case until accepted."""
    rows = citizen.list_submissions(
        session=session, principal=principal, case_id=case_id, client=client
    )
    return [submission_public(s, r) for s, r in rows]


@router.post(
    "/submissions/{submission_id}/accept",
    response_model=SubmissionPublic,
    summary="Accept a file as evidence",
)
def accept(
    submission_id: IdPath, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> SubmissionPublic:
    """It becomes an original item (source kind `citizen`) and the pipeline runs."""
    citizen.accept_submission(
        session=session, principal=principal, submission_id=submission_id, client=client
    )
    row = session.get(Submission, submission_id)
    assert row is not None
    request = session.get(EvidenceRequest, row.request_id)
    assert request is not None
    return submission_public(row, request)


@router.post(
    "/submissions/{submission_id}/reject", response_model=SubmissionPublic, summary="Reject a file"
)
def reject(
    submission_id: IdPath,
    body: RejectBody,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> SubmissionPublic:
    row = citizen.reject_submission(
        session=session, principal=principal, submission_id=submission_id,
        reason=body.reason, client=client,
    )  # fmt: skip
    request = session.get(EvidenceRequest, row.request_id)
    assert request is not None
    return submission_public(row, request)
