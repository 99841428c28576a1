"""Plain server-rendered pages: sign-in, my cases, a case with its upload form, an item.

The pages call the same `evidence.service` functions as the API. The session cookie
carries an ordinary bearer token (HttpOnly, SameSite=Strict); forms also carry a CSRF
token bound to that session.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from evidence import service
from evidence.deps import SESSION_COOKIE, ClientDep, SessionDep, SettingsDep, StoreDep
from evidence.errors import AccessDenied, AuthenticationFailed, EvidenceError
from evidence.policy import Principal
from evidence.schemas import ItemCreate
from evidence.streaming import parse_upload

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


def _csrf(settings: Any, secret: str) -> str:
    return hmac.new(settings.secret_key.encode(), secret.encode(), hashlib.sha256).hexdigest()


def web_principal(request: Request, session: SessionDep) -> Principal | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    try:
        return service.authenticate(session=session, secret=secret)
    except AuthenticationFailed:
        return None


WebPrincipal = Annotated[Principal | None, Depends(web_principal)]


def _page(request: Request, name: str, principal: Principal | None, **context: Any) -> Response:
    settings = request.app.state.settings
    secret = request.cookies.get(SESSION_COOKIE, "")
    context |= {"principal": principal, "csrf": _csrf(settings, secret) if secret else ""}
    return templates.TemplateResponse(request, name, context)


def _check_csrf(request: Request, token: str) -> None:
    secret = request.cookies.get(SESSION_COOKIE, "")
    expected = _csrf(request.app.state.settings, secret)
    if not secret or not hmac.compare_digest(expected, token):
        raise AccessDenied("the form has expired; reload the page and try again")


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(principal: WebPrincipal) -> Response:
    return RedirectResponse("/cases" if principal else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return _page(request, "login.html", None, error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    try:
        secret, _ = service.login(
            session=session,
            username=username,
            password=password,
            ttl=timedelta(minutes=settings.token_ttl_minutes),
            slowdown_after=settings.login_slowdown_after,
            lock_after=settings.login_lock_after,
            client=client,
        )
    except AuthenticationFailed as exc:
        return _page(request, "login.html", None, error=str(exc))
    response = RedirectResponse("/cases", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="strict",
        secure=settings.base_url.startswith("https"),
        max_age=settings.token_ttl_minutes * 60,
    )
    return response


@router.post("/logout")
def logout(
    request: Request, principal: WebPrincipal, session: SessionDep, csrf: Annotated[str, Form()]
) -> Response:
    _check_csrf(request, csrf)
    if principal:
        service.revoke_token(session=session, principal=principal)
    response = _to_login()
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/cases", response_class=HTMLResponse)
def cases(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    if principal is None:
        return _to_login()
    rows = service.list_cases(session=session, principal=principal)
    return _page(request, "cases.html", principal, cases=rows)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    case_id: str, request: Request, principal: WebPrincipal, session: SessionDep, client: ClientDep
) -> Response:
    if principal is None:
        return _to_login()
    case = service.get_case(session=session, principal=principal, case_id=case_id, client=client)
    rows = service.list_items(session=session, principal=principal, case_id=case.id, client=client)
    return _page(request, "case.html", principal, case=case, items=rows, message=None)


@router.post("/cases/{case_id}/upload", response_class=HTMLResponse)
async def upload(
    case_id: str,
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    client: ClientDep,
) -> Response:
    if principal is None:
        return _to_login()
    await run_in_threadpool(
        service.authorize_upload,
        session=session,
        principal=principal,
        case_id=case_id,
        client=client,
    )
    incoming = await run_in_threadpool(
        service.receive, store=store, limit=settings.max_upload_bytes
    )
    try:
        filename, fields = await parse_upload(request, incoming, extra_fields=("csrf",))
        _check_csrf(request, fields.pop("csrf", ""))
        fields = {k: v for k, v in fields.items() if v}
        registered = await run_in_threadpool(
            service.register_item,
            session=session,
            principal=principal,
            case_id=case_id,
            incoming=incoming,
            filename=filename,
            metadata=ItemCreate.model_validate(fields),
            client=client,
        )
    except EvidenceError:
        await run_in_threadpool(incoming.abort)
        raise
    return RedirectResponse(f"/items/{registered.item.id}", status_code=303)


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(
    item_id: str, request: Request, principal: WebPrincipal, session: SessionDep, client: ClientDep
) -> Response:
    if principal is None:
        return _to_login()
    item, blob = service.get_item(
        session=session, principal=principal, item_id=item_id, client=client
    )
    return _page(request, "item.html", principal, item=item, blob=blob)
