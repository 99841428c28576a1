"""FastAPI dependencies shared by every router: settings, database session, store, caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from evidence import service
from evidence.config import Settings
from evidence.errors import AccessDenied, AuthenticationFailed, DatabaseUnavailable
from evidence.hooks import MediaPipeline, NoMediaPipeline
from evidence.models import TokenKind
from evidence.policy import Principal
from evidence.service.ledger import LedgerConfig
from evidence.storage import ObjectStore
from evidence.throttle import RateLimiter, Throttled

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
SESSION_COOKIE = "dalel_session"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; a lost database becomes a clear 503, not a stack trace."""
    try:
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            yield session
    except OperationalError as exc:
        raise DatabaseUnavailable("the database is unreachable; try again shortly") from exc


NO_MEDIA = NoMediaPipeline()


def get_media(request: Request) -> MediaPipeline:
    """The media pipeline `create_app` installed (`evidence.hooks.MediaPipeline`)."""
    return getattr(request.app.state, "media", NO_MEDIA)


def get_store(request: Request) -> ObjectStore:
    return request.app.state.store  # type: ignore[no-any-return]


def client_address(request: Request) -> str | None:
    """The caller's address as recorded in custody events."""
    return request.client.host if request.client else None


def get_ledger(request: Request) -> LedgerConfig:
    settings: Settings = request.app.state.settings
    return LedgerConfig.from_settings(settings)


def public_rate_limit(request: Request) -> None:
    """Per client address and route, for the public endpoints that do work (POST /verify,
    POST /ledger/cosignatures): counted in memory before any body is read or database
    touched, so a flood is refused (429 + Retry-After) without holding anything."""
    limiter = getattr(request.app.state, "public_limiter", None)
    if limiter is None:  # one per application; a race only loses a count
        settings: Settings = request.app.state.settings
        limiter = RateLimiter(limit=settings.public_requests_per_minute, period=60)
        request.app.state.public_limiter = limiter
    wait = limiter.hit(f"{request.url.path} {client_address(request) or '?'}")
    if wait is not None:
        raise Throttled("too many requests from this address; try again later", retry_after=wait)


PublicRateLimit = Depends(public_rate_limit)
SettingsDep = Annotated[Settings, Depends(get_settings)]
LedgerDep = Annotated[LedgerConfig, Depends(get_ledger)]
SessionDep = Annotated[Session, Depends(get_session)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]
MediaDep = Annotated[MediaPipeline, Depends(get_media)]
ClientDep = Annotated[str | None, Depends(client_address)]


def any_principal(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Principal:
    """Bearer token or device API key in a header, or else the web session cookie.

    Each secret counts only on its own channel (an API token in a header, a web session
    in the cookie), so a session cookie's value is never a bearer token. Requests
    authenticated by the cookie pass the CSRF check of `evidence.csrf` first.
    """
    if api_key or token:
        secret, kind = api_key or token or "", TokenKind.API
    else:
        secret, kind = request.cookies.get(SESSION_COOKIE, ""), TokenKind.WEB
    if not secret:
        raise AuthenticationFailed("sign in first: send a bearer token or an API key")
    try:
        return service.authenticate(session=session, secret=secret, kind=kind)
    except OperationalError as exc:
        raise DatabaseUnavailable("the database is unreachable; try again shortly") from exc


def current_principal(principal: Annotated[Principal, Depends(any_principal)]) -> Principal:
    """The caller, refused while their session may only enrol an authenticator."""
    if principal.scope == "enrol":
        raise AccessDenied(
            "enrol an authenticator first: this session may only reach the account and "
            "two-factor enrolment"
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
# For the account and enrolment routes only: also an enrolment-only session.
EnrollingPrincipal = Annotated[Principal, Depends(any_principal)]


def optional_principal(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Principal | None:
    """The caller on routes open to everyone that answer signed-in callers more fully:
    None without credentials; credentials that fail are still refused (401)."""
    if not (api_key or token or request.cookies.get(SESSION_COOKIE)):
        return None
    return current_principal(any_principal(request, session, token, api_key))


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
