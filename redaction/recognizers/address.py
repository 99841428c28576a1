"""Street addresses in Russian (``ул. Абая, д. 15, кв. 27``), Kazakh (``Абай даңғылы,
15 үй, 27 пәтер``) and English (``15 Abay Avenue, apt 27``).

A street marker is required, or a house number after a settlement (``Ақсу ауылы,
5-үй``). The span runs from the marker (or the street name before a Kazakh/English
marker) through the house and flat numbers, and takes in the settlement, district and
region written just before it (``Шымкент қаласы, Тәуке хан даңғылы, 12-үй``,
``г. Алматы, ул. Абая, д. 15``): the whole address is hidden, not the part after the
city. A town on its own is left to the LOCATION recognizer: it rarely identifies anybody.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from redaction.config import load_data
from redaction.recognizers.base import CYR_UPPER, Candidate, CandidateRecognizer

_CAP = rf"[{CYR_UPPER}A-Z0-9][\w'’.-]*"
# Lower-case words that belong inside street names (Толе би, Райымбек батыра, 8-я линия,
# Тәуке хан, Мәншүк апа).
_TITLES = r"би|батыр|батыра|хан|ана|ата|апа|ақын|абыз|бек|шешен"
_NAME_WORD = rf"(?:{_CAP}|{_TITLES}|линия|мкр)"
_NAME = rf"{_CAP}(?:[ -]{_NAME_WORD}){{0,3}}"
# Before a Kazakh/English marker at most two capitalised words (Мұхтар Әуезов көшесі),
# so a name just before the street ("Мұхтардан Төле би көшесі") stays out of the span.
_LETTER_CAP = rf"[{CYR_UPPER}A-Z][\w'’.-]*"
_SHORT_NAME = rf"{_LETTER_CAP}(?:\s(?:{_TITLES})\b|[ -]{_LETTER_CAP})?"
_NUM = r"№?\s?\d{1,4}[А-Яа-яA-Za-z]?(?:/\d{1,4})?(?:-\d{1,4})?"


def _alternation(words: list[str]) -> str:
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.escape(word)
        # A marker ending in a letter must end at a word boundary ("ул" ≠ "улыбка").
        parts.append(escaped + r"\b" if word[-1].isalpha() else escaped)
    return "(?i:" + "|".join(parts) + ")"


def _compile() -> list[re.Pattern[str]]:
    data = load_data("patterns.yaml")
    pre = _alternation(data["address_prefix_markers"])
    suf = _alternation(data["address_suffix_markers"])
    en = _alternation(data["address_en_markers"])
    house = rf"(?:,?\s*(?:(?i:д\.|дом\b|үй\b|house\b)\s*)?{_NUM}(?:\s?-?(?:үй|ү\.)\b)?)"
    # A house number that says it is one (the only anchor when there is no street).
    marked_house = rf"(?:,?\s*(?:(?i:д\.|дом\b|үй\b|house\b)\s*{_NUM}|{_NUM}\s?-?үй\b))"
    flat = (
        rf"(?:,?\s*(?:(?i:кв\.|квартира\b|кв\b|офис\b|пәтер\b|apt\.?|apartment\b|flat\b)"
        rf"\s*{_NUM}|,?\s*{_NUM}\s?-?пәтер\b))"
    )
    place = _places(data)
    return [
        re.compile(rf"{place}{pre}\s*{_NAME}{house}?{flat}?"),
        re.compile(rf"{place}{_SHORT_NAME}\s{suf}{house}?{flat}?"),
        re.compile(rf"\b\d{{1,4}}[A-Za-z]?\s{_SHORT_NAME}\s{en}{flat}?"),
        re.compile(rf"{place}{_SHORT_NAME}\s{en}{house}?{flat}?"),
        # No street: a village or town and a marked house number (Ақсу ауылы, 5-үй).
        re.compile(rf"{place.removesuffix('*')}+{marked_house.removeprefix(',?')}{flat}?"),
    ]


def _places(data: dict[str, Any]) -> str:
    """Settlements, districts and regions before a street, each followed by a comma or
    space: «Шымкент қаласы, », «г. Алматы, », «Сайрам ауданы », "Almaty, " is not
    (English puts the city after the street)."""
    after = _alternation(data["address_place_suffixes"])
    before = _alternation(data["address_place_prefixes"])
    unit = rf"(?:{_SHORT_NAME}\s{after}|{before}\s?{_LETTER_CAP}(?:[ -]{_LETTER_CAP})?)"
    return rf"(?:{unit}[,\s]\s*)*"


class AddressRecognizer(CandidateRecognizer):
    """Finds street addresses anchored on a street marker word."""

    ENTITIES = ("ADDRESS",)

    def __init__(self, *, language: str) -> None:
        super().__init__(language=language, context=[])
        self._patterns = _compile()

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield address spans; a house number raises the score."""
        for rx in self._patterns:
            for m in rx.finditer(text):
                span = m.group().rstrip(" ,.")
                has_number = any(ch.isdigit() for ch in span)
                score = 0.75 if has_number else 0.5
                yield Candidate("ADDRESS", m.start(), m.start() + len(span), score, "street")
