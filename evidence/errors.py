"""Errors of the evidence package: one base class, no HTTP types.

`evidence.app` maps each class to an HTTP status in one table.

A message is an English template with named parameters, so the web pages can show it in
the reader's language: `InvalidInput("a tag is 1 to %(max)d characters", max=64)`.
`str(error)` is the formatted English sentence (what the API puts in a problem's
`detail`); `error.template` is the catalog's msgid and `error.params` the values. Every
subclass of `TranslatableError` (the error bases of evidence, ingest, redaction and
disclosure) is an extraction keyword of `python -m evidence.i18n.update`, so a literal
template is in the catalogs; an f-string would not be, and `tests/web/test_catalogs.py`
refuses one.
"""

from __future__ import annotations

from typing import Any


class TranslatableError(Exception):
    """An error whose message is an English template with named parameters (a msgid of
    the catalogs), filled in English by `str()` and in the reader's language by the pages
    (`evidence.web.core.reason`). The base of each package's own error base class."""

    title = "Error"

    def __init__(self, template: str = "", /, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(*([render(template, params)] if template else []))


class EvidenceError(TranslatableError):
    """Base class for every evidence-vault failure."""

    title = "Evidence error"


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


class ItemPurged(EvidenceError):
    """The item's bytes were deleted after its retention ended (or are being deleted);
    its row remains as a tombstone with the approvals."""

    title = "Item purged"


class AccessDenied(EvidenceError):
    """The policy refuses this actor this action; the refusal is recorded in custody."""

    title = "Access denied"


class AuthenticationFailed(EvidenceError):
    """Credentials or token are missing, wrong, expired or revoked."""

    title = "Authentication failed"


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
