"""People and their accounts: creation, unlocking, sign-out, two-factor resets.

Sign-in itself is `evidence.service.signin`; device keys are `evidence.service.apikeys`.
"""

from __future__ import annotations

from sqlmodel import Session, select

import custody
from custody.events import utc_now
from evidence.errors import AccessDenied, Conflict, InvalidInput, NotFound
from evidence.models import AuthToken, Role, User
from evidence.policy import Perm, Principal
from evidence.security import hash_password
from evidence.service.access import require
from evidence.service.apikeys import revoke_user_keys
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


def revoke_token(
    *,
    session: Session,
    principal: Principal,
    everywhere: bool = False,
    client: str | None = None,
) -> int:
    """Revoke the caller's current token, or every token they hold (recorded)."""
    count = revoke_tokens(
        session, user_id=principal.user_id, token_id=None if everywhere else principal.token_id
    )
    if everywhere:
        # "Everywhere" includes the devices acting for this person.
        keys = revoke_user_keys(session, user_id=principal.user_id)
        custody.record(
            session=session,
            action=custody.Action.USER_SESSIONS_REVOKED,
            actor=principal.actor(),
            client=client,
            details={"user": principal.user_id, "tokens": count, "api_keys": keys},
        )
    session.commit()
    return count


def revoke_tokens(session: Session, *, user_id: str, token_id: str | None = None) -> int:
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


def unlock_user(
    *, session: Session, principal: Principal | None, username: str, client: str | None = None
) -> User:
    """Clear a lock after repeated failures (administrators; None = local CLI)."""
    if principal is not None:
        require(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("no user %(username)s", username=username)
    user.locked_at, user.locked_until, user.failed_logins, user.lock_count = None, None, 0, 0
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
    tokens = revoke_tokens(session, user_id=user.id)
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
