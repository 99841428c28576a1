"""The investigator's side of evidence requests, on the case (`/cases/{id}/requests`):
send a request (message templates in kk/ru/en), see its link once with a copy button,
follow each request's state, revoke it; and the quarantine — files received through the
links, accepted one by one as evidence or rejected with a reason.

The pages call the same `evidence.service.citizen` functions as the API, so every change
is the same custody event."""

from __future__ import annotations

import hmac
from typing import Any

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from evidence import hooks, i18n
from evidence.citizen_models import EvidenceRequest, SubmissionState
from evidence.deps import ClientDep, MediaDep, SessionDep, SettingsDep, StoreDep
from evidence.errors import InvalidInput
from evidence.i18n import N_
from evidence.models import Case
from evidence.policy import Perm, Principal
from evidence.service import citizen
from evidence.service.access import load_case, permits
from evidence.service.citizen_messages import default_message, invitation, link_for
from evidence.service.citizen_preview import can_preview, preview_submission
from evidence.web.core import (
    Me,
    WebRoute,
    add_template_global,
    language,
    page,
    reason,
    signed_in,
    web_principal,
)

router = APIRouter(include_in_schema=False, route_class=WebRoute)
NEW_LINK_COOKIE = "dalel_new_request"
GiB = 1024**3
MiB = 1024**2
# The states' words, for the catalogs (the models keep them as plain values).
STATE_WORDS = (N_("sent"), N_("opened"), N_("files received"), N_("expired"), N_("revoked"),
               N_("quarantined"), N_("accepted"), N_("rejected"))  # fmt: skip


@jinja2.pass_context
def requests_tab(context: Any, case: Case) -> int | None:
    """For the case's tabs: None when the viewer may not send requests in this case,
    else the number of files waiting in quarantine (the tab's badge)."""
    request = context.get("request")
    session = getattr(getattr(request, "state", None), "nav_session", None)
    principal = context.get("principal")
    if session is None or principal is None or case is None:
        return None
    try:
        if not permits(session, principal=principal, perm=Perm.CITIZEN_REVIEW, case=case):
            return None
        return citizen.count_quarantined(session=session, case_id=case.id)
    except Exception:  # a tab must never take a page down
        return None


add_template_global("requests_tab", requests_tab)


def _int(form: Any, name: str, default: int, *, low: int, high: int) -> int:
    value = str(form.get(name, "") or "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise InvalidInput("%(field)s is not a whole number", field=name) from exc
    if not low <= number <= high:
        raise InvalidInput("%(field)s must be from %(low)d to %(high)d",
                           field=name, low=low, high=high)  # fmt: skip
    return number


def _templates() -> dict[str, str]:
    return {lang: default_message(lang) for lang in i18n.LANGUAGES}


def _render(
    request: Request, me: Principal, session: SessionDep, case_id: str, client: str | None,
    *, created: dict[str, str] | None = None, error: str = "", status_code: int = 200,
    form: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    rows = citizen.list_requests(session=session, principal=me, case_id=case_id, client=client)
    submissions = citizen.list_submissions(
        session=session, principal=me, case_id=case_id, client=client
    )
    case = load_case(session, case_id)
    session.commit()
    return page(
        request, "case_requests.html", me, case=case, requests=rows,
        states={r.id: str(citizen.state_of(r)) for r in rows}, submissions=submissions,
        pending=[s for s, _ in submissions if s.state == SubmissionState.QUARANTINED],
        previews={s.id for s, _ in submissions if can_preview(s)},
        created=created, error=error, form=form or {}, templates=_templates(),
        status_code=status_code,
    )  # fmt: skip


@router.get("/cases/{case_id}/requests")
def requests_page(
    case_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
) -> Response:
    """The case's evidence requests and the files waiting in quarantine; right after a
    request was created, its link (once: the cookie that carried it is cleared)."""
    created = None
    carried = request.cookies.get(NEW_LINK_COOKIE, "")
    request_id, _, token = carried.partition(":")
    row = session.get(EvidenceRequest, request_id) if token else None
    if (
        row is not None
        and row.case_id == case_id
        and row.created_by == me.user_id
        and hmac.compare_digest(citizen.token_digest(token), row.token_hash)
    ):
        link = link_for(settings.base_url, token)
        created = {
            "link": link,
            "text": invitation(row, link)[1],
            "reference": row.reference,
            "emailed": "1" if row.emailed else "",
        }
    response = _render(request, me, session, case_id, client, created=created)
    if carried:
        response.delete_cookie(NEW_LINK_COOKIE, path=f"/cases/{case_id}/requests")
    return response


@router.post("/cases/{case_id}/requests")
async def create(
    case_id: str, request: Request, session: SessionDep, settings: SettingsDep, client: ClientDep
) -> Response:
    """Send a request; the page shows its link once (only its hash is kept)."""
    form = await request.form()
    me = signed_in(request, web_principal(request, session), session)
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    lang = fields.get("language", "kk")
    lang = lang if lang in i18n.LANGUAGES else "kk"
    try:
        per_file = _int(form, "max_file_mb", 0, low=0, high=2**33 // MiB)
        total = _int(form, "max_total_mb", 0, low=0, high=2**43 // MiB)
        new = citizen.NewRequest(
            person_name=fields.get("person_name", "").strip()[:200],
            phone=fields.get("phone", "").strip()[:32] or None,
            email=fields.get("email", "").strip()[:254] or None,
            language=lang,
            message=fields.get("message", "").strip()[:2000] or default_message(lang),
            asked_for=fields.get("asked_for", "").strip()[:1000],
            expires_in_days=_int(form, "expires_in_days", 3, low=1, high=citizen.MAX_DAYS),
            max_files=_int(form, "max_files", 16, low=1, high=100),
            max_file_bytes=per_file * MiB or None,
            max_total_bytes=total * MiB or None,
            show_case_number=fields.get("show_case_number") == "1",
        )
        row, token = citizen.create_request(
            session=session, principal=me, case_id=case_id, new=new,
            max_upload_bytes=settings.max_upload_bytes, client=client,
        )  # fmt: skip
    except InvalidInput as exc:
        i18n.activate(language(request))
        return _render(request, me, session, case_id, client, error=reason(exc),
                       status_code=400, form=fields)  # fmt: skip
    link = link_for(settings.base_url, token)
    subject, text = invitation(row, link)
    if row.email and hooks.of(session).send_mail(row.email, subject, text):
        citizen.mark_emailed(session=session, request=row)
    # Post, then redirect: a reload must not send a second request. The token rides to
    # the page once in a short-lived cookie of this path only (the server keeps its hash).
    response = RedirectResponse(f"/cases/{case_id}/requests#created", status_code=303)
    response.set_cookie(
        NEW_LINK_COOKIE, f"{row.id}:{token}", max_age=300, path=f"/cases/{case_id}/requests",
        httponly=True, samesite="strict", secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


def _back(row: EvidenceRequest | None, case_id: str) -> RedirectResponse:
    return RedirectResponse(f"/cases/{row.case_id if row else case_id}/requests", status_code=303)


@router.post("/cases/{case_id}/requests/{request_id}/revoke")
async def revoke(
    case_id: str, request_id: str, request: Request, session: SessionDep, client: ClientDep
) -> Response:
    """The link stops working at once."""
    await request.form()
    me = signed_in(request, web_principal(request, session), session)
    row = citizen.revoke_request(
        session=session, principal=me, request_id=request_id, client=client
    )
    return _back(row, case_id)


@router.get("/cases/{case_id}/submissions/{submission_id}/preview")
def preview(
    case_id: str, submission_id: str, request: Request, session: SessionDep, store: StoreDep,
    media: MediaDep, client: ClientDep,
) -> Response:  # fmt: skip
    """A quarantined file's thumbnail, decoded and encoded again (never its own bytes)."""
    me = signed_in(request, web_principal(request, session), session)
    jpeg = preview_submission(
        session=session, store=store, media=media, principal=me,
        submission_id=submission_id, client=client,
    )  # fmt: skip
    if jpeg is None:
        return Response(status_code=404)
    # The bytes never change; the browser keeps it for this signed-in session's pages.
    cache = {"Cache-Control": "private, max-age=3600"}
    return Response(jpeg, media_type="image/jpeg", headers=cache)


@router.post("/cases/{case_id}/submissions/{submission_id}/accept")
async def accept(
    case_id: str, submission_id: str, request: Request, session: SessionDep, client: ClientDep
) -> Response:
    """The file becomes an original item of the case and the pipeline runs."""
    await request.form()
    me = signed_in(request, web_principal(request, session), session)
    citizen.accept_submission(
        session=session, principal=me, submission_id=submission_id, client=client
    )
    return _back(None, case_id)


@router.post("/cases/{case_id}/submissions/{submission_id}/reject")
async def reject(
    case_id: str, submission_id: str, request: Request, session: SessionDep, client: ClientDep
) -> Response:
    """The file stays out of the evidence; the reason is recorded."""
    form = await request.form()
    me = signed_in(request, web_principal(request, session), session)
    citizen.reject_submission(
        session=session, principal=me, submission_id=submission_id,
        reason=str(form.get("reason", "") or ""), client=client,
    )  # fmt: skip
    return _back(None, case_id)
