"""Errors of the evidence package: one base class, no HTTP types.

`evidence.app` maps each class to an HTTP status in one table.

A message is an English template with named parameters, so the web pages can show it in
the reader's language: `InvalidInput("a tag is 1 to %(max)d characters", max=64)`.
`str(error)` is the formatted English sentence (what the API puts in a problem's
`detail`); `error.template` is the catalog's msgid (the exception classes are keywords
of the message extraction, see `evidence/i18n/babel.cfg`) and `error.params` the values.
"""

from __future__ import annotations

from typing import Any


class EvidenceError(Exception):
    """Base class for every evidence-vault failure."""

    title = "Evidence error"

    def __init__(self, template: str = "", /, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(*([render(template, params)] if template else []))


def render(template: str, params: dict[str, Any]) -> str:
    """`template % params` (the template as it is without parameters). Parameters that do
    not fit the template are appended instead: a message must never turn one error into
    another."""
    if not params:
        return template
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return f"{template} {params}"


class InvalidInput(EvidenceError):
    """The request is malformed or violates a rule; nothing was changed."""

    title = "Invalid input"


class NotFound(EvidenceError):
    """The case, item, user or session does not exist (or is hidden from the caller)."""

    title = "Not found"


class Conflict(EvidenceError):
    """The request clashes with existing state (duplicate number, finished upload)."""

    title = "Conflict"


class AccessDenied(EvidenceError):
    """The policy refuses this actor this action; the refusal is recorded in custody."""

    title = "Access denied"


class AuthenticationFailed(EvidenceError):
    """Credentials or token are missing, wrong, expired or revoked."""

    title = "Authentication failed"


class AccountLocked(AuthenticationFailed):
    """Too many failed sign-ins: an administrator must unlock the account."""

    title = "Account locked"


class TooLarge(EvidenceError):
    """The upload exceeds the configured size limit."""

    title = "Upload too large"


class IntegrityMismatch(EvidenceError):
    """Received bytes do not match the expected SHA-256 or size; nothing was kept."""

    title = "Integrity mismatch"


class StorageError(EvidenceError):
    """The object store failed; vendor errors are translated into this at the adapter."""

    title = "Storage unavailable"


class DatabaseUnavailable(EvidenceError):
    """The database cannot be reached."""

    title = "Database unavailable"
