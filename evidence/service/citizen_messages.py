"""The texts an evidence request sends, in the request's language (kk, ru or en): the
standard message and the e-mail. They are catalog messages (`N_`), translated with the
catalog of the request's language rather than the page's."""

from __future__ import annotations

from evidence import i18n
from evidence.citizen_models import EvidenceRequest
from evidence.i18n import N_

DEFAULT_MESSAGE = N_(
    "The police ask you to send files that may help an investigation (photos, videos, "
    "screenshots, documents or chat exports). Open the link on your phone or computer: "
    "no account is needed. Your files go to the investigator only."
)
SUBJECT = N_("Request for files %(ref)s")
BODY = N_("%(message)s\n\nWhat is asked for: %(asked)s\n\nLink (valid until %(until)s): %(link)s")


def _catalog(lang: str) -> str:
    return lang if lang in i18n.LANGUAGES else "kk"


def default_message(lang: str) -> str:
    return i18n.translations(_catalog(lang)).gettext(DEFAULT_MESSAGE)


def invitation(request: EvidenceRequest, link: str) -> tuple[str, str]:
    """The e-mail's subject and text (the same text serves to copy into an SMS)."""
    catalog = i18n.translations(_catalog(request.language))
    subject = catalog.gettext(SUBJECT) % {"ref": request.reference}
    body = catalog.gettext(BODY) % {
        "message": request.message,
        "asked": request.asked_for or "—",
        "until": request.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
        "link": link,
    }
    return subject, body


def link_for(base_url: str, token: str) -> str:
    """The person's link: the page `/r/{token}` of the server's public address."""
    return f"{base_url.rstrip('/')}/r/{token}"
