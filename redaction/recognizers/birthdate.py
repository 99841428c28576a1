"""Dates of birth: a date with a birth word nearby (г.р., туған, born, дата рождения).

Dates alone are not proposed: protocols are full of incident and hearing dates that the
defence must see. The context check is our own (a character window on both sides)
because "г.р." and "жылы туған" follow the date, where Presidio's enhancer does not look.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from redaction.config import load_data
from redaction.recognizers.base import Candidate, CandidateRecognizer

_RU_MONTHS = r"январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр"
_KK_MONTHS = r"қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйек|қазан|қараша|желтоқсан"
_EN_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_YEAR = r"(?:19|20)\d{2}"
_DATES = [
    rf"(?<!\d){_DAY}[./-]{_MONTH}[./-]{_YEAR}(?!\d)",
    rf"(?<!\d){_YEAR}-{_MONTH}-{_DAY}(?!\d)",
    rf"(?<!\d){_DAY}\s(?i:{_RU_MONTHS}|{_KK_MONTHS})[а-яәіңғүұқөһ]*\s{_YEAR}(?:\s?(?:г\.|года|ж\.|жылы))?",
    rf"(?<!\d){_YEAR}\s?(?:ж\.|жылы|жылғы|ж)?\s{_DAY}\s(?i:{_KK_MONTHS})[а-яәіңғүұқөһ]*",
    rf"(?<!\d){_DAY}(?:st|nd|rd|th)?\s(?:{_EN_MONTHS})\.?,?\s{_YEAR}",
    rf"\b(?:{_EN_MONTHS})\.?\s{_DAY}(?:st|nd|rd|th)?,?\s{_YEAR}",
    # A bare year counts only when a birth marker follows right after it.
    rf"(?<!\d){_YEAR}(?=\s?(?:г\.\s?р\.|года рождения|ж\.\s?т\.|жылы туған|жылғы|ж\.т\.))",
]
_RX = re.compile("|".join(f"(?:{d})" for d in _DATES))
_BEFORE, _AFTER = 45, 40


class BirthDateRecognizer(CandidateRecognizer):
    """Finds dates that have a birth word within a small window around them."""

    ENTITIES = ("DATE_OF_BIRTH",)

    def __init__(self, *, language: str) -> None:
        super().__init__(language=language, context=[])
        words = load_data("patterns.yaml")["dob_context"]
        # One list for all languages: Russian protocols quote Kazakh documents and back.
        self._before = tuple(w.lower() for w in words["before"])
        self._after = tuple(w.lower() for w in words["after"])

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield dates with a birth word before or after them."""
        previous_end = 0
        matches = list(_RX.finditer(text))
        for i, m in enumerate(matches):
            # Kazakh puts the verb last ("... 1990 жылы 30 қарашада Талдықорған қаласында
            # туған"), so the look-ahead is long; it stops at the next date.
            next_start = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            # The look-back stops at the previous date, so the incident date that follows
            # "12.03.1985 г.р." does not borrow its birth word.
            before = text[max(previous_end, m.start() - _BEFORE) : m.start()]
            after = text[m.end() : min(next_start, m.end() + _AFTER)].lower()
            previous_end = m.end()
            if any(w in before.lower() for w in self._before) or any(
                w in after for w in self._after
            ):
                end = m.start() + len(m.group().rstrip(" ,"))
                yield Candidate("DATE_OF_BIRTH", m.start(), end, 0.85, "date + birth word")
