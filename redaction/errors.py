"""Errors raised by the redaction package.

One base class so callers (the API layer, jobs) can map every redaction failure in one
place; no HTTP types here.
"""

from __future__ import annotations


class RedactionError(Exception):
    """Base class for every error raised by ``redaction``."""


class RedactionConfigError(RedactionError):
    """A data file, policy or configured extra directory is missing or malformed."""


class UnsupportedLanguageError(RedactionError):
    """The caller asked for a language the analyzer does not support."""
