"""IBANs (ISO 13616 mod-97) and bank card numbers (Luhn)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from redaction.numbers import iban_ok, is_valid_card, is_valid_kz_iban
from redaction.recognizers.base import CYR_TO_LAT, Candidate, CandidateRecognizer

# KZ IBAN: KZ + 2 check digits + 16 characters, often printed in groups of four. Other
# countries' IBANs (transfers abroad) are accepted when they pass mod 97.
_IBAN_RX = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ -]?[0-9A-Z]){11,30}(?![A-Za-z0-9])")
_CARD_RX = re.compile(
    # Not right after an IBAN's "KZ56 " head: its grouped digits can pass Luhn by chance.
    r"(?<!\w)(?<!\d-)(?<![A-Z]{2}\d{2} )(?:\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?"
    r"|\d{4}[ -]\d{6}[ -]\d{4,5}|\d{13,19})(?!\w)(?![ -]\d)"
)


class IbanRecognizer(CandidateRecognizer):
    """Finds IBANs that pass the mod-97 check; Kazakh ones score highest."""

    ENTITIES = ("IBAN_CODE",)

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield IBAN candidates (Cyrillic look-alike letters normalised first)."""
        normalised = text.translate(CYR_TO_LAT)
        for m in _IBAN_RX.finditer(normalised):
            value = m.group()
            if is_valid_kz_iban(value):
                yield Candidate("IBAN_CODE", m.start(), m.end(), 0.95, "KZ IBAN mod 97")
                continue
            # A grouped IBAN may have swallowed a trailing group of the next token;
            # trim back one space-separated group at a time until it validates.
            parts = value.split(" ")
            while len(parts) > 1 and not iban_ok("".join(parts)):
                parts.pop()
            if iban_ok("".join(parts)):
                end = m.start() + len(" ".join(parts))
                yield Candidate("IBAN_CODE", m.start(), end, 0.85, "IBAN mod 97")


class CardRecognizer(CandidateRecognizer):
    """Finds 13-19 digit card numbers that pass the Luhn check."""

    ENTITIES = ("CREDIT_CARD",)

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield Luhn-valid card candidates."""
        for m in _CARD_RX.finditer(text):
            if is_valid_card(m.group()):
                grouped = not m.group().isdigit()
                score = 0.9 if grouped else 0.8
                yield Candidate("CREDIT_CARD", m.start(), m.end(), score, "Luhn")
