"""Shared web plumbing: templates with gettext, the session cookie, CSRF, the language,
and HTML error pages for domain errors.

The session cookie carries an ordinary bearer token (HttpOnly, SameSite=Strict, Secure
when the site is served over https). Every form posts a CSRF token: an HMAC of the
session secret under the server key, so it needs no server-side storage and dies with
the session.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import Callable, Coroutine
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from evidence import i18n, service
from evidence.deps import SESSION_COOKIE, SessionDep
from evidence.errors import AccessDenied, AuthenticationFailed, EvidenceError, NotFound
from evidence.policy import Principal
from evidence.problems import status_for
from evidence.service import users

HERE = Path(__file__).parent
LANG_COOKIE = "dalel_lang"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
)
templates = Jinja2Templates(env=_env)
_env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=lambda s: i18n.translations(i18n.current()).gettext(s),
    ngettext=lambda s, p, n: i18n.translations(i18n.current()).ngettext(s, p, n),
    newstyle=True,
)
_env.filters.update(
    when=i18n.format_datetime,
    number=i18n.format_number,
    size=i18n.format_size,
    duration=i18n.format_duration,
)
_env.globals.update(LANGUAGES=i18n.LANGUAGES, LANGUAGE_NAMES=i18n.NAMES)


def csrf_token(request: Request) -> str:
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not secret:
        return ""
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, token: str) -> None:
    expected = csrf_token(request)
    if not expected or not hmac.compare_digest(expected, token or ""):
        raise AccessDenied(i18n.gettext("The form has expired. Reload the page and try again."))


def language(request: Request) -> str:
    return i18n.negotiate(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def web_principal(request: Request, session: SessionDep) -> Principal | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    try:
        return service.authenticate(session=session, secret=secret)
    except AuthenticationFailed:
        return None


WebPrincipal = Annotated[Principal | None, Depends(web_principal)]


class SignInNeeded(Exception):
    """Raised by `signed_in` to send the browser to the sign-in (or enrolment) page."""

    def __init__(self, location: str) -> None:
        self.location = location


def signed_in(request: Request, principal: WebPrincipal, session: SessionDep) -> Principal:
    """The signed-in person. Roles that must use TOTP and have not enrolled are held at
    the enrolment page once the grace period is off; during it, pages show a reminder."""
    if principal is None:
        raise SignInNeeded("/login")
    settings = request.app.state.settings
    policy = users.TotpPolicy.from_environment(production=settings.is_production)
    if principal.role in policy.roles and policy.needs_enrolment(
        users.get_user(session=session, principal=principal)
    ):
        if not policy.grace and request.url.path not in {"/account", "/account/totp"}:
            raise SignInNeeded("/account")
        request.state.enrol_due = True
    request.state.principal = principal
    return principal


Me = Annotated[Principal, Depends(signed_in)]


def page(
    request: Request,
    name: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """Render a template in the request's language."""
    lang = language(request)
    i18n.activate(lang)
    context |= {
        "principal": principal,
        "csrf": csrf_token(request),
        "lang": lang,
        "enrol_due": getattr(request.state, "enrol_due", False),
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    }
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    # Pages show evidence metadata: never cache them in shared or browser caches.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    return response


def error_message(exc: Exception) -> str:
    """A translated, plain sentence for the error pages.

    A domain error's message template is a msgid of the catalogs (the error classes are
    extraction keywords); it is translated and then filled with the error's parameters
    (roles and other enumerations in the page's language too, user data as given). An
    untranslated or broken translation falls back to the English sentence.
    """
    if isinstance(exc, users.TotpRequired):
        return i18n.gettext("Enter the 6-digit code from your authenticator app.")
    if isinstance(exc, AuthenticationFailed) and "locked" in str(exc):
        return i18n.gettext("This account is locked after repeated failed sign-ins.")
    if isinstance(exc, AuthenticationFailed):
        return i18n.gettext("Wrong username, password or code.")
    if isinstance(exc, AccessDenied):
        return i18n.gettext("You do not have access to this.")
    if isinstance(exc, NotFound):
        return i18n.gettext("Not found.")
    reason = str(exc)
    template = getattr(exc, "template", "")
    if isinstance(exc, EvidenceError) and template:
        catalog = i18n.translations(i18n.current())
        params = {
            name: catalog.gettext(str(value)) if isinstance(value, Enum) else value
            for name, value in getattr(exc, "params", {}).items()
        }
        translated = catalog.gettext(template)
        # A translation that does not fit its parameters keeps the English sentence.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            reason = translated % params if params else translated
    return i18n.gettext("The request could not be completed: %(reason)s") % {"reason": reason}


class WebRoute(APIRoute):
    """Routes of the pages: domain errors become translated HTML pages, not problem JSON,
    and `SignInNeeded` becomes a redirect."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeeded as exc:
                return RedirectResponse(exc.location, status_code=303)
            except EvidenceError as exc:
                status = status_for(exc)
                if status >= 500:
                    raise
                # The person was resolved by `signed_in` before the error (a second
                # session here would wait for SQLite's lock held by the request's own).
                principal = getattr(request.state, "principal", None) if status != 401 else None
                i18n.activate(language(request))  # the handler's choice stayed in its thread
                return page(
                    request,
                    "error.html",
                    principal,
                    status_code=status,
                    message=error_message(exc),
                )

        return route
