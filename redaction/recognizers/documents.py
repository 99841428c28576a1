"""Identity documents: Kazakhstan ID cards (9 digits) and passports (N + 8 digits).

A bare 9-digit number is common in case files (amounts, registry numbers), so ID card
candidates start below the proposal threshold and only pass with a context word
(удостоверение, жеке куәлік, ID card) found by Presidio's context enhancer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from redaction.recognizers.base import Candidate, CandidateRecognizer

_ID_RX = re.compile(r"(?<![\d\w])\d{9}(?!\d)(?![ -]\d)")
# Latin N, or Cyrillic Н (the key a Russian-layout typist presses for N), 8 digits.
_PASSPORT_RX = re.compile(r"(?<![\w])[NН]\s?\d{8}(?!\d)")


class KzIdCardRecognizer(CandidateRecognizer):
    """Proposes 9-digit ID card numbers; relies on context words to pass the threshold."""

    ENTITIES = ("KZ_ID_CARD",)

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield every standalone 9-digit number at a low base score."""
        for m in _ID_RX.finditer(text):
            yield Candidate("KZ_ID_CARD", m.start(), m.end(), 0.3, "9 digits")


class KzPassportRecognizer(CandidateRecognizer):
    """Finds passport numbers of the form N12345678."""

    ENTITIES = ("KZ_PASSPORT",)

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield passport-number candidates."""
        for m in _PASSPORT_RX.finditer(text):
            yield Candidate("KZ_PASSPORT", m.start(), m.end(), 0.6, "N + 8 digits")
