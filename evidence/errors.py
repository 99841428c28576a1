"""Errors of the evidence package: one base class, no HTTP types.

`evidence.app` maps each class to an HTTP status in one table.
"""


class EvidenceError(Exception):
    """Base class for every evidence-vault failure."""

    title = "Evidence error"


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
