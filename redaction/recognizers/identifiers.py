"""IIN (individuals) and BIN (legal entities): 12 digits with a mod-11 check digit.

The two are told apart by structure: an IIN starts with a birth date and a century/sex
digit, a BIN has its entity-kind digit (4-6) where an IIN has the day's tens (0-3).
A number that fails the checksum is proposed only in IIN context (a label such as
«ИИН», «ЖСН», "IIN" or «ИИН/БИН» just before it): then it is most likely a typo in a real
IIN, and it is proposed as a possible IIN with a low score and the reason "checksum
fails". A bare 12-digit number that fails is an order or account number, not proposed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from redaction.numbers import is_valid_bin, is_valid_iin, only_digits
from redaction.recognizers.base import Candidate, CandidateRecognizer

# Plain 12 digits, or the groupings people type (6+6, 6+3+3, 4+4+4, 3+3+3+3). The
# look-arounds stop us from taking 12 digits out of a longer number (cards, accounts).
_GROUPS = (
    r"\d{12}|\d{6}[ -]\d{6}|\d{6}[ -]\d{3}[ -]\d{3}|\d{4}[ -]\d{4}[ -]\d{4}|\d{3}(?:[ -]\d{3}){3}"
)
_RX = re.compile(rf"(?<!\w)(?<!\d-)(?:{_GROUPS})(?!\w)(?![ -]\d)")


# OCR and hurried typing put letters for digits: О/O for 0, З for 3, l/I/| for 1.
# One character for one, so offsets hold; a match may borrow at most two of them.
_DIGIT_LOOKALIKES = str.maketrans("OoОоЗзlI|", "000033111")
_MAX_BORROWED = 2
# An IIN label at most a few characters before the number: «ИИН», «ЖСН», "IIN",
# «ИИН/БИН», «ЖСН/БСН», also OCR's Cyrillic look-alikes of "IIN" («ІІN», «ІІН»).
_IIN_LABEL = re.compile(
    r"(?i:(?<![\w])(?:ИИН|ЖСН|IIN|[IІ]{2}[NН])(?:\s?/\s?(?:БИН|БСН|BIN))?)"
    r"[\s:№#.,-]{0,4}(?:(?i:номер|нөмірі|number|no\.?)[\s:№#.-]{0,3})?$"
)
# Below the analyzer's default threshold plus a little: visible to the reviewer, sorted
# after the sure findings, and never raised by Presidio's context words.
# "не ИИН", "not an IIN": the label says what the number is not.
_NEGATION = re.compile(r"(?i:(?<!\w)(?:не|not(?:\s+an?)?|емес))\s+$")
TYPO_SCORE = 0.45
TYPO_WHY = "checksum fails"


class KzIdentifierRecognizer(CandidateRecognizer):
    """Finds checksum-valid IINs and BINs, also when written with spaces or hyphens."""

    ENTITIES = ("KZ_IIN", "KZ_BIN")

    @staticmethod
    def _labelled(text: str, start: int) -> bool:
        """True when an IIN label (not negated) stands just before ``start``."""
        window = max(0, start - 24)
        label = _IIN_LABEL.search(text[window:start])
        if label is None:
            return False
        before = text[max(0, window + label.start() - 12) : window + label.start()]
        return _NEGATION.search(before) is None

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield one candidate per 12-digit group that validates as IIN or BIN."""
        normalised = text.translate(_DIGIT_LOOKALIKES)
        for m in _RX.finditer(normalised):
            borrowed = sum(
                not ch.isdigit() and not ch.isspace() and ch != "-"
                for ch in text[m.start() : m.end()]
            )
            if borrowed > _MAX_BORROWED:
                continue
            digits = only_digits(m.group())
            if is_valid_iin(digits):
                yield Candidate("KZ_IIN", m.start(), m.end(), 0.95, "IIN checksum and date")
            elif is_valid_bin(digits):
                yield Candidate("KZ_BIN", m.start(), m.end(), 0.9, "BIN checksum")
            elif self._labelled(text, m.start()):
                yield Candidate("KZ_IIN", m.start(), m.end(), TYPO_SCORE, TYPO_WHY, final=True)
