"""A Kazakh suffix stripper for search: case, possessive and plural endings off a noun.

No Kazakh stemmer on PyPI fits here (Snowball has none; the morphological analysers are
slow and ambiguous by design), so this is our own table. It works on the *folded* word
(ә→а, ғ→г, қ→к, ң→н, ө→о, ұ→у, ү→у, һ→х, і→и, see `text.fold`): a word typed on a
Russian keyboard ("Жезказганда") and one typed with Kazakh letters ("Жезқазғанда")
reach the same stem. Search needs every form of a word to meet the bare word's stem,
not a linguist's analysis, so the rule is simple and the same for the index and the
query: strip the longest ending in the table, again and again, while at least two
letters with a vowel remain; then write a final г/б as к/п (the voicing alternation
кітап → кітабы, көлік → көлігі), stripped or not, so both forms meet.

Endings (folded spelling; all vowel-harmony and assimilation variants):

| group | endings |
|---|---|
| genitive | нын нин дын дин тын тин |
| dative | га ге ка ке; after a possessive: ына ине сына сине |
| accusative | ны ни ды ди ты ти; after a possessive: ын ин сын син |
| locative | да де та те нда нде |
| locative attributive | дагы деги тагы теги ндагы ндеги |
| ablative | дан ден тан тен нан нен ндан нден |
| instrumental | мен бен пен менен бенен пенен |
| possessive | ым им м, ын ин н, ыныз иниз ныз низ, ы и сы си, ымыз имиз мыз миз |
| plural | лар лер дар дер тар тер |

Bare dative -а/-е and -на/-не are left out on purpose: "Астана" would lose its last
letters while "Астанаға" keeps them, and the two would never meet.
"""

from __future__ import annotations

from functools import lru_cache

_CASE = (
    "нын нин дын дин тын тин га ге ка ке ына ине сына сине ны ни ды ди ты ти ын ин сын "
    "син да де та те нда нде дагы деги тагы теги ндагы ндеги дан ден тан тен нан нен "
    "ндан нден мен бен пен менен бенен пенен"
)
_POSSESSIVE = "ым им м ын ин н ыныз иниз ныз низ ы и сы си ымыз имиз мыз миз"
_PLURAL = "лар лер дар дер тар тер"
# Longest first, so "ндагы" wins over "ы" and "сына" over "на".
ENDINGS: tuple[str, ...] = tuple(
    sorted(set(f"{_CASE} {_POSSESSIVE} {_PLURAL}".split()), key=lambda e: (-len(e), e))
)
_VOWELS = frozenset("аеиоуыэюя")
_ALTERNATION = {"г": "к", "б": "п"}
MIN_STEM = 2


def _strip_once(word: str) -> str | None:
    for ending in ENDINGS:
        if word.endswith(ending):
            rest = word[: -len(ending)]
            if len(rest) >= MIN_STEM and not _VOWELS.isdisjoint(rest):
                return rest
    return None


@lru_cache(maxsize=200_000)
def stem(folded: str) -> str:
    """The stem of one folded, lower-case Cyrillic word (unchanged when nothing fits)."""
    word = folded
    while (shorter := _strip_once(word)) is not None:
        word = shorter
    # Also on an unstripped word: "клуб" must meet "клубта" (→ клуб → клуп).
    if word[-1] in _ALTERNATION:
        word = word[:-1] + _ALTERNATION[word[-1]]
    return word
