"""Sign-in with password and TOTP, sign-out (here or everywhere), TOTP enrolment, and the
language switch."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from evidence import i18n, service
from evidence.deps import SESSION_COOKIE, ClientDep, SessionDep, SettingsDep
from evidence.errors import AuthenticationFailed, InvalidInput
from evidence.models import Role
from evidence.service import totp, users
from evidence.web.core import (
    LANG_COOKIE,
    Me,
    WebPrincipal,
    WebRoute,
    check_csrf,
    error_message,
    page,
)

router = APIRouter(include_in_schema=False, route_class=WebRoute)


def _local(target: str | None, default: str = "/cases") -> str:
    """Only same-site paths may be redirect targets (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@router.get("/")
def home(principal: WebPrincipal) -> Response:
    """Each role's start page: defence lawyers work in their portal, others in cases."""
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    start = "/portal" if principal.role is Role.DEFENCE else "/cases"
    return RedirectResponse(start, status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    return page(request, "login.html", None, error=None, username="")


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    totp: Annotated[str, Form()] = "",
) -> Response:
    i18n.activate(i18n.negotiate(request.cookies.get(LANG_COOKIE), None))
    try:
        secret, _ = service.login(
            session=session,
            username=username,
            password=password,
            ttl=timedelta(minutes=settings.token_ttl_minutes),
            slowdown_after=settings.login_slowdown_after,
            lock_after=settings.login_lock_after,
            client=client,
            totp=totp or None,
            totp_policy=users.TotpPolicy.from_environment(production=settings.is_production),
            for_enrolment=True,  # held at /account until enrolled (see core.signed_in)
        )
    except AuthenticationFailed as exc:
        i18n.activate(i18n.negotiate(request.cookies.get(LANG_COOKIE), None))
        return page(
            request,
            "login.html",
            None,
            status_code=401,
            error=error_message(exc),
            username=username,
            need_code=isinstance(exc, users.TotpRequired),
        )
    response = RedirectResponse("/", status_code=303)  # the home page picks by role
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="strict",
        secure=settings.base_url.startswith("https"),
        max_age=settings.token_ttl_minutes * 60,
    )
    return response


def _signed_out() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    client: ClientDep,
    csrf: Annotated[str, Form()],
    everywhere: Annotated[str, Form()] = "",
) -> Response:
    """Sign out this browser, or (everywhere=1) every session and token of the person."""
    check_csrf(request, csrf)
    if principal:
        service.revoke_token(
            session=session, principal=principal, everywhere=everywhere == "1", client=client
        )
    return _signed_out()


@router.get("/account")
def account(request: Request, me: Me, session: SessionDep, settings: SettingsDep) -> Response:
    """Account page: two-factor status and enrolment (a secret to type or paste; no QR)."""
    user = users.get_user(session=session, principal=me)
    policy = users.TotpPolicy.from_environment(production=settings.is_production)
    secret = totp.new_totp_secret()
    return page(
        request,
        "account.html",
        me,
        enrolled=bool(user.totp_secret),
        required=user.role in policy.roles,
        secret=secret,
        uri=totp.totp_uri(secret=secret, username=me.username),
        error=None,
    )


@router.post("/account/totp")
def enrol(
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    csrf: Annotated[str, Form()],
    secret: Annotated[str, Form()],
    code: Annotated[str, Form()],
    current_code: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        totp.enrol_totp(
            session=session,
            principal=me,
            secret=secret,
            code=code,
            current_code=current_code or None,
            client=client,
        )
    except (InvalidInput, AuthenticationFailed):
        i18n.activate(i18n.negotiate(request.cookies.get(LANG_COOKIE), None))
        return page(
            request,
            "account.html",
            me,
            status_code=400,
            enrolled=bool(users.get_user(session=session, principal=me).totp_secret),
            required=True,
            secret=secret,
            uri=totp.totp_uri(secret=secret, username=me.username),
            error=i18n.gettext("The code does not match. Check the clock of your device."),
        )
    return RedirectResponse("/account?done=1", status_code=303)


@router.get("/lang/{code}")
def switch_language(code: str, next: str | None = None) -> Response:
    """Remember the chosen interface language for a year and go back to the page."""
    response = RedirectResponse(_local(next), status_code=303)
    if code in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
    return response
