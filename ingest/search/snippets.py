"""Highlighted snippets, cut from the entry's own text in Python, so both databases show
the same words marked: a word is marked when one of its forms meets the query's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.search.analyzer import Analysed
from ingest.search.syntax import Parsed, Word

WIDTH = 24  # words shown around the best place
ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Marker:
    """What the query looks for, as forms and prefixes."""

    forms: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, parsed: Parsed, extra: list[Word] | None = None) -> Marker:
        words = parsed.words() + (extra or [])
        forms = {f for w in words if not w.prefix for f in w.forms} | parsed.phrase_forms()
        prefixes = tuple(sorted({f for w in words if w.prefix for f in w.forms}))
        return cls(frozenset(forms), prefixes)

    def hits(self, word: Analysed) -> bool:
        candidates = (word.form, *word.extras)
        if not self.forms.isdisjoint(candidates):
            return True
        return any(c.startswith(p) for c in candidates for p in self.prefixes)


def _best_window(marked: list[bool]) -> int:
    """Index of the first word of the WIDTH-word window holding most marked words."""
    if len(marked) <= WIDTH:
        return 0
    count = best_count = sum(marked[:WIDTH])
    best = 0
    for start in range(1, len(marked) - WIDTH + 1):
        count += marked[start + WIDTH - 1] - marked[start - 1]
        if count > best_count:
            best, best_count = start, count
    # Start a little before the first mark, so the reader sees what leads to it.
    first = next((i for i in range(best, best + WIDTH) if marked[i]), best)
    return max(0, min(best, first - 3))


def snippet(text: str, words: list[Analysed], marker: Marker) -> tuple[str, list[list[int]]]:
    """The best part of `text` with marked words in [brackets], and the [start, end)
    offsets of each marked word (inside its brackets) in the returned snippet."""
    if not words:
        return _SPACES.sub(" ", text).strip()[:200], []
    marked = [marker.hits(w) for w in words]
    first = _best_window(marked)
    last = min(len(words), first + WIDTH) - 1
    out = ELLIPSIS + " " if first > 0 else ""
    spans: list[list[int]] = []
    cursor = words[first].token.start
    for word, mark in zip(words[first : last + 1], marked[first : last + 1], strict=True):
        out += _SPACES.sub(" ", text[cursor : word.token.start])
        raw = text[word.token.start : word.token.end]
        if mark:
            spans.append([len(out) + 1, len(out) + 1 + len(raw)])
            raw = f"[{raw}]"
        out += raw
        cursor = word.token.end
    if last < len(words) - 1:
        out += " " + ELLIPSIS
    else:  # closing punctuation of the text
        out += _SPACES.sub(" ", text[cursor:]).rstrip()[:3]
    return out, spans
