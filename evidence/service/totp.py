"""Second factor: which roles need TOTP, code checks with replay protection, enrolment.

Administrators' resets live with the other account operations (`users.reset_totp`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pyotp
from sqlmodel import Session

import custody
from custody.events import utc_now
from evidence.errors import AuthenticationFailed, InvalidInput, NotFound
from evidence.models import AuthToken, Role, User
from evidence.policy import Principal


class TotpRequired(AuthenticationFailed):
    """The password was right but a one-time code is missing (or enrolment is due)."""

    title = "One-time code required"


@dataclass(frozen=True, slots=True)
class TotpPolicy:
    """Which roles must use a second factor, and whether they may still sign in with a
    password alone until they have enrolled (the grace period)."""

    roles: frozenset[Role]
    grace: bool = True

    @classmethod
    def from_environment(cls, *, production: bool) -> TotpPolicy:
        """`DALEL_TOTP_ROLES` (comma list; empty = nobody) and `DALEL_TOTP_GRACE` (1/0;
        default: on in development, off in production)."""
        raw = os.environ.get("DALEL_TOTP_ROLES", "prosecutor,supervisor,defence,court,admin")
        roles = frozenset(Role(r.strip()) for r in raw.split(",") if r.strip())
        grace = os.environ.get("DALEL_TOTP_GRACE", "0" if production else "1") == "1"
        return cls(roles=roles, grace=grace)

    def needs_enrolment(self, user: User) -> bool:
        return user.role in self.roles and not user.totp_secret


NO_TOTP = TotpPolicy(roles=frozenset())
# Codes already used, per user, so a code seen over a shoulder cannot be replayed within
# its 30-second window (process-local: with several API processes the window is the
# remaining protection).
_used_codes: dict[str, set[str]] = {}


def check_code(user: User, code: str) -> bool:
    """Whether `code` is a current code of the user's authenticator, not used before."""
    code = "".join(code.split())
    totp = pyotp.TOTP(user.totp_secret or "")
    if not code.isdigit() or not totp.verify(code, valid_window=1):
        return False
    stamp = f"{totp.timecode(utc_now())}:{code}"
    used = _used_codes.setdefault(user.id, set())
    if stamp in used:
        return False
    if len(used) > 16:
        used.clear()
    used.add(stamp)
    return True


def new_totp_secret() -> str:
    """A fresh 160-bit base32 secret (typed in or pasted as a URI; no QR needed)."""
    return pyotp.random_base32(32)


def totp_uri(*, secret: str, username: str, issuer: str = "Dalel") -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def enrol_totp(
    *,
    session: Session,
    principal: Principal,
    secret: str,
    code: str,
    current_code: str | None = None,
    client: str | None = None,
) -> User:
    """Bind an authenticator to the caller once they prove it works with a valid code.

    The secret comes back from the enrolment form (the server keeps nothing until the
    code checks out); replacing an existing secret needs a code from the current one.
    """
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("no such user")
    clean = secret.replace(" ", "").upper()
    try:
        valid = len(clean) >= 32 and bool(pyotp.TOTP(clean).now())
    except Exception:  # binascii errors for non-base32 input
        valid = False
    if not valid:
        raise InvalidInput("the secret must be at least 32 base32 characters")
    if user.totp_secret and not check_code(user, current_code or ""):
        raise AuthenticationFailed("enter a code from your current authenticator to replace it")
    candidate = User(id=user.id, username=user.username, role=user.role, password_hash="")
    candidate.totp_secret = clean
    if not check_code(candidate, code):
        raise InvalidInput("the code does not match this secret; check the device clock")
    user.totp_secret = clean
    session.add(user)
    # The code just proved the second factor: an enrolment-only session becomes whole.
    if principal.token_id is not None:
        token = session.get(AuthToken, principal.token_id)
        if token is not None and token.enrol_only:
            token.enrol_only = False
            session.add(token)
    custody.record(
        session=session,
        action=custody.Action.USER_TOTP_ENROLLED,
        actor=principal.actor(),
        client=client,
        details={"user": user.id, "replaced": current_code is not None},
    )
    session.commit()
    return user
