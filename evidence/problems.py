"""RFC 9457 problem responses: every domain error maps to a status in one table."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from custody.errors import (
    BundleError,
    CustodyConflict,
    CustodyError,
    CustodyNotFound,
    ProofError,
    SignatureError,
    WitnessError,
    WitnessNotRegistered,
)
from custody.timestamp import TimestampError
from evidence import errors
from evidence.deps import SESSION_COOKIE
from evidence.ranges import RangeNotSatisfiable
from evidence.storage.errors import ObjectLocked, ObjectMissing, PartBusy
from evidence.throttle import Overloaded, Throttled

PROBLEM_JSON = "application/problem+json"

# Most specific first: the first matching class decides the status.
STATUS: list[tuple[type[Exception], int]] = [
    (errors.AuthenticationFailed, 401),
    (errors.AccessDenied, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.ItemPurged, 410),
    (errors.TooLarge, 413),
    (errors.IntegrityMismatch, 422),
    (errors.InvalidInput, 400),
    (RangeNotSatisfiable, 416),
    (Throttled, 429),
    (Overloaded, 503),
    (ObjectMissing, 500),
    (ObjectLocked, 409),
    (PartBusy, 409),
    (errors.StorageError, 503),
    (errors.DatabaseUnavailable, 503),
    (WitnessNotRegistered, 403),
    (CustodyNotFound, 404),
    (CustodyConflict, 409),
    (ProofError, 400),
    (SignatureError, 400),
    (BundleError, 400),
    (WitnessError, 502),
    (TimestampError, 502),
    (CustodyError, 500),
]


# OpenAPI descriptions of problem responses, for `responses=` of the routes.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "message": {
            "type": "string",
            "description": "the detail in the page's language (`?lang=`, the language "
            "cookie or Accept-Language), for requests made with the web session cookie",
        },
    },
}


def problem_response(description: str, *, retry_after: bool = False) -> dict[str, Any]:
    """One `responses` entry: problem JSON, optionally announcing a Retry-After."""
    entry: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
    }
    if retry_after:
        entry["headers"] = {
            "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
        }
    return entry


PROBLEM_429 = problem_response("too many requests from this caller", retry_after=True)
PROBLEM_503 = problem_response("the server is busy or a backend is down", retry_after=True)


def status_for(exc: Exception) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


# Seconds a client should wait before retrying a 503 that carries no figure of its own.
RETRY_AFTER_DEFAULT = 2


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    retry_after: int | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if retry_after is None and status == 503:
        retry_after = RETRY_AFTER_DEFAULT
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def wants_page(request: Request) -> bool:
    """A browser asking for a page (not the API, not a script asking for JSON)."""
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith("/api/") and "text/html" in accept


def register(app: FastAPI, extra: list[tuple[type[Exception], int]] | None = None) -> None:
    """Install handlers; `extra` lets domain packages add their classes (app.py only)."""
    if extra:
        STATUS[:0] = [pair for pair in extra if pair not in STATUS]

    async def domain(request: Request, exc: Exception) -> JSONResponse:
        status = status_for(exc)
        title = getattr(exc, "title", None) or type(exc).__name__
        extra: dict[str, Any] = {}
        page_call = request.cookies.get(SESSION_COOKIE) or request.url.path.startswith(
            "/api/v1/citizen/"  # a person's link page has no session, but is a page
        )
        if page_call and isinstance(exc, errors.TranslatableError):
            # A page's own call (the session cookie): the sentence in the page's language
            # too, so its script can show it; `detail` stays English for every client.
            from evidence.web.core import localized_reason

            extra["message"] = localized_reason(request, exc)
        return problem(
            status,
            str(title),
            str(exc) or str(title),
            retry_after=getattr(exc, "retry_after", None),
            headers=getattr(exc, "headers", None),
            instance=request.url.path,
            **extra,
        )

    async def pool_exhausted(request: Request, exc: Exception) -> JSONResponse:
        # Every database connection is busy: an overload, not a fault of the request.
        return problem(
            503,
            "Service busy",
            "the server is busy; try again shortly",
            instance=request.url.path,
        )

    async def database_lost(request: Request, exc: Exception) -> JSONResponse:
        # A connection refused, cut or timed out wherever a session was opened (the
        # request's own, a sign-in's, a background read): the caller may retry.
        return problem(
            503,
            "Service unavailable",
            "the database is unreachable; try again shortly",
            instance=request.url.path,
        )

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        issues = [
            {"field": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg")}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{i['field']}: {i['message']}" for i in issues)
        return problem(422, "Invalid request", detail, errors=issues, instance=request.url.path)

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if wants_page(request):  # a person followed a link: a page in their language
            from evidence.web.core import http_error_page

            return await run_in_threadpool(http_error_page, request, exc.status_code)
        return problem(exc.status_code, "HTTP error", str(exc.detail), instance=request.url.path)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return problem(500, "Internal error", "an unexpected error occurred; it has been logged")

    app.add_exception_handler(errors.EvidenceError, domain)
    app.add_exception_handler(CustodyError, domain)
    for cls, _ in extra or []:
        app.add_exception_handler(cls, domain)
    app.add_exception_handler(SQLAlchemyTimeout, pool_exhausted)
    app.add_exception_handler(OperationalError, database_lost)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(Exception, unexpected)
