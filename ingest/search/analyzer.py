"""The one analyzer both databases use, for indexing and for querying.

Every word of a text becomes
- its folded surface form (`fold(normalise(word))`), in text order: exact words and
  phrases match here, whatever keyboard typed the Kazakh letters;
- extra forms: the surface form itself when it has Kazakh letters, the stem (Russian:
  Snowball; Kazakh: our suffix table; English: Snowball), and the ten digits of a phone
  number that starts at this word.

A query word matches a text word when their sets of forms meet. The query side does
not know the language, so a Cyrillic query word brings both its Russian and its Kazakh
stem; the text side stems by the text's language (given, else guessed per segment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from ingest.search import kazakh
from ingest.search.text import (
    KAZAKH_LETTERS,
    Token,
    fold,
    guess_language,
    phone_key,
    phones,
    script,
    tokens,
)

LANGUAGES = ("kk", "ru", "en")
# Whisper and reviewers may name a language in other spellings.
_ALIASES = {"kaz": "kk", "kazakh": "kk", "rus": "ru", "russian": "ru", "eng": "en"}
_ALIASES |= {"english": "en"}
QUERY_MIN_KAZAKH_STEM = 4


def language_code(value: str | None) -> str | None:
    """kk, ru, en or None (unknown: guess per segment) from a language label."""
    if not value:
        return None
    code = value.strip().lower().split("-")[0].split("_")[0]
    code = _ALIASES.get(code, code)
    return code if code in LANGUAGES else None


@dataclass(frozen=True, slots=True)
class Analysed:
    """A text's words: the token, its folded surface form and its extra forms."""

    token: Token
    form: str
    extras: tuple[str, ...]


_RU = Stemmer.Stemmer("russian")
_EN = Stemmer.Stemmer("english")


_FLEETING = re.compile(r"[бвгджзклмнпрстфхцчшщ](?:о|е)[кцнл]$")


@lru_cache(maxsize=200_000)
def _ru(surface: str) -> tuple[str, ...]:
    """Snowball's Russian stem, plus the stem without a fleeting vowel (рынок → рынк,
    as in рынка; отец → отц), which Snowball does not remove."""
    stem = fold(_RU.stemWord(surface))
    if len(stem) >= 4 and _FLEETING.search(stem):
        return (stem, stem[:-2] + stem[-1])
    return (stem,)


@lru_cache(maxsize=200_000)
def _en(surface: str) -> str:
    return str(_EN.stemWord(surface))


def stems(surface: str, language: str | None) -> tuple[str, ...]:
    """The stems of one surface form: by `language`, or every fitting one when None
    (a query word)."""
    kind = script(surface)
    if kind == "latin":
        return (_en(surface),)
    if kind != "cyrillic":
        return ()
    if language is None:
        # A query word: with Kazakh letters it is Kazakh; without, it may be Russian or
        # Kazakh typed on a Russian keyboard. A short Kazakh stem of such a word ("ба"
        # of "банка") would meet unrelated Kazakh words, so it needs four letters.
        kk = kazakh.stem(fold(surface))
        if not KAZAKH_LETTERS.isdisjoint(surface):
            return (kk,)
        return (*_ru(surface), kk) if len(kk) >= QUERY_MIN_KAZAKH_STEM else _ru(surface)
    # A word with Kazakh letters is Kazakh whatever the text around it ("в Жезқазғанда");
    # other Cyrillic words follow the text (English texts: Russian).
    if language == "kk" or not KAZAKH_LETTERS.isdisjoint(surface):
        return (kazakh.stem(fold(surface)),)
    return _ru(surface)


class Analyzer:
    """Turns texts into indexable forms; `stemming=False` is the benchmark's baseline."""

    def __init__(self, *, stemming: bool = True) -> None:
        self.stemming = stemming

    def word_forms(self, surface: str, language: str | None) -> tuple[str, tuple[str, ...]]:
        """(folded form, extra forms) of one surface form."""
        form = fold(surface)
        extras: list[str] = []
        if form != surface:
            extras.append(surface)
        if self.stemming:
            extras.extend(s for s in stems(surface, language) if s and s != form)
        if surface.isdigit() and (key := phone_key(surface)) and key != form:
            extras.append(key)
        return form, tuple(dict.fromkeys(extras))

    def analyse(self, text: str, language: str | None = None) -> list[Analysed]:
        """Every word of `text` with its forms; phone numbers attach to their first word."""
        found = tokens(text)
        if not found:
            return []
        lang = language_code(language) or guess_language([t.surface for t in found])
        numbers = phones(text) if any(t.surface.isdigit() for t in found) else []
        out = []
        for token in found:
            form, extras = self.word_forms(token.surface, lang)
            # A number's match starts at its "+" or "(": it belongs to the next word.
            while numbers and numbers[0][0] <= token.start:
                key = numbers.pop(0)[1]
                if key != form and key not in extras:
                    extras = (*extras, key)
            out.append(Analysed(token, form, extras))
        return out

    def query_forms(self, surface: str) -> frozenset[str]:
        """Every form a query word may meet in the index (language unknown)."""
        form, extras = self.word_forms(surface, None)
        return frozenset((form, *extras))


DEFAULT = Analyzer()
