"""The OpenAPI document, made true about errors: every operation lists the problem
responses it can give, as `application/problem+json` with the RFC 9457 shape.

FastAPI documents only the success and a 422 in its own validation shape; our errors
come from one table (`evidence.problems`) and can reach any route (authentication,
the policy, a missing case or item, an overloaded server), so they are added here once,
where the schema is built, instead of on 90 decorators.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from evidence.problems import PROBLEM_JSON, PROBLEM_SCHEMA

_DESCRIPTIONS = {
    "400": "the request breaks a rule; nothing was changed",
    "401": "sign in first, or the token or key is unknown, expired or revoked",
    "403": "the policy refuses this caller (recorded in custody), or a CSRF check failed",
    "404": "no such case, item or resource (or hidden from the caller)",
    "405": "the method is not allowed here",
    "409": "the request clashes with the current state",
    "410": "the item's bytes were purged after its retention (its record remains)",
    "413": "the body is over the configured size limit",
    "415": "the body's media type is not accepted here",
    "422": "the request does not match the documented schema",
    "429": "too many requests from this caller; see Retry-After",
    "503": "the server is busy or a backend is down; see Retry-After",
}
# Every operation can give these (authentication and policy run before the handler).
_ALWAYS = ("400", "401", "403", "404", "405", "422", "429", "503")
# Operations that change state can also clash with it or carry too large a body.
_WRITES = ("409", "413", "415")
_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}


def _problem(status: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "description": _DESCRIPTIONS.get(status, "a problem"),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status in {"429", "503"}:
        entry["headers"] = dict(_RETRY_AFTER)
    return entry


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """Add the problem responses to every operation of `spec` (in place) and return it."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA | {
        "properties": PROBLEM_SCHEMA["properties"]
        | {"errors": {"type": "array", "items": {"type": "object"}}},
    }
    # FastAPI's own validation shape is never sent: our handler answers problem JSON.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete", "head", "options"}:
                continue
            responses = operation.setdefault("responses", {})
            statuses = list(_ALWAYS)
            if method in {"post", "put", "patch", "delete"}:
                statuses += _WRITES
            if "/items/{" in path:  # any item may have been purged after its retention
                statuses.append("410")
            for status in statuses:
                entry = responses.get(status)
                if entry is None or status == "422":
                    responses[status] = _problem(status)
                elif int(status) >= 400 and PROBLEM_JSON not in entry.get("content", {}):
                    responses[status] = {**_problem(status), **entry} | {
                        "content": {**entry.get("content", {}), **_problem(status)["content"]}
                    }
    return spec


def install(app: FastAPI) -> None:
    """Serve the corrected document (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_docs(app: FastAPI, *, path: str, openapi_url: str) -> None:
    """The interactive API docs (Swagger UI) served entirely by this server: the
    `swagger-ui-dist` files come from npm at build time (`/static/dist/swagger-ui/`), so
    the page works with no network beyond the server. Its one inline script is allowed by
    its hash; nothing else may run, and no request leaves for a validator or a CDN."""
    import base64
    import hashlib
    import re

    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            swagger_js_url="/static/dist/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/dist/swagger-ui/swagger-ui.css",
            swagger_favicon_url="data:,",
            oauth2_redirect_url=None,
            swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": False},
        )
        html = bytes(page.body).decode()
        scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
        hashes = " ".join(
            f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
            for s in scripts
        )
        csp = (
            f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        )
        return HTMLResponse(html, headers={"Content-Security-Policy": csp})

    app.add_api_route(path, docs, methods=["GET"], include_in_schema=False)
