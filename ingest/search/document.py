"""One search entry as each database stores it, from the same analysed words.

SQLite (FTS5, `ascii` tokenizer: our forms contain no ASCII punctuation, so it keeps
every form whole) has four columns:
  f      folded surface forms, one per word in text order (words and phrases match here)
  x      extra forms (surface with Kazakh letters, stems, phone digits)
  who    the sender of a chat message: folded forms in order, then extra forms
  scope  "c<case> u<uploader>", so the case and an officer's own items are index terms
PostgreSQL stores the same forms as a tsvector written directly (no text search
configuration parses it again): f at the word's position with weight A, x at the same
position with weight B, who from position 16001 on with weight C. Phrases therefore
match the same words in both (f and who are positional in both).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ingest.search import fuzzy
from ingest.search.analyzer import Analysed, Analyzer

WHO_OFFSET = 16001  # tsvector positions stop at 16383; a text entry has ≤ CHUNK_WORDS words
CHUNK_WORDS = 1000  # longer texts are split into entries of this many words
_SCOPE_CHARS = re.compile(r"[^0-9A-Za-z]")


def scope_term(prefix: str, value: str) -> str:
    """An index term naming a case ("c…") or an uploader ("u…")."""
    return prefix + _SCOPE_CHARS.sub("", value).lower()


@dataclass(frozen=True, slots=True)
class Document:
    f: str
    x: str
    who: str
    tsvector: str
    names: frozenset[str]  # capitalised words and senders' words: the fuzzy vocabulary


def _who_terms(sender: list[Analysed]) -> list[str]:
    return [a.form for a in sender] + [e for a in sender for e in a.extras]


def _tsvector(words: list[Analysed], who: list[str]) -> str:
    positions: dict[str, dict[int, str]] = defaultdict(dict)
    for n, word in enumerate(words, 1):
        positions[word.form][n] = "A"
        for extra in word.extras:
            positions[extra].setdefault(n, "B")
    for n, term in enumerate(who, WHO_OFFSET):
        positions[term].setdefault(n, "C")
    # Our forms are letters and digits only: nothing inside the quotes needs escaping.
    return " ".join(
        f"'{term}':" + ",".join(f"{p}{w}" for p, w in sorted(places.items()))
        for term, places in positions.items()
    )


def build(
    *, analyzer: Analyzer, words: list[Analysed], sender: str | None, language: str | None
) -> Document:
    """The stored forms of one entry's analysed words and its sender."""
    who = analyzer.analyse(sender, language) if sender else []
    who_terms = _who_terms(who)
    names = {w.form for w in words if w.token.capital and w.form.isalpha()}
    names |= {w.form for w in who if w.form.isalpha()}
    return Document(
        f=" ".join(w.form for w in words),
        x=" ".join(e for w in words for e in w.extras),
        who=" ".join(who_terms),
        tsvector=_tsvector(words, who_terms),
        names=frozenset(n for n in names if len(fuzzy.key(n)) >= fuzzy.MIN_LENGTH),
    )


def chunks(text: str, words: list[Analysed]) -> list[tuple[str, list[Analysed]]]:
    """A long text as pieces of at most CHUNK_WORDS words (offsets made piece-relative),
    so PostgreSQL's positions and tsvector size never overflow."""
    if len(words) <= CHUNK_WORDS:
        return [(text, words)]
    pieces = []
    for first in range(0, len(words), CHUNK_WORDS):
        part = words[first : first + CHUNK_WORDS]
        start = 0 if first == 0 else part[0].token.start
        end = (
            len(text)
            if first + CHUNK_WORDS >= len(words)
            else words[first + CHUNK_WORDS].token.start
        )
        pieces.append((text[start:end], [_shift(w, start) for w in part]))
    return pieces


def _shift(word: Analysed, offset: int) -> Analysed:
    token = word.token
    moved = type(token)(
        token.start - offset, token.end - offset, token.raw, token.surface, token.capital
    )
    return Analysed(moved, word.form, word.extras)
