"""Device keys: a docking station or script acting for one officer (`X-API-Key`).

A key is upload-only unless issued with the `officer` scope, expires after a configured
period, remembers when it was last used, and can be revoked by an administrator or by
its own officer — and by the officer's "sign out everywhere". Only its hash is kept.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from evidence.errors import InvalidInput, NotFound
from evidence.models import ApiKey, KeyScope, Role, User
from evidence.policy import Perm, Principal, allowed
from evidence.security import API_KEY_PREFIX, new_secret, secret_hash
from evidence.service.access import deny, require


def create_api_key(
    *,
    session: Session,
    principal: Principal | None,
    username: str,
    device: str,
    scope: KeyScope = KeyScope.UPLOAD,
    ttl: timedelta | None = None,
    client: str | None = None,
) -> tuple[str, ApiKey]:
    """Issue a device key bound to an officer (administrators; None = local CLI); the
    secret is returned once, only its hash is kept. `ttl` None: the key never expires."""
    if principal is not None:
        require(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
    officer = session.exec(select(User).where(User.username == username)).first()
    if officer is None:
        raise NotFound("no user %(username)s", username=username)
    if officer.role is not Role.OFFICER:
        raise InvalidInput("device keys can only be bound to an officer")
    if not device.strip() or len(device) > 120:
        raise InvalidInput("device must be a non-empty name of at most 120 characters")
    secret = new_secret(API_KEY_PREFIX)
    now = utc_now()
    key = ApiKey(
        user_id=officer.id,
        device=device,
        key_hash=secret_hash(secret),
        scope=scope,
        created_by=principal.user_id if principal else None,
        created_at=now,
        expires_at=now + ttl if ttl else None,
    )
    session.add(key)
    session.flush()
    custody.record(
        session=session,
        action=custody.Action.APIKEY_CREATED,
        actor=principal.actor() if principal else custody.SYSTEM,
        client=client,
        details={
            "key": key.id, "user": officer.id, "device": device, "scope": str(scope),
            "expires_at": key.expires_at.isoformat() if key.expires_at else None,
        },
    )  # fmt: skip
    session.commit()
    return secret, key


def list_api_keys(
    *, session: Session, principal: Principal | None, client: str | None = None
) -> list[tuple[ApiKey, str]]:
    """Keys with their officer's username: all of them for administrators (None = local
    CLI), an officer's own otherwise. Newest first, revoked ones included."""
    query = select(ApiKey, User.username).join(User, col(User.id) == col(ApiKey.user_id))
    if principal is not None and not allowed(principal=principal, perm=Perm.USER_MANAGE):
        if principal.role is not Role.OFFICER or principal.device is not None:
            raise deny(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
        query = query.where(ApiKey.user_id == principal.user_id)
    rows = list(session.exec(query.order_by(col(ApiKey.created_at).desc())).all())
    session.commit()
    return [(key, name) for key, name in rows]


def revoke_api_key(
    *, session: Session, principal: Principal | None, key_id: str, client: str | None = None
) -> ApiKey:
    """Revoke one key at once (administrators, the key's own officer signed in as a
    person, or None = local CLI); revoking a revoked key changes nothing."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("no such API key")
    own = principal is not None and key.user_id == principal.user_id and not principal.device
    if (
        principal is not None
        and not own
        and not allowed(principal=principal, perm=Perm.USER_MANAGE)
    ):
        raise deny(session, principal=principal, perm=Perm.USER_MANAGE, client=client)
    if key.revoked_at is None:
        key.revoked_at = utc_now()
        session.add(key)
        custody.record(
            session=session,
            action=custody.Action.APIKEY_REVOKED,
            actor=principal.actor() if principal else custody.SYSTEM,
            client=client,
            details={"key": key.id, "user": key.user_id, "device": key.device},
        )
    session.commit()
    return key


def revoke_user_keys(session: Session, *, user_id: str) -> int:
    """Mark every live key of a user revoked; the caller records and commits."""
    keys = list(
        session.exec(
            select(ApiKey).where(ApiKey.user_id == user_id, col(ApiKey.revoked_at).is_(None))
        )
    )
    for key in keys:
        key.revoked_at = utc_now()
        session.add(key)
    return len(keys)
