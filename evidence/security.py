"""Password hashing (Argon2id) and opaque secrets (tokens, API keys) stored only as hashes."""

from __future__ import annotations

import hashlib
import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# RFC 9106's second recommended profile by default; tests lower the cost through the
# environment (hashes carry their own parameters, so verification always matches).
_hasher = PasswordHasher(
    time_cost=int(os.environ.get("DALEL_ARGON2_TIME_COST", "3")),
    memory_cost=int(os.environ.get("DALEL_ARGON2_MEMORY_KIB", str(64 * 1024))),
)
# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("dalel-timing-equaliser")

TOKEN_PREFIX = "dt_"
API_KEY_PREFIX = "dk_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-effort check; a missing user still pays for one Argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """Tokens and keys are high-entropy, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(secret.encode()).hexdigest()
