"""Sign-in (OAuth2 password flow), token revocation, users and device keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from evidence import service
from evidence.deps import ClientDep, CurrentPrincipal, SessionDep, SettingsDep
from evidence.schemas import ApiKeyCreate, ApiKeyPublic, TokenPublic, UserCreate, UserPublic
from evidence.service import totp
from evidence.service import users as accounts

router = APIRouter(tags=["auth"])


class PasswordForm(OAuth2PasswordRequestForm):
    """The OAuth2 password form plus an optional `totp` field (the 6-digit code).

    Clients that can only send standard fields may put the code in `client_secret`.
    """

    def __init__(
        self,
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form()] = None,
        totp: Annotated[
            str | None, Form(description="one-time code, once the user has enrolled TOTP")
        ] = None,
    ) -> None:
        super().__init__(
            username=username,
            password=password,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
        )
        self.totp = totp or client_secret


@router.post("/auth/token", response_model=TokenPublic, summary="Sign in")
async def token(
    form: Annotated[PasswordForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
) -> TokenPublic:
    """Exchange username and password (and the TOTP code, field `totp`, once the user has
    enrolled) for a short-lived bearer token.

    A missing code gives 401 with title "One-time code required". Roles listed in
    `DALEL_TOTP_ROLES` (default prosecutor, defence, court, admin) must enrol; until they
    do, password-only sign-in works only while `DALEL_TOTP_GRACE` is on (the default in
    development). Repeated failures are slowed down and finally lock the account (423).
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
        totp=form.totp,
        totp_policy=accounts.TotpPolicy.from_environment(production=settings.is_production),
    )
    return TokenPublic(access_token=secret, expires_at=row.expires_at)


@router.post("/auth/revoke", summary="Sign out", status_code=204)
def revoke(
    principal: CurrentPrincipal, session: SessionDep, client: ClientDep, everywhere: bool = False
) -> None:
    """Revoke the token used for this call, or with `everywhere=true` all of the caller's
    (every browser session and script token; recorded in custody)."""
    service.revoke_token(session=session, principal=principal, everywhere=everywhere, client=client)


class TotpEnrolment(BaseModel):
    secret: str = Field(description="base32 secret to add to an authenticator app")
    otpauth_uri: str = Field(description="the same secret as an otpauth:// URI")


class TotpConfirm(BaseModel):
    secret: str
    code: str = Field(description="a current code computed from `secret`")
    current_code: str | None = Field(
        default=None, description="a code from the authenticator being replaced, if any"
    )


@router.post("/auth/totp", response_model=TotpEnrolment, summary="Start TOTP enrolment")
def totp_start(principal: CurrentPrincipal) -> TotpEnrolment:
    """A fresh secret; nothing is stored until it is confirmed with a valid code."""
    secret = totp.new_totp_secret()
    return TotpEnrolment(
        secret=secret, otpauth_uri=totp.totp_uri(secret=secret, username=principal.username)
    )


@router.post("/auth/totp/confirm", status_code=204, summary="Confirm TOTP enrolment")
def totp_confirm(
    body: TotpConfirm, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> None:
    """Bind the secret to the caller's account; from now on sign-in needs a code."""
    totp.enrol_totp(
        session=session,
        principal=principal,
        secret=body.secret,
        code=body.code,
        current_code=body.current_code,
        client=client,
    )


def _public(user) -> UserPublic:  # type: ignore[no-untyped-def]
    return UserPublic(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        locked=user.locked_at is not None,
        two_factor=bool(user.totp_secret),
    )


@router.get("/users/me", response_model=UserPublic, summary="Who am I")
def me(principal: CurrentPrincipal, session: SessionDep) -> UserPublic:
    return _public(accounts.get_user(session=session, principal=principal))


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


class TotpReset(BaseModel):
    reason: str = Field(min_length=1, max_length=500, examples=["phone lost, ticket 2231"])


@router.post(
    "/users/{username}/totp/reset", response_model=UserPublic, summary="Reset two-factor (admin)"
)
def reset_totp(
    username: str,
    body: TotpReset,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> UserPublic:
    """Remove the user's authenticator (lost or replaced phone) and end all their
    sessions; they enrol a new one at their next sign-in. The reason is recorded in
    custody. Administrators cannot reset their own (403): another administrator, or
    `dalel user reset-totp` on the server, must."""
    user = service.reset_totp(
        session=session, principal=principal, username=username, reason=body.reason, client=client
    )
    return _public(user)


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
