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
from evidence.errors import AuthenticationFailed, DatabaseUnavailable
from evidence.policy import Principal
from evidence.service.ledger import LedgerConfig
from evidence.storage import ObjectStore

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


def get_store(request: Request) -> ObjectStore:
    return request.app.state.store  # type: ignore[no-any-return]


def client_address(request: Request) -> str | None:
    """The caller's address as recorded in custody events."""
    return request.client.host if request.client else None


def get_ledger(request: Request) -> LedgerConfig:
    settings: Settings = request.app.state.settings
    return LedgerConfig.from_settings(settings)


SettingsDep = Annotated[Settings, Depends(get_settings)]
LedgerDep = Annotated[LedgerConfig, Depends(get_ledger)]
SessionDep = Annotated[Session, Depends(get_session)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]
ClientDep = Annotated[str | None, Depends(client_address)]


def current_principal(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Principal:
    """Bearer token, device API key, or the web session cookie (same tokens)."""
    secret = api_key or token or request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise AuthenticationFailed("sign in first: send a bearer token or an API key")
    try:
        return service.authenticate(session=session, secret=secret)
    except OperationalError as exc:
        raise DatabaseUnavailable("the database is unreachable; try again shortly") from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
