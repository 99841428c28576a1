"""Sign-in with password and TOTP, sign-out (here or everywhere), TOTP enrolment, and the
language switch."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from evidence import i18n, service
from evidence.csrf import ensure_pre_session
from evidence.deps import SESSION_COOKIE, ClientDep, SessionDep, SettingsDep
from evidence.errors import AuthenticationFailed, InvalidInput
from evidence.models import ApiKey, Role, TokenKind
from evidence.policy import Principal
from evidence.problems import status_for
from evidence.service import apikeys, preferences, totp, users
from evidence.service.totp import TotpPolicy, TotpRequired
from evidence.sign_in import sign_in
from evidence.throttle import Overloaded, Throttled
from evidence.web.core import (
    LANG_COOKIE,
    Me,
    WebPrincipal,
    WebRoute,
    error_message,
    language,
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
    response = Response()
    ensure_pre_session(request, response)  # the form's CSRF token is tied to it
    rendered = page(request, "login.html", None, error=None, username="")
    for value in response.headers.getlist("set-cookie"):
        rendered.headers.append("set-cookie", value)
    return rendered


@router.post("/login")
async def login(
    request: Request,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    totp: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Sign in; the same guard as the API's (locks, throttles, the refusal pause). A role
    that must enrol an authenticator gets a session that reaches only /account."""
    i18n.activate(language(request))
    try:
        secret, token = await sign_in(
            request, username=username, password=password, totp=totp or None, kind=TokenKind.WEB
        )
    except (AuthenticationFailed, Throttled, Overloaded) as exc:
        i18n.activate(language(request))
        return page(
            request,
            "login.html",
            None,
            status_code=status_for(exc),
            error=error_message(exc),
            username=username,
            need_code=isinstance(exc, TotpRequired),
        )
    response = RedirectResponse("/account" if token.enrol_only else "/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="strict",
        secure=settings.base_url.startswith("https"),
        max_age=settings.token_ttl_minutes * 60,
    )
    _carry_language(request, response, token.user_id)
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
    everywhere: Annotated[str, Form()] = "",
) -> Response:
    """Sign out this browser, or (everywhere=1) every session and token of the person."""
    if principal:
        service.revoke_token(
            session=session, principal=principal, everywhere=everywhere == "1", client=client
        )
    return _signed_out()


@router.get("/account")
def account(request: Request, me: Me, session: SessionDep, settings: SettingsDep) -> Response:
    """Account page: two-factor status and enrolment (a secret to type or paste; no QR)."""
    user = users.get_user(session=session, principal=me)
    policy = TotpPolicy.from_environment(production=settings.is_production)
    secret = _pending_secret(request, me) or totp.new_totp_secret()
    uri = totp.totp_uri(secret=secret, username=me.username)
    response = page(
        request,
        "account.html",
        me,
        enrolled=bool(user.totp_secret),
        required=user.role in policy.roles,
        secret=secret,
        uri=uri,
        qr=qr_data_uri(uri),
        error=None,
        keys=_device_keys(session, me),
    )
    # The same secret on every reload until it is confirmed (a scanned code stays good).
    response.set_cookie(
        PENDING_COOKIE, f"{me.user_id}:{secret}", max_age=3600, path="/account",
        httponly=True, samesite="strict", secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


PENDING_COOKIE = "dalel_totp_pending"
_BASE32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _pending_secret(request: Request, me: Principal) -> str | None:
    """The secret this browser was shown for enrolment and has not confirmed yet."""
    owner, _, secret = request.cookies.get(PENDING_COOKIE, "").partition(":")
    if owner == me.user_id and 16 <= len(secret) <= 64 and set(secret) <= _BASE32:
        return secret
    return None


def qr_data_uri(text: str) -> str:
    """`text` as a QR code: an SVG drawn here (no script, no outside request), as a
    data: URI for an <img>."""
    import base64

    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _device_keys(session: SessionDep, me: Principal) -> list[tuple[ApiKey, str]] | None:
    """The device keys this person may see and revoke: an officer's own, every key for
    administrators; None for everyone else (the section is not shown)."""
    if me.scope != "all" or me.device or me.role not in {Role.OFFICER, Role.ADMIN}:
        return None
    return apikeys.list_api_keys(session=session, principal=me)


@router.post("/account/api-keys/{key_id}/revoke")
def revoke_device_key(key_id: str, me: Me, session: SessionDep, client: ClientDep) -> Response:
    """Stop a device key at once (its officer or an administrator); recorded."""
    apikeys.revoke_api_key(session=session, principal=me, key_id=key_id, client=client)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/totp")
def enrol(
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    secret: Annotated[str, Form()],
    code: Annotated[str, Form()],
    current_code: Annotated[str, Form()] = "",
) -> Response:
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
        i18n.activate(language(request))
        uri = totp.totp_uri(secret=secret, username=me.username)
        return page(
            request,
            "account.html",
            me,
            status_code=400,
            enrolled=bool(users.get_user(session=session, principal=me).totp_secret),
            required=True,
            secret=secret,
            uri=uri,
            qr=qr_data_uri(uri),
            error=i18n.gettext("The code does not match. Check the clock of your device."),
        )
    done = RedirectResponse("/account?done=1", status_code=303)
    done.delete_cookie(PENDING_COOKIE, path="/account")
    return done


def _remember_language(response: Response, code: str) -> None:
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")


@router.get("/lang/{code}")
def switch_language(
    code: str, principal: WebPrincipal, session: SessionDep, next: str | None = None
) -> Response:
    """Remember the chosen interface language for a year (and on the account when signed
    in) and go back to the page."""
    response = RedirectResponse(_local(next), status_code=303)
    if code in i18n.LANGUAGES:
        _remember_language(response, code)
        if principal is not None:
            preferences.set_language(session=session, user_id=principal.user_id, language=code)
    return response


def _carry_language(request: Request, response: Response, user_id: str) -> None:
    """At sign-in a browser that has chosen a language keeps it (and the account learns
    it: the latest choice wins); a browser that has not gets the account's language."""
    cookie = request.cookies.get(LANG_COOKIE)
    with Session(request.app.state.engine) as session:
        if cookie in i18n.LANGUAGES:
            preferences.set_language(session=session, user_id=user_id, language=str(cookie))
        elif chosen := preferences.language_of(session=session, user_id=user_id):
            _remember_language(response, chosen)
