"""Server-rendered pages: the defence portal (`/portal`) and the public verify page
(`/verify`). Mounted at the site root by evidence.app (not under /api/v1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from disclosure import notify, portal, receipts
from disclosure.errors import DisclosureError
from disclosure.i18n import LANGUAGES, translator
from evidence.deps import ClientDep, SessionDep
from evidence.models import Role
from evidence.web.core import LANG_COOKIE, WebPrincipal, check_csrf, csrf_token

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)
_CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or ""
    if lang in LANGUAGES:
        return lang
    accept = request.headers.get("accept-language", "")
    return next((code for code in LANGUAGES if accept.startswith(code)), "ru")


def _page(request: Request, name: str, status_code: int = 200, **context: object) -> Response:
    lang = _lang(request)
    context |= {"t": translator(lang), "lang": lang, "csrf": csrf_token(request)}
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _sign_in(request: Request) -> Response:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


@router.get("/portal")
def portal_home(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    if principal is None:
        return _sign_in(request)
    disclosures = portal.list_mine(session=session, principal=principal)
    return _page(request, "portal.html", disclosures=disclosures, principal=principal)


@router.get("/portal/disclosures/{disclosure_id}")
def portal_disclosure(
    disclosure_id: str,
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> Response:
    if principal is None:
        return _sign_in(request)
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
        return _page(request, "portal.html", 404, disclosures=[], error=str(exc),
                     principal=principal)  # fmt: skip
    return _page(
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
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if principal is None:
        return _sign_in(request)
    check_csrf(request, csrf)
    portal.add_note(session=session, principal=principal, disclosure_id=disclosure_id, text=text)
    return RedirectResponse(f"/portal/disclosures/{disclosure_id}", status_code=303)


@router.get("/portal/notifications")
def notifications_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    """The signed-in user's notifications (e.g. the defence first opened a disclosure)."""
    if principal is None:
        return _sign_in(request)
    rows = notify.list_notifications(session=session, user_id=principal.user_id)
    return _page(request, "notifications.html", notifications=rows, principal=principal)


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request) -> Response:
    """Public: hash a file in the browser, ask POST /api/v1/verify. No sign-in."""
    return _page(request, "verify_public.html")


@router.get("/verify/bundle", response_class=HTMLResponse)
def verify_bundle_page() -> Response:
    """The bundle verifier online: the same self-contained page that travels in bundles
    (files are checked in the browser and never uploaded)."""
    body = (HERE / "static" / "verify.html").read_bytes()
    return Response(body, media_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "no-cache"})  # fmt: skip


@router.get("/portal/static/verify-public.js")
def verify_js() -> Response:
    body = (HERE / "static" / "verify-public.js").read_bytes()
    return Response(body, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


# The prosecution's pages (disclose, revoke) are mounted with these.
from disclosure import prosecution_views  # noqa: E402

router.include_router(prosecution_views.router)
