"""RFC 9457 problem responses: every domain error maps to a status in one table."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from custody.errors import (
    BundleError,
    CustodyConflict,
    CustodyError,
    CustodyNotFound,
    ProofError,
    SignatureError,
    WitnessError,
)
from custody.timestamp import TimestampError
from evidence import errors
from evidence.storage.errors import ObjectMissing

PROBLEM_JSON = "application/problem+json"

# Most specific first: the first matching class decides the status.
STATUS: list[tuple[type[Exception], int]] = [
    (errors.AccountLocked, 423),
    (errors.AuthenticationFailed, 401),
    (errors.AccessDenied, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.TooLarge, 413),
    (errors.IntegrityMismatch, 422),
    (errors.InvalidInput, 400),
    (ObjectMissing, 500),
    (errors.StorageError, 503),
    (errors.DatabaseUnavailable, 503),
    (CustodyNotFound, 404),
    (CustodyConflict, 409),
    (ProofError, 400),
    (SignatureError, 400),
    (BundleError, 400),
    (WitnessError, 502),
    (TimestampError, 502),
    (CustodyError, 500),
]


def status_for(exc: Exception) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def register(app: FastAPI, extra: list[tuple[type[Exception], int]] | None = None) -> None:
    """Install handlers; `extra` lets domain packages add their classes (app.py only)."""
    if extra:
        STATUS[:0] = [pair for pair in extra if pair not in STATUS]

    async def domain(request: Request, exc: Exception) -> JSONResponse:
        status = status_for(exc)
        title = getattr(exc, "title", None) or type(exc).__name__
        return problem(status, str(title), str(exc) or str(title), instance=request.url.path)

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        issues = [
            {"field": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg")}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{i['field']}: {i['message']}" for i in issues)
        return problem(422, "Invalid request", detail, errors=issues, instance=request.url.path)

    async def http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem(exc.status_code, "HTTP error", str(exc.detail), instance=request.url.path)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return problem(500, "Internal error", "an unexpected error occurred; it has been logged")

    app.add_exception_handler(errors.EvidenceError, domain)
    app.add_exception_handler(CustodyError, domain)
    for cls, _ in extra or []:
        app.add_exception_handler(cls, domain)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(Exception, unexpected)
