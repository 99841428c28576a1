"""Shared web plumbing: templates with gettext, the session cookie, CSRF, the language,
and HTML error pages for domain errors.

The session cookie carries a web session token (HttpOnly, SameSite=Strict, Secure when
the site is served over https), valid only as that cookie. Every form carries the CSRF
token of `evidence.csrf`, whose dependency checks it on every router.
"""

from __future__ import annotations

import contextlib
import logging
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
from evidence.csrf import csrf_token
from evidence.deps import SESSION_COOKIE, SessionDep
from evidence.errors import (
    AccessDenied,
    AuthenticationFailed,
    EvidenceError,
    NotFound,
    TranslatableError,
)
from evidence.models import TokenKind
from evidence.policy import Principal
from evidence.problems import status_for
from evidence.service import users
from evidence.service.totp import TotpPolicy, TotpRequired
from evidence.web import labels, nav

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
LANG_COOKIE = "dalel_lang"
PUBLIC_PATHS = ("/r/", "/receipts")  # pages of people without an account
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


def action_label(code: object) -> str:
    """A custody action (`item.content.read`) in the page's language; unknown codes as they
    are."""
    label = labels.ACTIONS.get(str(code))
    return i18n.gettext(label) if label else str(code)


def stage_labels() -> dict[str, str]:
    """Every job stage's name in the page's language (for the item page's script)."""
    return {name: i18n.gettext(label) for name, label in labels.STAGES.items()}


def with_offset(moment: object) -> str:
    """A local date and time with its UTC offset, «02.12.2026 13:05 (UTC+05:00)»; takes a
    datetime or an event's RFC 3339 text."""
    from datetime import datetime, timedelta

    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00")) if moment else None
    if not isinstance(moment, datetime):
        return ""
    offset = moment.astimezone(i18n.display_zone()).utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{i18n.format_datetime(moment)} (UTC{sign}{hours:02d}:{rest:02d})"


_env.globals["stage_labels"] = stage_labels
_env.filters.update(
    action=action_label,
    when=i18n.format_datetime,
    when_offset=with_offset,
    number=i18n.format_number,
    size=i18n.format_size,
    duration=i18n.format_duration,
)
_env.globals.update(LANGUAGES=i18n.LANGUAGES, LANGUAGE_NAMES=i18n.NAMES)


def add_template_global(name: str, value: object) -> None:
    """Make `value` available as `name` in every page template (a page module's helper)."""
    _env.globals[name] = value


def package_templates(package: str) -> jinja2.Environment:
    """The template environment of another package's pages: its own `templates/` first,
    then the shared layout, with the same gettext (one catalog for every package),
    filters and globals."""
    loader = jinja2.ChoiceLoader([jinja2.PackageLoader(package, "templates"), _env.loader])  # type: ignore[list-item]
    env = _env.overlay(loader=loader)
    env.globals = dict(_env.globals)  # an overlay shares its parent's dict: ours to extend
    return env


def language(request: Request) -> str:
    """The page's language: `?lang=` (a link for this page), else the switch's cookie
    (not on the public's pages), else the browser's `Accept-Language`, else Kazakh."""
    asked = request.query_params.get("lang")
    if asked in i18n.LANGUAGES:
        return str(asked)
    # The public's pages (a person's link) follow the browser, not a staff switch's cookie.
    cookie = None if request.url.path.startswith(PUBLIC_PATHS) else request.cookies.get(LANG_COOKIE)
    return i18n.negotiate(cookie, request.headers.get("accept-language"))


def web_principal(request: Request, session: SessionDep) -> Principal | None:
    request.state.nav_session = session  # the navigation's counts, when a page renders
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    try:
        return service.authenticate(session=session, secret=secret, kind=TokenKind.WEB)
    except AuthenticationFailed:
        return None


WebPrincipal = Annotated[Principal | None, Depends(web_principal)]


class SignInNeeded(Exception):
    """Raised by `signed_in` to send the browser to the sign-in (or enrolment) page."""

    def __init__(self, location: str) -> None:
        self.location = location


# The only pages an enrolment-only session reaches (see `signin.login`).
ENROLMENT_PATHS = frozenset({"/account", "/account/totp", "/logout"})


def signed_in(request: Request, principal: WebPrincipal, session: SessionDep) -> Principal:
    """The signed-in person. A session that may only enrol an authenticator (roles that
    must use TOTP, grace period off) is held at the enrolment page; during the grace
    period, pages show a reminder instead."""
    if principal is None:
        raise SignInNeeded("/login")
    if principal.scope == "enrol":
        if request.url.path not in ENROLMENT_PATHS:
            raise SignInNeeded("/account")
        request.state.enrol_due = True
    else:
        settings = request.app.state.settings
        policy = TotpPolicy.from_environment(production=settings.is_production)
        if principal.role in policy.roles and policy.needs_enrolment(
            users.get_user(session=session, principal=principal)
        ):
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
    wasm: bool = False,
    img_sources: tuple[str, ...] = (),
    env: jinja2.Environment | None = None,
    **context: Any,
) -> Response:
    """Render a template in the request's language.

    `wasm` lets the page's own scripts compile WebAssembly (hash-wasm, pdf.js decoders):
    'wasm-unsafe-eval' allows no JavaScript eval. `img_sources` adds origins the page may
    load images from (an agency's map tile server). `env`: another package's templates
    (`package_templates`)."""
    lang = language(request)
    i18n.activate(lang)
    context |= {
        "principal": principal,
        "csrf": csrf_token(request),
        "lang": lang,
        "enrol_due": getattr(request.state, "enrol_due", False),
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "nav": navigation(request, principal),
    }
    chosen = templates if env is None else Jinja2Templates(env=env)
    response = chosen.TemplateResponse(request, name, context, status_code=status_code)
    # Pages show evidence metadata: never cache them in shared or browser caches.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = content_security_policy(
        wasm=wasm, img_sources=img_sources
    )
    return response


def navigation(request: Request, principal: Principal | None) -> list[nav.Link]:
    """The navigation entries of `principal` (see `evidence.web.nav`), counted with the
    request's own database session (a second one could wait on SQLite's write lock)."""
    session = getattr(request.state, "nav_session", None)
    try:
        return nav.links(session, principal)
    except Exception:  # a count must never take a page down (a rolled-back session)
        log.exception("navigation counts failed")
        return nav.links(None, principal)


def content_security_policy(*, wasm: bool = False, img_sources: tuple[str, ...] = ()) -> str:
    """The pages' policy: scripts, styles, media and workers from this server only, no
    inline script."""
    script = "script-src 'self' 'wasm-unsafe-eval'; " if wasm else ""
    images = " ".join(("'self'", "data:", *img_sources))
    return (
        f"default-src 'self'; {script}img-src {images}; media-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def reason(exc: Exception) -> str:
    """A domain error's message in the page's language.

    The message template is a msgid of the catalogs (every `TranslatableError` subclass
    is an extraction keyword); it is translated and then filled with the error's
    parameters (enumerations such as roles in the page's language too, user data as
    given). An untranslated or broken translation falls back to the English sentence.
    """
    text = str(exc)
    template = getattr(exc, "template", "")
    if isinstance(exc, TranslatableError) and template:
        catalog = i18n.translations(i18n.current())
        params = {
            name: catalog.gettext(str(value)) if isinstance(value, Enum) else value
            for name, value in exc.params.items()
        }
        translated = catalog.gettext(template)
        # A translation that does not fit its parameters keeps the English sentence.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            text = translated % params if params else translated
    return text


_env.globals["reason"] = reason


def localized_reason(request: Request, exc: Exception) -> str:
    """A domain error's message in the language of the page that made the request."""
    i18n.activate(language(request))
    return reason(exc)


def error_message(exc: Exception) -> str:
    """A translated, plain sentence for the error pages (sign-in and access failures say
    no more than they must; other errors give their reason)."""
    if isinstance(exc, TotpRequired):
        return i18n.gettext("Enter the 6-digit code from your authenticator app.")
    if isinstance(exc, AuthenticationFailed):
        return i18n.gettext("Wrong username, password or code.")
    if isinstance(exc, AccessDenied):
        return i18n.gettext("You do not have access to this.")
    if isinstance(exc, NotFound):
        return i18n.gettext("Not found.")
    return i18n.gettext("The request could not be completed: %(reason)s") % {"reason": reason(exc)}


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


def http_error_page(request: Request, status: int) -> Response:
    """An unknown address (404) or a wrong method (405) as a page in the reader's
    language, with the navigation of whoever is signed in (the API keeps problem JSON)."""
    from sqlmodel import Session

    with Session(request.app.state.engine) as session:
        request.state.nav_session = session
        principal = web_principal(request, session)
        i18n.activate(language(request))
        message = (
            i18n.gettext("There is no page at this address.")
            if status == 404
            else i18n.gettext("This page cannot be used that way.")
        )
        return page(request, "error.html", principal, status_code=status, message=message)
