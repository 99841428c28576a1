"""Words that reach the pages as data (roles, statuses, sources, kinds, states).

They are listed here, marked with `_`, only so that Babel's extractor puts them in the
catalogs; templates translate them at render time with `_(value)`.
"""

from __future__ import annotations


def _(message: str) -> str:
    return message


ROLES = [
    _("officer"),
    _("investigator"),
    _("prosecutor"),
    _("defence"),
    _("court"),
    _("auditor"),
    _("admin"),
]
CASE_STATUSES = [_("open"), _("closed"), _("archived")]
SOURCES = [
    _("bodycam"),
    _("phone"),
    _("cctv"),
    _("document"),
    _("photo"),
    _("audio"),
    _("other"),
]
MEDIA_KINDS = [_("video"), _("audio"), _("image"), _("document"), _("other")]
DERIVATIVE_KINDS = [
    _("proxy"),
    _("thumbnail"),
    _("transcript"),
    _("ocr"),
    _("redacted"),
    _("derivative"),
    _("child"),
    _("original"),
    _("poster"),
    _("text"),
    _("searchable-pdf"),
]
HIT_KINDS = [_("pdf-text"), _("chat"), _("note")]
UNITS = [_("B"), _("KiB"), _("MiB"), _("GiB"), _("TiB")]
