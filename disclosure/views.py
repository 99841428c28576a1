"""Server-rendered pages: the defence portal (`/portal`) and the public verify page
(`/verify`). Mounted at the site root by evidence.app (not under /api/v1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from disclosure import listing, notify, portal, prosecution_views, receipts
from disclosure.errors import DisclosureError
from disclosure.web import page, sign_in
from evidence.deps import ClientDep, SessionDep
from evidence.models import Role
from evidence.web.core import WebPrincipal

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)


@router.get("/portal")
def portal_home(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    if principal is None:
        return sign_in(request)
    rows = listing.listed(session, principal)
    return page(request, "portal.html", rows=rows, principal=principal)


@router.get("/court-export")
def court_export_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    """The cases whose court export the caller may download (court and prosecution)."""
    if principal is None:
        return sign_in(request)
    cases = listing.exportable_cases(session, principal)
    return page(request, "court_export.html", cases=cases, principal=principal)


@router.get("/portal/disclosures/{disclosure_id}")
def portal_disclosure(
    disclosure_id: str,
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> Response:
    if principal is None:
        return sign_in(request)
    try:
        disclosure = portal.get_disclosure(
            session=session, principal=principal, disclosure_id=disclosure_id, client=client
        )
        notes, receipt_rows, choices = [], [], []
        if principal.role is Role.DEFENCE:
            notes = portal.list_notes(
                session=session, principal=principal, disclosure_id=disclosure_id
            )
        else:  # the prosecution sees what was delivered, not how the defence works
            receipt_rows = [
                receipt for receipt, _ in receipts.list_receipts(
                    session=session, principal=principal, disclosure_id=disclosure_id,
                    client=client,
                )
            ]  # fmt: skip
            if principal.role is Role.PROSECUTOR and disclosure.status == "active":
                held = {e.source_id for e in disclosure.items if e.withdrawn_in is None}
                choices = [
                    c for c in prosecution_views.choices(
                        session, principal, disclosure.case_id, client
                    )
                    if c["id"] not in held
                ]  # fmt: skip
    except DisclosureError as exc:
        return page(request, "portal.html", 404, rows=[], error=exc,
                    principal=principal)  # fmt: skip
    return page(
        request, "disclosure.html", disclosure=disclosure, notes=notes, principal=principal,
        receipts=receipt_rows, choices=choices,
    )  # fmt: skip


@router.post("/portal/disclosures/{disclosure_id}/notes")
def portal_note(
    disclosure_id: str,
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    text: Annotated[str, Form()],
) -> Response:
    if principal is None:
        return sign_in(request)
    portal.add_note(session=session, principal=principal, disclosure_id=disclosure_id, text=text)
    return RedirectResponse(f"/portal/disclosures/{disclosure_id}", status_code=303)


@router.get("/portal/notifications")
def notifications_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    """The signed-in user's notifications (e.g. the defence first opened a disclosure)."""
    if principal is None:
        return sign_in(request)
    rows = notify.list_notifications(session=session, user_id=principal.user_id)
    response = page(request, "notifications.html", notifications=rows, principal=principal)
    for row in rows:  # shown once as new (the navigation's count falls to zero)
        if row.read_at is None:
            notify.mark_read(session=session, user_id=principal.user_id, notification_id=row.id)
    session.commit()
    return response


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request, principal: WebPrincipal) -> Response:
    """Public: hash a file in the browser, ask POST /api/v1/verify. No sign-in."""
    return page(request, "verify_public.html", principal=principal)


@router.get("/verify/bundle", response_class=HTMLResponse)
def verify_bundle_page() -> Response:
    """The bundle verifier online: the same self-contained page that travels in bundles
    (files are checked in the browser and never uploaded)."""
    body = (HERE / "static" / "verify.html").read_bytes()
    # The same policy as the page's own <meta>, plus what only a header can say.
    csp = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
           "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")  # fmt: skip
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": csp}
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/portal/static/verify-public.js")
def verify_js() -> Response:
    body = (HERE / "static" / "verify-public.js").read_bytes()
    return Response(body, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


# The prosecution's pages (disclose, revoke) are mounted with these.
router.include_router(prosecution_views.router)
