"""Sign-in (OAuth2 password flow), token revocation, users and device keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

from evidence import service
from evidence.deps import ClientDep, CurrentPrincipal, SessionDep, SettingsDep
from evidence.schemas import ApiKeyCreate, ApiKeyPublic, TokenPublic, UserCreate, UserPublic

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenPublic, summary="Sign in")
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
) -> TokenPublic:
    """Exchange username and password for a short-lived bearer token.

    Repeated failures are slowed down and finally lock the account (423).
    """
    secret, row = await run_in_threadpool(
        service.login,
        session=session,
        username=form.username,
        password=form.password,
        ttl=timedelta(minutes=settings.token_ttl_minutes),
        slowdown_after=settings.login_slowdown_after,
        lock_after=settings.login_lock_after,
        client=client,
    )
    return TokenPublic(access_token=secret, expires_at=row.expires_at)


@router.post("/auth/revoke", summary="Sign out", status_code=204)
def revoke(principal: CurrentPrincipal, session: SessionDep, everywhere: bool = False) -> None:
    """Revoke the token used for this call, or with `everywhere=true` all of the caller's."""
    service.revoke_token(session=session, principal=principal, everywhere=everywhere)


def _public(user) -> UserPublic:  # type: ignore[no-untyped-def]
    return UserPublic(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        locked=user.locked_at is not None,
    )


@router.get("/users/me", response_model=UserPublic, summary="Who am I")
def me(principal: CurrentPrincipal, session: SessionDep) -> UserPublic:
    from evidence.models import User

    user = session.get(User, principal.user_id)
    return _public(user)


@router.get("/users", response_model=list[UserPublic], summary="List users (admin)")
def users(principal: CurrentPrincipal, session: SessionDep, client: ClientDep) -> list[UserPublic]:
    return [
        _public(u) for u in service.list_users(session=session, principal=principal, client=client)
    ]


@router.post("/users", response_model=UserPublic, status_code=201, summary="Create a user (admin)")
def create_user(
    body: UserCreate, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> UserPublic:
    """Passwords are stored as Argon2id hashes only."""
    user = service.create_user(
        session=session,
        principal=principal,
        username=body.username,
        password=body.password,
        role=body.role,
        full_name=body.full_name,
        client=client,
    )
    return _public(user)


@router.post("/users/{username}/unlock", response_model=UserPublic, summary="Unlock (admin)")
def unlock(
    username: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> UserPublic:
    return _public(
        service.unlock_user(session=session, principal=principal, username=username, client=client)
    )


@router.post("/api-keys", response_model=ApiKeyPublic, status_code=201, summary="Device key")
def create_api_key(
    body: ApiKeyCreate, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> ApiKeyPublic:
    """Issue an API key for a device (e.g. a bodycam dock) acting for one officer."""
    secret, key = service.create_api_key(
        session=session,
        principal=principal,
        username=body.username,
        device=body.device,
        client=client,
    )
    return ApiKeyPublic(id=key.id, device=key.device, api_key=secret)
