"""Sign-in: passwords and one-time codes, lockouts that never stall the server, and
resolving a presented secret (token or device key) to a principal.

Guessing is slowed in three layers, none of which holds a database connection or a
worker thread while it waits:

1. per client address and per account name, a rate limit (`Throttled`, 429);
2. per (account name, address), a lock after a few failures: that pair is answered
   "wrong username or password" for a while, whatever the password (kept in memory);
3. per account, after more failures from anywhere, a lock for a period that doubles
   with each lock in a row (kept in the database, shared by every API process).

A locked account answers exactly like a wrong password (and so does an unknown name,
which is throttled and locked the same way), so a lock reveals neither that an account
exists nor that it is locked. Existing sessions survive every lock: somebody else's
wrong guesses must not sign a person out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

import custody
from custody.events import utc_now
from evidence.errors import AuthenticationFailed
from evidence.models import ApiKey, AuthToken, KeyScope, TokenKind, User
from evidence.policy import Principal
from evidence.security import API_KEY_PREFIX, TOKEN_PREFIX, new_secret, secret_hash, verify_password
from evidence.service.totp import NO_TOTP, TotpPolicy, TotpRequired, check_code
from evidence.throttle import RateLimiter, Throttled

# A device key's last use is written at most this often (not on every request).
LAST_USE_EVERY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class LockPolicy:
    """How many failures lock what, and for how long (see the module docstring)."""

    pair_lock_after: int = 5
    pair_lock_minutes: float = 15
    account_lock_after: int = 10
    account_lock_minutes: float = 5
    account_lock_max_hours: float = 24
    failures_per_minute: int = 30  # per client address and per account name


class LoginGuard:
    """The in-memory layers (1 and 2) of one API process; lives on `app.state`."""

    def __init__(self, policy: LockPolicy | None = None) -> None:
        self.policy = policy = policy or LockPolicy()
        self.by_address = RateLimiter(limit=policy.failures_per_minute, period=60)
        self.by_account = RateLimiter(limit=policy.failures_per_minute, period=60)
        self.pair_failures = RateLimiter(
            limit=policy.pair_lock_after, period=policy.pair_lock_minutes * 60
        )

    @staticmethod
    def _pair(username: str, client: str | None) -> str:
        return f"{username}\x00{client or '-'}"

    def admit(self, *, username: str, client: str | None) -> None:
        """Raise `Throttled` while the address or the account name failed too often in
        the last minute, or the wrong-password error while this (account, address) pair
        is locked; checks only, nothing is counted (successes are never throttled)."""
        for limiter, key in ((self.by_address, client or "-"), (self.by_account, username)):
            wait = limiter.retry_after(key)
            if wait is not None:
                raise Throttled("too many failed sign-ins; try again later", retry_after=wait)
        if self.pair_failures.retry_after(self._pair(username, client)) is not None:
            raise AuthenticationFailed("wrong username or password")

    def failed(self, *, username: str, client: str | None) -> None:
        self.by_address.hit(client or "-")
        self.by_account.hit(username)
        self.pair_failures.hit(self._pair(username, client))

    def succeeded(self, *, username: str, client: str | None) -> None:
        self.pair_failures.reset(self._pair(username, client))


def is_locked(user: User, now: datetime | None = None) -> bool:
    """Whether the account's temporary lock is still running."""
    return user.locked_until is not None and user.locked_until > (now or utc_now())


def _record_failure(
    session: Session, user: User, *, policy: LockPolicy, client: str | None
) -> None:
    """Count a failure on the account; lock it when there were too many (doubling)."""
    user.failed_logins += 1
    if user.failed_logins >= policy.account_lock_after:
        minutes = min(
            policy.account_lock_minutes * 2**user.lock_count, policy.account_lock_max_hours * 60
        )
        now = utc_now()
        user.locked_at, user.locked_until = now, now + timedelta(minutes=minutes)
        user.lock_count += 1
        user.failed_logins = 0
        custody.record(
            session=session,
            action=custody.Action.USER_LOCKED,
            actor=custody.SYSTEM,
            client=client,
            details={
                "user": user.id, "username": user.username,
                "until": user.locked_until.isoformat(), "lock": user.lock_count,
            },
        )  # fmt: skip
    session.add(user)
    session.commit()


def login(
    *,
    session: Session,
    username: str,
    password: str,
    ttl: timedelta,
    kind: TokenKind = TokenKind.API,
    client: str | None = None,
    totp: str | None = None,
    totp_policy: TotpPolicy = NO_TOTP,
    guard: LoginGuard | None = None,
) -> tuple[str, AuthToken]:
    """Check a password (and the TOTP code once enrolled) and issue a token of `kind`.

    A user with a TOTP secret always needs a code. A user whose role requires TOTP but
    who has not enrolled is refused unless the grace period is on; a web sign-in then
    gets an enrolment-only session instead (`enrol_only`), which reaches the account
    page and the enrolment routes only.
    """
    guard = guard or LoginGuard()
    guard.admit(username=username, client=client)
    user = session.exec(select(User).where(User.username == username)).first()
    locked = user is not None and is_locked(user)
    # Release the connection before the deliberately slow hash: a storm of wrong
    # passwords must not hold the pool.
    session.commit()
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or locked or not ok:
        guard.failed(username=username, client=client)
        if user is not None and not locked:
            _record_failure(session, user, policy=guard.policy, client=client)
        raise AuthenticationFailed("wrong username or password")
    if user.disabled_at is not None:
        raise AuthenticationFailed("this account is disabled")
    enrol_only = False
    if user.totp_secret:
        if not totp:
            raise TotpRequired("enter the 6-digit code from your authenticator app")
        if not check_code(user, totp):
            guard.failed(username=username, client=client)
            _record_failure(session, user, policy=guard.policy, client=client)
            raise AuthenticationFailed("wrong or already used one-time code")
    elif totp_policy.needs_enrolment(user) and not totp_policy.grace:
        if kind is not TokenKind.WEB:
            raise TotpRequired(
                "two-factor sign-in is required for your role: enrol an authenticator first "
                "(sign in on the web to enrol)"
            )
        enrol_only = True
    guard.succeeded(username=username, client=client)
    user.failed_logins, user.lock_count = 0, 0
    session.add(user)
    secret = new_secret(TOKEN_PREFIX)
    now = utc_now()
    token = AuthToken(
        user_id=user.id,
        token_hash=secret_hash(secret),
        kind=kind,
        enrol_only=enrol_only,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(token)
    session.commit()
    return secret, token


def authenticate(*, session: Session, secret: str, kind: TokenKind = TokenKind.API) -> Principal:
    """Resolve a token presented on channel `kind`, or a device API key, to a principal.

    A web session token is accepted only as the cookie and an API token only in a
    header, so a cookie value copied out of a browser is not a bearer token.
    """
    now = utc_now()
    if secret.startswith(API_KEY_PREFIX):
        key = session.exec(select(ApiKey).where(ApiKey.key_hash == secret_hash(secret))).first()
        if key is None or key.revoked_at is not None or kind is not TokenKind.API:
            raise AuthenticationFailed("unknown or revoked API key")
        if key.expires_at is not None and key.expires_at <= now:
            raise AuthenticationFailed("this API key has expired; ask for a new one")
        if key.last_used_at is None or now - key.last_used_at > LAST_USE_EVERY:
            key.last_used_at = now
            session.add(key)
        user = session.get(User, key.user_id)
        device: str | None = key.device
        token_id = None
        scope = "upload" if key.scope is KeyScope.UPLOAD else "all"
    else:
        token = session.exec(
            select(AuthToken).where(AuthToken.token_hash == secret_hash(secret))
        ).first()
        if (
            token is None
            or token.revoked_at is not None
            or token.expires_at < now
            or token.kind is not kind
        ):
            raise AuthenticationFailed("the token is unknown, expired or revoked")
        user = session.get(User, token.user_id)
        device, token_id = None, token.id
        scope = "enrol" if token.enrol_only else "all"
    # End the transaction now: on SQLite it holds the database lock, and the request it
    # authenticates may stream for minutes.
    session.commit()
    if user is None:
        raise AuthenticationFailed("the account is gone")
    if user.disabled_at is not None:
        raise AuthenticationFailed("this account is disabled")
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        device=device,
        token_id=token_id,
        scope=scope,
    )
