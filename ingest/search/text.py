"""Words as search sees them: tokens with their place in the text, normalised surface
forms, Kazakh-letter folding, the script of a word, a text's language, phone numbers.

Pure functions over `str`, shared by indexing and querying so both sides agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A word: letters and digits (no underscore), with any combining marks that follow, so
# a decomposed "й" (и + U+0306) stays one word until NFKC composes it.
_WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f\u0483-\u0489])*")
_NOT_WORD = re.compile(r"[\W_]+")
# Longer tokens are cut (hashes, base64 in chats): PostgreSQL refuses lexemes past 2 KB,
# and nobody types 60 letters of one word.
MAX_TOKEN = 60

KAZAKH_LETTERS = frozenset("әғқңөұүһі")
# Kazakh-specific letters as typed on a Russian keyboard (and ё as е): the folded form.
_FOLD = str.maketrans("әғқңөұүһіё", "агкноуухие")
# Letters that Russian uses and Kazakh words of its own rarely do.
_RUSSIAN_MARKS = frozenset("вфцчщъьэё")
# Frequent words that tell the language apart without special letters.
_KAZAKH_COMMON = (
    "және мен бен пен деп бар жоқ жок осы сол бұл ол біз олар екен еді үшін туралы "
    "кейін бойынша арқылы қазір бүгін кеше иә"
)
_RUSSIAN_COMMON = "и в во на что как это он она они по из за не но от до для"
_KAZAKH_WORDS = frozenset(_KAZAKH_COMMON.split())
_RUSSIAN_WORDS = frozenset(_RUSSIAN_COMMON.split())

# Latin letters that look like Cyrillic ones and the other way round (OCR mixes them),
# compared after case folding, so "AAВ" and "aaв" are one word.
_LATIN_TO_CYRILLIC = str.maketrans("aceopxyikmthb", "асеорхуікмтнв")
_CYRILLIC_TO_LATIN = str.maketrans("асеорхуікмтнв", "aceopxyikmthb")

# A Kazakhstan/Russia phone number as people write it: +7 701 123 45 67, 8(701)1234567,
# 8-701-123-45-67, 7011234567. Other countries' numbers stay ordinary digit words.
_PHONE = re.compile(
    r"(?<![\d+])(?:\+?[78][\s\-\u00a0]?)?\(?\d{3}\)?[\s\-\u00a0]?\d{3}"
    r"[\s\-\u00a0]?\d{2}[\s\-\u00a0]?\d{2}(?!\d)"
)


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: where it is (characters), as written, and normalised."""

    start: int
    end: int
    raw: str
    surface: str  # NFKC, case-folded, ё→е, look-alikes fixed, at most MAX_TOKEN long
    capital: bool  # written with a capital first letter (names are)


def script(word: str) -> str:
    """The script of a word's first letter: cyrillic, latin or other (digits: other)."""
    for ch in word:
        if "\u0400" <= ch <= "\u04ff":
            return "cyrillic"
        if ch.isalpha():
            return "latin" if ch.isascii() or "\u00c0" <= ch <= "\u024f" else "other"
    return "other"


def _fix_lookalikes(word: str) -> str:
    """A (case-folded) word mixing Latin and Cyrillic letters (OCR, pasted text) is
    rewritten in the script most of its letters use; a word in one script is left alone."""
    cyr = sum("\u0400" <= ch <= "\u04ff" for ch in word)
    lat = sum(ch.isascii() and ch.isalpha() for ch in word)
    if not cyr or not lat:
        return word
    return word.translate(_LATIN_TO_CYRILLIC if cyr >= lat else _CYRILLIC_TO_LATIN)


def _folded_case(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold()


def _surface(form: str) -> str:
    return _NOT_WORD.sub("", form.replace("ё", "е"))[:MAX_TOKEN]


def normalise(word: str) -> str:
    """The surface form of one word: what both the index and the query compare."""
    return _surface(_fix_lookalikes(_folded_case(word)))


def prefix_forms(start: str) -> set[str]:
    """Surface forms a word beginning with `start` may have: the start of a mixed-script
    word is rewritten by the whole word's majority, which the start alone cannot tell."""
    form = _folded_case(start)
    return {
        normalise(start),
        _surface(form.translate(_LATIN_TO_CYRILLIC)),
        _surface(form.translate(_CYRILLIC_TO_LATIN)),
    }


def fold(form: str) -> str:
    """Kazakh letters as a Russian keyboard types them: ә→а, ғ→г, қ→к, ң→н, ө→о, ұ→у,
    ү→у, һ→х, і→и (and ё→е). Idempotent: fold(fold(x)) == fold(x)."""
    return form.translate(_FOLD)


def tokens(text: str) -> list[Token]:
    """The words of `text` in order, with character offsets into `text`."""
    found = []
    for m in _WORD.finditer(text):
        surface = normalise(m.group())
        if surface:
            raw = m.group()
            found.append(Token(m.start(), m.end(), raw, surface, raw[:1].isupper()))
    return found


def guess_language(words: list[str]) -> str:
    """kk, ru or en for a segment whose language nobody told us, from its words'
    letters: Kazakh-specific letters and words against Russian-only letters and words."""
    kk = ru = latin = 0
    for word in words:
        kind = script(word)
        if kind == "latin":
            latin += 1
        elif kind == "cyrillic":
            if word in _KAZAKH_WORDS or not KAZAKH_LETTERS.isdisjoint(word):
                kk += 1
            elif word in _RUSSIAN_WORDS or not _RUSSIAN_MARKS.isdisjoint(word):
                ru += 1
    if latin > kk + ru and latin > 0:
        return "en"
    return "kk" if kk > ru else "ru"


def phone_key(digits: str) -> str | None:
    """The national ten digits of a Kazakhstan/Russia number (+7 / 8 prefix dropped)."""
    if len(digits) == 11 and digits[0] in "78":
        return digits[1:]
    if len(digits) == 10:
        return digits
    return None


def phones(text: str) -> list[tuple[int, str]]:
    """(character offset, ten national digits) of each phone number in `text`."""
    found = []
    for m in _PHONE.finditer(text):
        key = phone_key(re.sub(r"\D", "", m.group()))
        if key:
            found.append((m.start(), key))
    return found


def compact_phones(text: str) -> str:
    """Phone numbers written with spaces or dashes made one word ("+7 701 123 45 67" →
    "+77011234567"), so a query splitting on spaces keeps a number whole."""
    return _PHONE.sub(lambda m: re.sub(r"[\s\-\u00a0()]", "", m.group()), text)
