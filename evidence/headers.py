"""Security headers on every response, and the headers of served evidence bytes.

An ASGI middleware (not Starlette's BaseHTTPMiddleware, which would buffer streamed
bodies) adds what a route did not set itself: `nosniff`, no framing, no referrer to
other sites, and a restrictive default Content-Security-Policy. Pages set their own
policy; evidence content gets `content_headers` — a sandbox, so a hostile HTML or SVG
upload can never run script in our origin, and a Content-Disposition that makes the
browser download anything it could execute.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
# Evidence shown directly in the browser: no script, no plugins, no forms, no framing.
CONTENT_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; "
    "style-src 'unsafe-inline'; frame-ancestors 'self'"
)
# Browsers' PDF viewers refuse to run in a sandboxed document; they isolate the file's
# own scripts themselves.
PDF_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
_DEFAULTS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", DEFAULT_CSP.encode()),
    (b"cross-origin-opener-policy", b"same-origin"),
)
# Types a browser displays without running anything; everything else is downloaded.
_INLINE_PREFIXES = ("image/", "video/", "audio/")
_INLINE_EXACT = frozenset({"application/pdf", "text/plain"})


def content_headers(*, media_type: str, filename: str, download: bool) -> dict[str, str]:
    """Content-Disposition and CSP for evidence bytes of `media_type`."""
    base = media_type.split(";")[0].strip().lower()
    inline = not download and (
        base in _INLINE_EXACT or (base.startswith(_INLINE_PREFIXES) and "svg" not in base)
    )
    disposition = "inline" if inline else "attachment"
    return {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename, safe='')}",
        "Content-Security-Policy": PDF_CSP if base == "application/pdf" else CONTENT_CSP,
        "X-Content-Type-Options": "nosniff",
    }


class SecurityHeaders:
    """Adds the default security headers to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp, *, own_csp: tuple[str, ...] = ()) -> None:
        self.app = app
        # Paths whose page brings its own scripts (the interactive API docs).
        self.own_csp = own_csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if scope["path"] in self.own_csp:
                    present.add(b"content-security-policy")
                headers += [(k, v) for k, v in _DEFAULTS if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
