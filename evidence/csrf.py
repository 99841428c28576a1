"""Cross-site request forgery: one dependency, applied where the routers are included.

A state-changing request (anything but GET, HEAD, OPTIONS) that a browser could be
tricked into sending with our cookie must prove it comes from our own pages: either
its `Origin` is this site, or it carries the CSRF token (header `X-CSRF-Token`, query
parameter `csrf`, or — for url-encoded forms only — the form field `csrf`). That covers

* every request authenticated by the session cookie (web forms and the API alike;
  a request with an `Authorization` or `X-API-Key` header ignores the cookie), and
* the sign-in form (login CSRF), against a token tied to a pre-session cookie.

The check runs before the body is read: a multipart upload is refused before a single
byte of its file is streamed (its form carries the token in the query string). The
token is an HMAC of the session secret under the server key (no server-side state).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

from evidence import i18n
from evidence.deps import SESSION_COOKIE
from evidence.errors import AccessDenied

# Before sign-in there is no session: the login form's token is tied to this cookie.
PRE_SESSION_COOKIE = "dalel_presession"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Unauthenticated forms that still need the token: signing in as someone else is an
# attack too (the victim's uploads would land in the attacker's account).
PRE_SESSION_PATHS = frozenset({"/login"})
# Routes that never read the cookie: a password exchange grants nothing ambient.
EXEMPT_PATHS = frozenset({"/api/v1/auth/token"})


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def csrf_token(request: Request) -> str:
    """The token of this browser: from its session, else from its pre-session cookie."""
    secret = request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_SESSION_COOKIE, "")
    if not secret:
        return ""
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def ensure_pre_session(request: Request, response: Response) -> None:
    """Give a browser without a session the cookie its login token is tied to."""
    if request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_SESSION_COOKIE):
        return
    value = secrets.token_urlsafe(24)
    request.cookies[PRE_SESSION_COOKIE] = value  # so the page rendered now carries the token
    response.set_cookie(PRE_SESSION_COOKIE, value, httponly=True, samesite="strict")


def same_origin(request: Request) -> bool:
    """Whether the browser says the request comes from this site's own pages."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        own = {_origin(request.app.state.settings.base_url), _origin(str(request.base_url))}
        return origin.lower() in own
    return request.headers.get("sec-fetch-site") == "same-origin"


def _needs_check(request: Request) -> bool:
    if request.method in SAFE_METHODS or request.url.path in EXEMPT_PATHS:
        return False
    if request.headers.get("authorization") or request.headers.get("x-api-key"):
        return False  # the cookie is ignored: nothing ambient to forge
    return SESSION_COOKIE in request.cookies or request.url.path in PRE_SESSION_PATHS


async def require_csrf(request: Request) -> None:
    """FastAPI dependency: refuse a forgeable state-changing request (403)."""
    if not _needs_check(request) or same_origin(request):
        return
    expected = csrf_token(request)
    given = request.headers.get(HEADER) or request.query_params.get("csrf") or ""
    content_type = request.headers.get("content-type", "")
    if not given and content_type.startswith("application/x-www-form-urlencoded"):
        # Small by nature; Starlette caches the parsed form for the handler.
        given = str((await request.form()).get("csrf") or "")
    if not expected or not hmac.compare_digest(expected, given):
        raise AccessDenied(i18n.gettext("The form has expired. Reload the page and try again."))
