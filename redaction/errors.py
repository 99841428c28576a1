"""Errors raised by the redaction package.

One base class so callers (the API layer, jobs) can map every redaction failure in one
place; no HTTP types here. Messages are English templates with named parameters
(``PlanError("span %(start)s-%(end)s is outside the analysed text", start=1, end=9)``),
translated on the pages like the evidence package's.
"""

from __future__ import annotations

from evidence.errors import TranslatableError


class RedactionError(TranslatableError):
    """Base class for every error raised by ``redaction``."""

    title = "Redaction error"


class RedactionConfigError(RedactionError):
    """A data file, policy or configured extra directory is missing or malformed."""


class UnsupportedLanguageError(RedactionError):
    """The caller asked for a language the analyzer does not support."""
