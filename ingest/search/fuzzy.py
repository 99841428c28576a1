"""Fuzzy names: a spelling-neutral Latin key per name, and trigram similarity on keys.

"Ерубаев", "Yerubayev" and "Erubaev" all have the key "erubaev"; "Еробаев" (a typo)
has "erobaev", similar by trigrams. The backends find candidate keys through their
trigram index (pg_trgm; an FTS5 trigram table) and both filter them with
`similarity` here, which is pg_trgm's own measure: words padded with two spaces in
front and one behind, |common trigrams| / |all trigrams|. So both give the same names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ingest.search.text import fold

THRESHOLD = 0.4  # pg_trgm's default 0.3 lets "Иванов" meet "Ивашов" and "Ибраев"
MAX_EXPANSIONS = 8  # names taken per query word, most similar first
MIN_LENGTH = 4  # shorter words have too few trigrams to tell typos from other words

# Cyrillic (Kazakh letters already folded) to a plain Latin spelling.
_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
        "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
        "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch",
        "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    }
)  # fmt: skip
# Latin spellings of the same sound, made one (in this order: "dzh" before "j").
_SPELLINGS = (
    ("dzh", "zh"), ("kh", "h"), ("gh", "g"), ("sch", "sh"), ("ph", "f"), ("ye", "e"),
    ("yo", "o"), ("yu", "iu"), ("ya", "ia"), ("j", "zh"), ("q", "k"), ("x", "h"),
    ("w", "v"), ("y", "i"),
)  # fmt: skip
_C = re.compile(r"c(?!h)")  # "c" as in Latin spellings of к, but "ch" stays ч
_DOUBLE = re.compile(r"(.)\1+")
_NOT_LETTER = re.compile(r"[^a-z]")


@lru_cache(maxsize=100_000)
def key(form: str) -> str:
    """The spelling-neutral key of one folded word form (Cyrillic or Latin)."""
    latin = fold(form).translate(_TRANSLIT)
    for before, after in _SPELLINGS:
        latin = latin.replace(before, after)
    latin = _C.sub("k", latin)
    return _DOUBLE.sub(r"\1", _NOT_LETTER.sub("", latin))


def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one lower-case word."""
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """pg_trgm `similarity` of two single words."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    common = len(ta & tb)
    return common / (len(ta) + len(tb) - common)


def eligible(form: str) -> bool:
    """Whether a query word is tried as a name: letters only, long enough."""
    return form.isalpha() and len(key(form)) >= MIN_LENGTH


def best(query_key: str, candidates: list[tuple[str, str]]) -> list[str]:
    """Terms (from `(term, key)` candidates) similar enough to `query_key`, best first."""
    scored = []
    for term, candidate in candidates:
        score = similarity(query_key, candidate)
        if score >= THRESHOLD:
            scored.append((-score, term))
    scored.sort()
    return list(dict.fromkeys(term for _, term in scored))[:MAX_EXPANSIONS]
