"""Sign-in (OAuth2 password flow), token revocation, users and device keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from evidence import service
from evidence.deps import (
    ClientDep,
    CurrentPrincipal,
    EnrollingPrincipal,
    SessionDep,
    SettingsDep,
)
from evidence.models import ApiKey, TokenKind
from evidence.problems import PROBLEM_429, PROBLEM_503
from evidence.schemas import (
    ApiKeyCreate,
    ApiKeyInfo,
    ApiKeyPublic,
    IdPath,
    TokenPublic,
    UserCreate,
    UserPublic,
)
from evidence.service import apikeys, signin, totp
from evidence.service import users as accounts
from evidence.sign_in import sign_in

router = APIRouter(tags=["auth"])


class PasswordForm(OAuth2PasswordRequestForm):
    """The OAuth2 password form plus an optional `totp` field (the 6-digit code).

    Clients that can only send standard fields may put the code in `client_secret`.
    """

    def __init__(
        self,
        username: Annotated[str, Form(max_length=64)],
        password: Annotated[str, Form(max_length=1024)],
        scope: Annotated[str, Form(max_length=200)] = "",
        client_id: Annotated[str | None, Form(max_length=200)] = None,
        client_secret: Annotated[str | None, Form(max_length=200)] = None,
        totp: Annotated[
            str | None,
            Form(max_length=16, description="one-time code, once the user has enrolled TOTP"),
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


@router.post(
    "/auth/token",
    response_model=TokenPublic,
    summary="Sign in",
    responses={429: PROBLEM_429, 503: PROBLEM_503},
)
async def token(request: Request, form: Annotated[PasswordForm, Depends()]) -> TokenPublic:
    """Exchange username and password (and the TOTP code, field `totp`, once the user has
    enrolled) for a short-lived bearer token, valid only in the `Authorization` header.

    A missing code gives 401 with title "One-time code required". Roles listed in
    `DALEL_TOTP_ROLES` (default prosecutor, supervisor, defence, court, admin) must enrol;
    until they do, password-only sign-in works only while `DALEL_TOTP_GRACE` is on (the default in
    development). Failures lock first the (account, client address) pair, then the
    account for a growing period; a locked account answers 401 like a wrong password.
    Too many failures from one address or on one account name answer 429, a server
    busy checking passwords 503, both with `Retry-After`.
    """
    secret, row = await sign_in(
        request,
        username=form.username,
        password=form.password,
        totp=form.totp,
        kind=TokenKind.API,
    )
    return TokenPublic(access_token=secret, expires_at=row.expires_at)


@router.post("/auth/revoke", summary="Sign out", status_code=204)
def revoke(
    principal: EnrollingPrincipal,
    session: SessionDep,
    client: ClientDep,
    everywhere: bool = False,
) -> None:
    """Revoke the token used for this call, or with `everywhere=true` all of the caller's
    (every browser session, script token and device key; recorded in custody)."""
    service.revoke_token(session=session, principal=principal, everywhere=everywhere, client=client)


class TotpEnrolment(BaseModel):
    secret: str = Field(description="base32 secret to add to an authenticator app")
    otpauth_uri: str = Field(description="the same secret as an otpauth:// URI")


class TotpConfirm(BaseModel):
    secret: str = Field(max_length=64)
    code: str = Field(max_length=16, description="a current code computed from `secret`")
    current_code: str | None = Field(
        default=None,
        max_length=16,
        description="a code from the authenticator being replaced, if any",
    )


@router.post("/auth/totp", response_model=TotpEnrolment, summary="Start TOTP enrolment")
def totp_start(principal: EnrollingPrincipal) -> TotpEnrolment:
    """A fresh secret; nothing is stored until it is confirmed with a valid code."""
    secret = totp.new_totp_secret()
    return TotpEnrolment(
        secret=secret, otpauth_uri=totp.totp_uri(secret=secret, username=principal.username)
    )


@router.post("/auth/totp/confirm", status_code=204, summary="Confirm TOTP enrolment")
def totp_confirm(
    body: TotpConfirm, principal: EnrollingPrincipal, session: SessionDep, client: ClientDep
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
        locked=signin.is_locked(user),
        two_factor=bool(user.totp_secret),
    )


@router.get("/users/me", response_model=UserPublic, summary="Who am I")
def me(principal: EnrollingPrincipal, session: SessionDep) -> UserPublic:
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
    body: ApiKeyCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
) -> ApiKeyPublic:
    """Issue an API key for a device (e.g. a bodycam dock) acting for one officer
    (administrators). Upload-only unless `scope` is `officer`; it expires after
    `expires_in_days` (default `DALEL_API_KEY_TTL_DAYS`). The secret is shown once."""
    days = settings.api_key_ttl_days if body.expires_in_days is None else body.expires_in_days
    secret, key = apikeys.create_api_key(
        session=session,
        principal=principal,
        username=body.username,
        device=body.device,
        scope=body.scope,
        ttl=timedelta(days=days) if days else None,
        client=client,
    )
    return ApiKeyPublic(**_key(key, body.username).model_dump(), api_key=secret)


def _key(key: ApiKey, username: str) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=key.id,
        username=username,
        device=key.device,
        scope=key.scope,
        created_at=key.created_at,
        expires_at=key.expires_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )


@router.get("/api-keys", response_model=list[ApiKeyInfo], summary="Device keys")
def list_api_keys(
    principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> list[ApiKeyInfo]:
    """Every device key with its last use (administrators), or an officer's own."""
    rows = apikeys.list_api_keys(session=session, principal=principal, client=client)
    return [_key(key, name) for key, name in rows]


@router.delete("/api-keys/{key_id}", status_code=204, summary="Revoke a device key")
def revoke_api_key(
    key_id: IdPath, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> None:
    """Stop a key at once (administrators, or the key's officer); recorded in custody."""
    apikeys.revoke_api_key(session=session, principal=principal, key_id=key_id, client=client)
