"""Post-processing of raw detections: overlaps between recognizers and excluded names."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Any

# (entity, start, end, score, presidio result)
Span = tuple[str, int, int, float, Any]

_MAX_SPAN = 400
_WEAK = frozenset({"PERSON", "LOCATION", "ORGANIZATION"})
_VALIDATED = frozenset({"IBAN_CODE", "CREDIT_CARD", "KZ_IIN", "KZ_BIN"})
_CONTAINERS_THAT_YIELD = frozenset({"LOCATION", "ORGANIZATION"})
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def resolve_overlaps(*, spans: list[Span], text: str) -> list[Span]:
    """Merge overlapping spans of one type; drop spans inside a longer span of another type.

    Merging keeps the union so that redaction covers what any recognizer found (natasha
    "Иванов Пётр" and the rule "Иванов Пётр Сергеевич" give the full name). Containment
    lets ADDRESS win over the PERSON inside "ул. Абая"; partial overlaps of different
    types are both kept, since hiding too little is the worse error.
    """
    by_type: dict[str, list[Span]] = {}
    for span in sorted(spans, key=lambda s: (s[1], -s[2])):
        group = by_type.setdefault(span[0], [])
        if group and span[1] < group[-1][2]:
            last = group[-1]
            best = span if span[3] > last[3] else last
            group[-1] = (last[0], last[1], max(last[2], span[2]), max(last[3], span[3]), best[4])
        else:
            group.append(span)
    merged = _trim_against_addresses([s for g in by_type.values() for s in g], text)
    merged.sort(key=lambda s: s[1])
    starts = [s[1] for s in merged]
    kept = []
    for span in merged:
        # A container starts at or before the span and is short (spans are under a few
        # hundred characters), so only a window of neighbours needs checking.
        lo = bisect_left(starts, span[1] - _MAX_SPAN)
        hi = bisect_right(starts, span[1])
        neighbours = merged[lo:hi]
        # Only guesses (names, places, organisations) give way, and only to a span that
        # is itself redacted content: a BIN inside natasha's ORGANIZATION "ТОО «Восток»
        # (БИН ...)" or a person inside "ИП Жаксылыков" must survive.
        # Any span strictly inside a checksum-validated identifier (digits of a grouped
        # IBAN that happen to pass Luhn) is a coincidence and also gives way.
        inside_other = any(
            other is not span
            and other[0] != span[0]
            and other[1] <= span[1]
            and span[2] <= other[2]
            and (other[2] - other[1] > span[2] - span[1] or other[3] > span[3])
            and (
                (span[0] in _WEAK and other[0] not in _CONTAINERS_THAT_YIELD)
                or (other[0] in _VALIDATED and other[2] - other[1] > span[2] - span[1])
            )
            for other in neighbours
        )
        if not inside_other:
            kept.append(span)
    return sorted(kept, key=lambda s: (s[1], s[2]))


def _trim_against_addresses(spans: list[Span], text: str) -> list[Span]:
    # natasha sometimes runs a name on into the street after it ("Мұхтардан Төле" before
    # "Төле би көшесі"): cut such spans back to the part outside the address.
    addresses = [s for s in spans if s[0] == "ADDRESS"]
    out = []
    for span in spans:
        entity, start, end, score, result = span
        if entity != "ADDRESS":
            for a in addresses:
                if start < a[1] < end <= a[2]:
                    end = a[1]
                elif a[1] <= start < a[2] < end:
                    start = a[2]
            piece = text[start:end]
            start += len(piece) - len(piece.lstrip(" ,"))
            end -= len(piece) - len(piece.rstrip(" ,"))
        if start < end:
            out.append((entity, start, end, score, result))
    return out


def _same_word(a: str, b: str) -> bool:
    # Crude stemming for declension: "Иванову" ~ "Иванов", "Ахметовтің" ~ "Ахметов".
    a, b = a.lower(), b.lower()
    if a == b:
        return True
    prefix = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        prefix += 1
    return prefix >= 3 and prefix >= min(len(a), len(b)) - 1


def _name_words(value: str) -> list[str]:
    # Initials ("И.", "E.") carry no identity on their own and are ignored.
    return [w for w in _WORD.findall(value) if len(w) > 1]


def is_excluded_name(*, value: str, exclude_names: list[str]) -> bool:
    """True when ``value`` names one of ``exclude_names``.

    A one-word finding must match a word of the excluded name; a longer one needs two
    matching words, so "Ахметов Ерлан Маратович" is excluded by "Ахметов Ерлан" while
    "Ахметова Динара" (another person, same family) is not.
    """
    words = _name_words(value)
    if not words:
        return False
    needed = min(2, len(words))
    for name in exclude_names:
        name_words = _name_words(name)
        hits = sum(any(_same_word(w, x) for x in name_words) for w in words)
        if hits >= min(needed, len(name_words)):
            return True
    return False


def drop_excluded_names(*, spans: list[Span], text: str, exclude_names: list[str]) -> list[Span]:
    """Remove PERSON spans that name an official listed in ``exclude_names``."""
    if not exclude_names:
        return spans
    return [
        s
        for s in spans
        if s[0] != "PERSON"
        or not is_excluded_name(value=text[s[1] : s[2]], exclude_names=exclude_names)
    ]
