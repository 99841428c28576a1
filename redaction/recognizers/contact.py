"""E-mail and IP addresses: Presidio's own recognizers, registered per language.

Presidio's e-mail recognizer checks the top-level domain with tldextract; with
``TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=""`` (set in ``redaction.analyzer``) it uses the
snapshot bundled with tldextract and never touches the network.
"""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer
from presidio_analyzer.predefined_recognizers import EmailRecognizer, IpRecognizer

_EMAIL_CONTEXT = {
    "kk": ["email", "пошта", "e-mail", "почта"],
    "ru": ["email", "почт", "e-mail", "эл"],
    "en": ["email", "e-mail", "mail"],
}
_IP_CONTEXT = {"kk": ["ip", "мекенжай"], "ru": ["ip", "адрес"], "en": ["ip", "address"]}


def contact_recognizers(*, language: str) -> list[EntityRecognizer]:
    """Return e-mail and IP recognizers for ``language``."""
    return [
        EmailRecognizer(supported_language=language, context=_EMAIL_CONTEXT[language]),
        IpRecognizer(supported_language=language, context=_IP_CONTEXT[language]),
    ]
