"""What every disclosure page shares: the templates (with the shared gettext catalogs,
filters and language switch), the page response and its headers, the sign-in redirect
and errors in the page's language."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from disclosure import notify
from evidence import i18n
from evidence.csrf import csrf_token
from evidence.web import core

templates = core.package_templates("disclosure")
templates.globals["notice"] = notify.text
_CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def page(request: Request, name: str, status_code: int = 200, **context: object) -> Response:
    """Render one of our templates in the request's language (`?lang=`, the cookie, the
    browser's `Accept-Language`; see `evidence.web.core.language`). An exception in the
    context (`error=exc`) is shown as its message in that language."""
    lang = core.language(request)
    i18n.activate(lang)
    context = {k: core.reason(v) if isinstance(v, Exception) else v for k, v in context.items()}
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    context |= {"lang": lang, "csrf": csrf_token(request), "path": path}
    context.setdefault("principal", getattr(request.state, "principal", None))
    context["nav"] = core.navigation(request, context["principal"])  # type: ignore[arg-type]
    html = templates.get_template(name).render(request=request, **context)
    response = Response(html, status_code=status_code, media_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def sign_in(request: Request) -> Response:
    """To the sign-in page, and back here afterwards."""
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
