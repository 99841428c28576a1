"""People, sign-in, bearer tokens and device API keys."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlmodel import Session, select

import custody
from custody.events import utc_now
from evidence.errors import (
    AccessDenied,
    AccountLocked,
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
)
from evidence.models import ApiKey, AuthToken, Role, User
from evidence.policy import Perm, Principal
from evidence.security import (
    API_KEY_PREFIX,
    TOKEN_PREFIX,
    hash_password,
    new_secret,
    secret_hash,
    verify_password,
)
from evidence.service.access import require
from evidence.service.totp import NO_TOTP, TotpPolicy, TotpRequired, check_code
from evidence.validation import check_password, check_username


def create_user(
    *,
    session: Session,
    principal: Principal | None,
    username: str,
    password: str,
    role: Role,
    full_name: str = "",
    client: str | None = None,
) -> User:
    """Create an account. `principal` is None only for bootstrap (CLI, demo admin)."""
    if principal is not None:
        require(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
    check_username(username)
    check_password(password)
    if session.exec(select(User).where(User.username == username)).first():
        raise Conflict("user %(username)s already exists", username=username)
    user = User(
        username=username,
        full_name=full_name,
        role=role,
        password_hash=hash_password(password),
        created_at=utc_now(),
    )
    session.add(user)
    session.flush()
    actor = principal.actor() if principal else custody.SYSTEM
    custody.record(
        session=session,
        action=custody.Action.USER_CREATED,
        actor=actor,
        client=client,
        details={"user": user.id, "username": username, "role": str(role)},
    )
    session.commit()
    return user


def _failed_login(session: Session, user: User, *, lock_after: int, client: str | None) -> None:
    user.failed_logins += 1
    if user.failed_logins >= lock_after and user.locked_at is None:
        user.locked_at = utc_now()
        custody.record(
            session=session,
            action=custody.Action.USER_LOCKED,
            actor=custody.SYSTEM,
            client=client,
            details={"user": user.id, "username": user.username, "failed": user.failed_logins},
        )
    session.add(user)
    session.commit()


def login(
    *,
    session: Session,
    username: str,
    password: str,
    ttl: timedelta,
    slowdown_after: int = 3,
    lock_after: int = 10,
    client: str | None = None,
    totp: str | None = None,
    totp_policy: TotpPolicy = NO_TOTP,
    for_enrolment: bool = False,
) -> tuple[str, AuthToken]:
    """Check a password (and the TOTP code once enrolled) and issue a bearer token;
    repeated failures slow down, then lock.

    A user with a TOTP secret always needs a code; a user whose role requires TOTP but who
    has not enrolled yet is refused unless the policy allows a grace period (the web then
    holds them at enrolment: `for_enrolment=True` issues the token for that purpose).
    """
    user = session.exec(select(User).where(User.username == username)).first()
    if user is not None and user.failed_logins >= slowdown_after:
        # Exponential back-off makes online guessing pointless long before the lock.
        time.sleep(min(0.25 * 2 ** (user.failed_logins - slowdown_after), 4.0))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        raise AuthenticationFailed("wrong username or password")
    if user.locked_at is not None:
        raise AccountLocked("this account is locked after repeated failed sign-ins")
    if not ok:
        _failed_login(session, user, lock_after=lock_after, client=client)
        raise AuthenticationFailed("wrong username or password")
    if user.totp_secret:
        if not totp:
            session.commit()
            raise TotpRequired("enter the 6-digit code from your authenticator app")
        if not check_code(user, totp):
            _failed_login(session, user, lock_after=lock_after, client=client)
            raise AuthenticationFailed("wrong or already used one-time code")
    elif totp_policy.needs_enrolment(user) and not totp_policy.grace and not for_enrolment:
        session.commit()
        raise TotpRequired(
            "two-factor sign-in is required for your role: enrol an authenticator first "
            "(sign in on the web to enrol)"
        )
    user.failed_logins = 0
    session.add(user)
    secret = new_secret(TOKEN_PREFIX)
    now = utc_now()
    token = AuthToken(
        user_id=user.id, token_hash=secret_hash(secret), created_at=now, expires_at=now + ttl
    )
    session.add(token)
    session.commit()
    return secret, token


def authenticate(*, session: Session, secret: str) -> Principal:
    """Resolve a bearer token or device API key to the principal it stands for."""
    if secret.startswith(API_KEY_PREFIX):
        key = session.exec(select(ApiKey).where(ApiKey.key_hash == secret_hash(secret))).first()
        if key is None or key.revoked_at is not None:
            raise AuthenticationFailed("unknown or revoked API key")
        user = session.get(User, key.user_id)
        device: str | None = key.device
        token_id = None
    else:
        token = session.exec(
            select(AuthToken).where(AuthToken.token_hash == secret_hash(secret))
        ).first()
        if token is None or token.revoked_at is not None or token.expires_at < utc_now():
            raise AuthenticationFailed("the token is unknown, expired or revoked")
        user = session.get(User, token.user_id)
        device, token_id = None, token.id
    # End the read transaction now: on SQLite it holds the database lock, and the request
    # it authenticates may stream for minutes.
    session.commit()
    if user is None or user.locked_at is not None:
        raise AuthenticationFailed("the account is locked or gone")
    return Principal(
        user_id=user.id, username=user.username, role=user.role, device=device, token_id=token_id
    )


def revoke_token(
    *,
    session: Session,
    principal: Principal,
    everywhere: bool = False,
    client: str | None = None,
) -> int:
    """Revoke the caller's current token, or every token they hold (recorded)."""
    count = _revoke_tokens(
        session, user_id=principal.user_id, token_id=None if everywhere else principal.token_id
    )
    if everywhere:
        custody.record(
            session=session,
            action=custody.Action.USER_SESSIONS_REVOKED,
            actor=principal.actor(),
            client=client,
            details={"user": principal.user_id, "tokens": count},
        )
    session.commit()
    return count


def _revoke_tokens(session: Session, *, user_id: str, token_id: str | None = None) -> int:
    """Mark a user's live tokens (or just one of them) revoked; the caller commits."""
    query = select(AuthToken).where(
        AuthToken.user_id == user_id,
        AuthToken.revoked_at.is_(None),  # type: ignore[union-attr]
    )
    if token_id is not None:
        query = query.where(AuthToken.id == token_id)
    tokens = list(session.exec(query))
    for token in tokens:
        token.revoked_at = utc_now()
        session.add(token)
    return len(tokens)


def get_user(*, session: Session, principal: Principal) -> User:
    """The caller's own account row."""
    user = session.get(User, principal.user_id)
    session.commit()
    if user is None:
        raise NotFound("no such user")
    return user


def create_api_key(
    *,
    session: Session,
    principal: Principal,
    username: str,
    device: str,
    client: str | None = None,
) -> tuple[str, ApiKey]:
    """Issue a device key bound to an officer; the secret is shown once, only its hash kept."""
    require(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
    officer = session.exec(select(User).where(User.username == username)).first()
    if officer is None:
        raise NotFound("no user %(username)s", username=username)
    if officer.role is not Role.OFFICER:
        raise InvalidInput("device keys can only be bound to an officer")
    if not device.strip() or len(device) > 120:
        raise InvalidInput("device must be a non-empty name of at most 120 characters")
    secret = new_secret(API_KEY_PREFIX)
    key = ApiKey(
        user_id=officer.id, device=device, key_hash=secret_hash(secret), created_at=utc_now()
    )
    session.add(key)
    session.flush()
    custody.record(
        session=session,
        action=custody.Action.APIKEY_CREATED,
        actor=principal.actor(),
        client=client,
        details={"key": key.id, "user": officer.id, "device": device},
    )
    session.commit()
    return secret, key


def unlock_user(
    *, session: Session, principal: Principal | None, username: str, client: str | None = None
) -> User:
    """Clear a lock after repeated failures (administrators; None = local CLI)."""
    if principal is not None:
        require(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("no user %(username)s", username=username)
    user.locked_at, user.failed_logins = None, 0
    session.add(user)
    custody.record(
        session=session,
        action=custody.Action.USER_UNLOCKED,
        actor=principal.actor() if principal else custody.SYSTEM,
        client=client,
        details={"user": user.id, "username": username},
    )
    session.commit()
    return user


def reset_totp(
    *,
    session: Session,
    principal: Principal | None,
    username: str,
    reason: str,
    client: str | None = None,
) -> User:
    """Remove a user's authenticator after a lost or replaced phone (administrators;
    None = local CLI) and sign them out everywhere, since whoever holds the old phone may
    hold a session too. The user enrols a new authenticator at their next sign-in.

    An administrator cannot reset their own: a second administrator (or the operator at
    the server's console) must, so a stolen admin session cannot drop its second factor.
    """
    if principal is not None:
        require(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
    clean = " ".join(reason.split())
    if not clean or len(clean) > 500:
        raise InvalidInput("give the reason for the reset (at most 500 characters)")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("no user %(username)s", username=username)
    if principal is not None and principal.user_id == user.id:
        raise AccessDenied("another administrator must reset your two-factor sign-in")
    had = bool(user.totp_secret)
    user.totp_secret = None
    session.add(user)
    tokens = _revoke_tokens(session, user_id=user.id)
    custody.record(
        session=session,
        action=custody.Action.USER_TOTP_RESET,
        actor=principal.actor() if principal else custody.SYSTEM,
        client=client,
        details={
            "user": user.id, "username": username, "reason": clean,
            "had_totp": had, "tokens": tokens,
        },
    )  # fmt: skip
    session.commit()
    return user


def list_users(*, session: Session, principal: Principal, client: str | None = None) -> list[User]:
    require(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
    return list(session.exec(select(User).order_by(User.username)))
