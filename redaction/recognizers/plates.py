"""Vehicle registration plates of Kazakhstan.

Current format (2012-): ``123 ABC 02`` (3 digits, 2-3 letters, region 01-20). Older
format (1993-2012): ``A 123 BCD`` (region letter, 3 digits, 2-3 letters). Cyrillic
look-alike letters are mapped to Latin before matching, one character for one; OCR's
letters for digits (``123АВСО2``: О for 0) are accepted in the digit places.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from redaction.config import load_data
from redaction.recognizers.base import CYR_TO_LAT, Candidate, CandidateRecognizer

# A digit place: a digit, or a letter OCR reads for one (after the Cyrillic → Latin map).
_D = r"[\dOIl|]"
_AS_DIGITS = str.maketrans("OIl|", "0111")
_MAX_BORROWED = 2


def _compile() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    data = load_data("patterns.yaml")
    letters = "".join(data["plate_old_region_letters"])
    current = re.compile(rf"(?<![\w-]){_D}{{3}}[ -]?[A-Z]{{2,3}}[ -]?{_D}{{2}}(?![\w-])")
    old = re.compile(rf"(?<![\w-])[{letters}][ -]?\d{{3}}[ -]?[A-Z]{{2,3}}(?![\w-])")
    return current, old, frozenset(data["plate_regions"])


def _digit_places(value: str) -> tuple[str, int]:
    """The digits of a plate's digit places and how many were letters read as digits."""
    compact = value.replace(" ", "").replace("-", "")
    places = compact[:3] + compact[-2:]
    return places.translate(_AS_DIGITS), sum(not ch.isdigit() for ch in places)


class KzPlateRecognizer(CandidateRecognizer):
    """Finds current and older Kazakhstan plates; older ones need a context word."""

    ENTITIES = ("KZ_VEHICLE_PLATE",)

    def __init__(self, *, language: str) -> None:
        super().__init__(language=language)
        self._current, self._old, self._regions = _compile()

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield plate candidates found in the look-alike-normalised text."""
        normalised = text.translate(CYR_TO_LAT)
        for m in self._current.finditer(normalised):
            digits, borrowed = _digit_places(m.group())
            if digits[-2:] in self._regions and borrowed <= _MAX_BORROWED:
                yield Candidate("KZ_VEHICLE_PLATE", m.start(), m.end(), 0.7, "current plate")
        for m in self._old.finditer(normalised):
            yield Candidate("KZ_VEHICLE_PLATE", m.start(), m.end(), 0.45, "older plate")
