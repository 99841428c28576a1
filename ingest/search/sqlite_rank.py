"""BM25 of SQLite's candidates, computed as FTS5's bm25() computes it, without its cost.

FTS5's bm25() finds each phrase's IDF by counting, on every query, the rows that hold
the phrase: it reads the phrase's whole doclist. For a word in most of a million
segments that is ~40 ms per form, so a two-word query spent ~150 ms ranking the 500
rows it had matched in under a millisecond. Those counts change only when the index
does, so here they are kept per index state (FTS5's averages and structure records,
which every committed insert, delete and merge rewrites); the rest of bm25 (each
phrase's frequency weighted per column, the row's length against the average) comes
from the candidates' own columns. tests/ingest/test_search_rank.py checks that the
scores equal bm25()'s.
"""

from __future__ import annotations

import math
import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

COLUMNS = ("f", "x", "who", "scope")
WEIGHTS = (2.0, 1.0, 1.0, 0.0)  # a word as written counts most; the scope not at all
K1, B = 1.2, 0.75  # FTS5's bm25 constants
_MAX_COUNTS = 20_000  # phrases remembered per database before the cache starts over
# FTS5's `ascii` tokenizer: runs of ASCII letters and digits and of any non-ASCII text.
_TOKEN = re.compile(r"[0-9A-Za-z\u0080-\U0010ffff]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class RankError(Exception):
    """The FTS5 records the ranking reads are not in the expected form."""


@dataclass(frozen=True, slots=True)
class Term:
    """One FTS5 phrase of a query: its tokens, whether the last one is a prefix, and the
    columns (indexes into COLUMNS) it may match in."""

    tokens: tuple[str, ...]
    prefix: bool
    columns: tuple[int, ...]

    @classmethod
    def of(cls, phrase: str, columns: Sequence[str], prefix: bool = False) -> Term:
        return cls(tuple(tokens(phrase)), prefix, tuple(COLUMNS.index(c) for c in columns))

    def expression(self) -> str:
        """The phrase alone as an FTS5 MATCH expression (to count the rows holding it)."""
        quoted = '"' + " ".join(self.tokens) + '"' + ("*" if self.prefix else "")
        return "{" + " ".join(COLUMNS[c] for c in self.columns) + "} : " + quoted

    def instances(self, words: list[str]) -> int:
        """How many times the phrase occurs in one column's tokens."""
        n = len(self.tokens)
        if not n:
            return 0
        *head, last = self.tokens
        found = 0
        for i in range(len(words) - n + 1):
            if self.prefix:
                if not words[i + n - 1].startswith(last):
                    continue
            elif words[i + n - 1] != last:
                continue
            if all(words[i + k] == head[k] for k in range(n - 1)):
                found += 1
        return found


def tokens(value: str) -> list[str]:
    """A column's text as FTS5's `ascii` tokenizer splits and folds it."""
    return [t.translate(_ASCII_LOWER) for t in _TOKEN.findall(value or "")]


class _Counts:
    """Rows holding each phrase, valid for one state of the index."""

    def __init__(self) -> None:
        self.state: tuple[bytes, ...] = ()
        self.rows = 0
        self.tokens = 0
        self.by_phrase: dict[str, int] = {}


_cache: weakref.WeakKeyDictionary[Engine, _Counts] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_WRITTEN = "search_fts_written"


def written(session: Session) -> None:
    """Note that this transaction changed the FTS5 table: until it ends, FTS5's records
    do not show the change yet, so its queries are ranked by bm25() itself."""
    session.info[_WRITTEN] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _ended(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def _varints(blob: bytes) -> list[int]:
    """SQLite's varints (big-endian groups of 7 bits; a ninth byte holds 8)."""
    values, i = [], 0
    while i < len(blob):
        value = 0
        for n in range(9):
            if i >= len(blob):
                raise RankError("a varint runs past the end of the record")
            byte = blob[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


def _counts(session: Session) -> _Counts:
    """The cache for this database's current index state (emptied when it changed)."""
    records = session.execute(
        text("SELECT id, block FROM search_fts_data WHERE id IN (1, 10) ORDER BY id")
    ).all()
    state = tuple(bytes(r[1]) for r in records)
    engine = session.get_bind().engine  # the session may be bound to a connection
    with _lock:
        counts = _cache.get(engine)
        if counts is None or counts.state != state or len(counts.by_phrase) > _MAX_COUNTS:
            counts = _Counts()
            averages = _varints(state[0]) if records and records[0][0] == 1 else [0]
            if len(averages) != len(COLUMNS) + 1:
                raise RankError(f"averages record has {len(averages)} values")
            counts.state, counts.rows, counts.tokens = state, averages[0], sum(averages[1:])
            _cache[engine] = counts
        return counts


def _idf(rows: int, hits: int) -> float:
    idf = math.log((rows - hits + 0.5) / (hits + 0.5))
    return idf if idf > 0 else 1e-6


def _fts5_scores(
    session: Session, expression: str, candidates: Sequence[Sequence[Any]]
) -> list[tuple[int, float]]:
    rows = session.execute(
        text(
            "SELECT rowid, -bm25(search_fts, " + ", ".join(map(str, WEIGHTS)) + ") "
            "FROM search_fts WHERE search_fts MATCH :m AND rowid IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"m": expression, "ids": [int(r[0]) for r in candidates]},
    ).all()
    return [(int(r[0]), float(r[1])) for r in rows]


def scores(
    session: Session, expression: str, candidates: Sequence[Sequence[Any]], terms: Sequence[Term]
) -> list[tuple[int, float]]:
    """(id, bm25 score, higher is better) of candidate rows (id, f, x, who, scope) that
    matched `expression`, whose ranking phrases are `terms`."""
    if not candidates:
        return []
    if session.info.get(_WRITTEN):
        return _fts5_scores(session, expression, candidates)
    try:
        counts = _counts(session)
    except RankError:  # a SQLite whose FTS5 records differ: slower, still right
        return _fts5_scores(session, expression, candidates)
    idf = []
    for term in terms:
        expression = term.expression()
        hits = counts.by_phrase.get(expression)
        if hits is None:
            hits = session.execute(
                text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :m"),
                {"m": expression},
            ).scalar_one()
            counts.by_phrase[expression] = hits
        idf.append(_idf(counts.rows, hits))
    average = counts.tokens / counts.rows if counts.rows and counts.tokens else 1.0
    ranked = []
    for row in candidates:
        columns = [tokens(value) for value in row[1:5]]
        norm = K1 * (1 - B + B * sum(map(len, columns)) / average)
        score = 0.0
        for term, weight in zip(terms, idf, strict=True):
            freq = sum(WEIGHTS[c] * term.instances(columns[c]) for c in term.columns)
            score += weight * (freq * (K1 + 1)) / (freq + norm)
        ranked.append((int(row[0]), score))
    return ranked
