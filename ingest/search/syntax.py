"""Query syntax people know from web search, parsed into analysed atoms.

    машина Ерубаев        both words, any order, any form (all required, ranked)
    "чёрная куртка"       these words in this order
    нож OR пистолет       either (also ИЛИ, НЕМЕСЕ, |); binds tighter than the spaces
    -свидетель            not this word (or -"phrase")
    Жезқаз*               a word starting so
    +7 701 123 45 67      a phone number, however it is written

Nothing is a syntax error: an unclosed quote runs to the end, an OR with nothing on
one side is a word, a chunk like "ул.Абая" or "Ақ-Жол" is its words, all required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.search import fuzzy
from ingest.search.analyzer import DEFAULT, Analyzer
from ingest.search.text import compact_phones, fold, prefix_forms, tokens

OR_WORDS = frozenset({"OR", "ИЛИ", "НЕМЕСЕ", "|"})
MIN_PREFIX = 2  # a one-letter prefix would read a large part of the index
MAX_ATOMS = 32
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True, slots=True)
class Word:
    """A word in any of its forms (`forms`), or, with `prefix`, any form starting so."""

    surface: str
    forms: frozenset[str]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Phrase:
    """Folded surface forms that must follow each other."""

    forms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    """The words of one chunk ("ул.Абая"), all required."""

    words: tuple[Word, ...]


Atom = Word | Phrase | AllOf


@dataclass(slots=True)
class Parsed:
    """AND of `required` clauses (each an OR of atoms), none of `excluded`."""

    required: list[list[Atom]] = field(default_factory=list)
    excluded: list[Atom] = field(default_factory=list)

    def words(self) -> list[Word]:
        """Every positive word (inside chunks too), for highlighting and fuzzy names."""
        found: list[Word] = []
        for clause in self.required:
            for atom in clause:
                if isinstance(atom, Word):
                    found.append(atom)
                elif isinstance(atom, AllOf):
                    found.extend(atom.words)
        return found

    def phrase_forms(self) -> set[str]:
        return {
            form for clause in self.required for a in clause if isinstance(a, Phrase)
            for form in a.forms
        }  # fmt: skip


def _word_atom(chunk: str, analyzer: Analyzer) -> Atom | None:
    star = chunk.endswith("*")
    found = tokens(chunk)
    if not found:
        return None
    words = [Word(t.surface, analyzer.query_forms(t.surface)) for t in found]
    last = found[-1].surface
    if star and len(last) >= MIN_PREFIX:
        variants = prefix_forms(found[-1].raw)
        forms = frozenset(v for p in variants for v in (p, fold(p)) if v)
        words[-1] = Word(last, forms, prefix=True)
    return words[0] if len(words) == 1 else AllOf(tuple(words))


def _phrase_atom(body: str) -> Atom | None:
    forms = tuple(fold(t.surface) for t in tokens(body))
    return Phrase(forms) if forms else None


def parse(q: str, analyzer: Analyzer = DEFAULT) -> Parsed:
    """Parse a query; an empty result (`required == []`) finds nothing."""
    parsed = Parsed()
    pending_or: str | None = None  # an OR waiting for its right-hand side
    atoms = 0

    def add(atom: Atom | None, negative: bool = False) -> None:
        nonlocal atoms, pending_or
        if atom is None or atoms >= MAX_ATOMS:
            return
        atoms += 1
        if negative:
            parsed.excluded.append(atom)
        elif pending_or is not None:
            parsed.required[-1].append(atom)
            pending_or = None
        else:
            parsed.required.append([atom])

    for m in _CHUNK.finditer(compact_phones(q)):
        negative, quoted, chunk = m.group(1) == "-", m.group(2), m.group(3)
        if quoted is not None:
            add(_phrase_atom(quoted), negative)
            continue
        if chunk in OR_WORDS and parsed.required and pending_or is None:
            pending_or = chunk
            continue
        if chunk.startswith("-") and len(chunk) > 1:
            negative, chunk = True, chunk[1:]
        add(_word_atom(chunk, analyzer), negative)
    if pending_or is not None:  # "a OR" at the end: the OR was a word after all
        word = pending_or
        pending_or = None
        add(_word_atom(word, analyzer))
    return parsed


def with_names(parsed: Parsed, names: dict[str, list[str]], analyzer: Analyzer) -> Parsed:
    """The query with each name-like word widened to the similar names found for it
    (`names`: surface form → similar terms), or an empty query when none were found."""
    if not any(names.values()):
        return Parsed()

    def widen(word: Word) -> Word:
        similar = names.get(word.surface) if not word.prefix else None
        if not similar:
            return word
        forms = set(word.forms)
        for term in similar:
            forms |= analyzer.query_forms(term)
        return Word(word.surface, frozenset(forms))

    def atom(a: Atom) -> Atom:
        if isinstance(a, Word):
            return widen(a)
        if isinstance(a, AllOf):
            return AllOf(tuple(widen(w) for w in a.words))
        return a

    return Parsed([[atom(a) for a in clause] for clause in parsed.required], parsed.excluded)


def name_words(parsed: Parsed) -> list[Word]:
    """The words tried as names (letters only, long enough, not a prefix)."""
    return [w for w in parsed.words() if not w.prefix and fuzzy.eligible(fold(w.surface))]
