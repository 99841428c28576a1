"""Kazakhstan phone numbers: +7 or 8, then a 6xx/7xx code and 10 digits in total.

Kazakhstan shares country code 7 with Russia; its numbers are the ones whose national
part starts with 6 or 7 (mobile 70x/747/75x/76x/77x, landlines 71xx/72xx, new 6xx).
Separators between digits are free-form: spaces, hyphens, dots, brackets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from redaction.numbers import only_digits
from redaction.recognizers.base import Candidate, CandidateRecognizer

_SEP = r"[\s\-.()]{0,3}"
_RX = re.compile(rf"(?<![\d+])(?:\+\s?7|8)(?:{_SEP})[67](?:{_SEP}\d){{9}}(?!\d)(?![ -]\d)")
# Chats often drop the prefix: "701 123 45 67". Only mobile operator codes, and a score
# below the threshold unless a context word (тел, номер, звони) is near.
_MOBILE_CODES = r"70\d|747|75[01]|76[0-4]|771|77[5-8]"
_BARE_RX = re.compile(
    rf"(?<![\d+\w])\(?(?:{_MOBILE_CODES})\)?[\s\-.]?\d{{3}}[\s\-.]?\d{{2}}[\s\-.]?\d{{2}}"
    r"(?!\d)(?![ -]\d)"
)


# What is left of a "+7"/"8" prefix that OCR or a typist garbled ("+/", "+ 7", "7"): the
# span takes it in, so the prefix is hidden together with the number.
_PREFIX_REST = re.compile(r"(?:\+\s?\S?|(?<![\w+])[78])[\s\-.(]{0,2}$")


class KzPhoneRecognizer(CandidateRecognizer):
    """Finds +7/8 numbers with a Kazakhstan (6xx, 7xx) national code."""

    ENTITIES = ("PHONE_NUMBER",)

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield phone-number candidates with exactly 11 digits."""
        taken = []
        for m in _RX.finditer(text):
            if len(only_digits(m.group())) == 11:
                taken.append((m.start(), m.end()))
                yield Candidate("PHONE_NUMBER", m.start(), m.end(), 0.8, "KZ phone format")
        for m in _BARE_RX.finditer(text):
            if not any(s <= m.start() < e for s, e in taken):
                start = m.start()
                if prefix := _PREFIX_REST.search(text[max(0, start - 5) : start]):
                    start -= len(prefix.group())
                yield Candidate("PHONE_NUMBER", start, m.end(), 0.3, "KZ mobile, no prefix")
