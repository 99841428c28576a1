"""Errors of the disclosure package: one base class, no HTTP types.

`evidence.app` maps each class to an HTTP status (see `STATUS`). Messages are English
templates with named parameters (`DisclosureGone("the disclosure is %(status)s",
status=...)`), translated on the pages like the evidence package's.
"""

from __future__ import annotations

from evidence.errors import TranslatableError


class DisclosureError(TranslatableError):
    """Base class for every disclosure failure."""

    title = "Disclosure error"


class DisclosureNotFound(DisclosureError):
    """No such disclosure, receipt or item in it (or it is hidden from the caller)."""

    title = "Not found"


class DisclosureInvalid(DisclosureError):
    """Malformed request: unknown recipient, bad expiry, bad key or signature format."""

    title = "Invalid disclosure request"


class DisclosureBlocked(DisclosureError):
    """An item may not be disclosed: flagged "do not disclose", or no approved redaction.
    `why` is the reason in a few words (a msgid), for a page that lists items by name."""

    title = "Item not disclosable"

    def __init__(self, template: str, /, *, why: str = "", **params: object) -> None:
        super().__init__(template, **params)
        self.why = why or template


class DisclosureForbidden(DisclosureError):
    """The caller's role does not allow this disclosure action."""

    title = "Forbidden"


class DisclosureGone(DisclosureError):
    """The disclosure was revoked or has expired: access ended."""

    title = "Disclosure ended"


class SignatureInvalid(DisclosureError):
    """A receipt signature does not verify against the lawyer's registered key."""

    title = "Invalid signature"


class WatermarkPending(DisclosureError):
    """A file's watermarked copy is still being prepared (or its preparation failed):
    nothing is served until it is ready. Carries what is pending and a retry hint."""

    title = "Being prepared"

    def __init__(
        self,
        template: str,
        /,
        *,
        pending: list[dict[str, object]],
        retry_after: int | None,
        **params: object,
    ) -> None:
        super().__init__(template, **params)
        self.pending = pending
        self.retry_after = retry_after  # None: failed, retrying will not help by itself


class BundleStopped(DisclosureGone):
    """A bundle stopped streaming: the disclosure was revoked or expired meanwhile."""

    title = "Disclosure ended during the download"


class WatermarkError(DisclosureError):
    """A watermark could not be rendered (tool missing or failed)."""

    title = "Watermark failed"


# For evidence/problems.py: most specific first.
STATUS: list[tuple[type[Exception], int]] = [
    (DisclosureNotFound, 404),
    (DisclosureInvalid, 400),
    (DisclosureBlocked, 409),
    (DisclosureForbidden, 403),
    (DisclosureGone, 410),
    (WatermarkPending, 409),
    (SignatureInvalid, 400),
    (WatermarkError, 500),
    (DisclosureError, 500),
]
