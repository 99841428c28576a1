"""Vehicle registration plates of Kazakhstan.

Current format (2012-): ``123 ABC 02`` (3 digits, 2-3 letters, region 01-20). Older
format (1993-2012): ``A 123 BCD`` (region letter, 3 digits, 2-3 letters). Cyrillic
look-alike letters are mapped to Latin before matching, one character for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from redaction.config import load_data
from redaction.recognizers.base import CYR_TO_LAT, Candidate, CandidateRecognizer


def _compile() -> tuple[re.Pattern[str], re.Pattern[str]]:
    data = load_data("patterns.yaml")
    regions = "|".join(re.escape(r) for r in data["plate_regions"])
    letters = "".join(data["plate_old_region_letters"])
    current = re.compile(rf"(?<![\w-])\d{{3}}[ -]?[A-Z]{{2,3}}[ -]?(?:{regions})(?![\w-])")
    old = re.compile(rf"(?<![\w-])[{letters}][ -]?\d{{3}}[ -]?[A-Z]{{2,3}}(?![\w-])")
    return current, old


class KzPlateRecognizer(CandidateRecognizer):
    """Finds current and older Kazakhstan plates; older ones need a context word."""

    ENTITIES = ("KZ_VEHICLE_PLATE",)

    def __init__(self, *, language: str) -> None:
        super().__init__(language=language)
        self._current, self._old = _compile()

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield plate candidates found in the look-alike-normalised text."""
        normalised = text.translate(CYR_TO_LAT)
        for m in self._current.finditer(normalised):
            yield Candidate("KZ_VEHICLE_PLATE", m.start(), m.end(), 0.7, "current plate")
        for m in self._old.finditer(normalised):
            yield Candidate("KZ_VEHICLE_PLATE", m.start(), m.end(), 0.45, "older plate")
