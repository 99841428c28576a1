"""SQLite's ranking (`ingest.search.sqlite_rank`) gives FTS5's own bm25() scores: on the
fixed corpus through the real query path, and (Hypothesis) on random rows and queries
of words, prefixes, phrases, column filters, OR, AND and NOT — with the rows changed
between examples on one engine, so a cache that outlived its index state would fail."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlmodel import Session, SQLModel

import ingest.models  # noqa: F401  (tables)
from evidence.db import make_engine
from ingest.search import sqlite, sqlite_rank
from ingest.search.analyzer import DEFAULT
from ingest.search.document import scope_term
from ingest.search.sqlite_rank import Term
from ingest.search.syntax import parse
from tests.ingest.search_corpus import EXPECTED, load

BM25 = "-bm25(search_fts, 2.0, 1.0, 1.0, 0.0)"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("rank") / "rank.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        sqlite.ensure(session)
        session.commit()
    yield engine
    engine.dispose()


def _fts5_scores(session: Session, expression: str) -> dict[int, tuple[float, tuple[str, ...]]]:
    rows = session.execute(
        text(
            f"SELECT rowid, f, x, who, scope, {BM25} FROM search_fts "  # noqa: S608
            "WHERE search_fts MATCH :m"
        ),
        {"m": expression},
    ).all()
    return {r[0]: (r[5], tuple(r[1:5])) for r in rows}


def _assert_same(session: Session, expression: str, terms: list[Term]) -> int:
    expected = _fts5_scores(session, expression)
    candidates = [(rowid, *columns) for rowid, (_, columns) in expected.items()]
    ours = dict(sqlite_rank.scores(session, expression, candidates, terms))
    assert ours.keys() == expected.keys()
    for rowid, (score, _) in expected.items():
        assert math.isclose(ours[rowid], score, rel_tol=1e-9, abs_tol=1e-12), (
            expression,
            rowid,
        )
    return len(expected)


def test_the_corpus_queries_rank_as_fts5_does(engine: Engine) -> None:
    with Session(engine) as session:
        load(session)
        session.commit()
        scope = [scope_term("c", "c1")]
        ranked = 0
        for expect in EXPECTED:
            parsed = parse(expect.q, DEFAULT)
            if not parsed.required:
                continue
            expression = sqlite.match(parsed, sender=[], scope=scope)
            ranked += _assert_same(session, expression, sqlite.terms(parsed, sender=[]))
        assert ranked > 40  # the table's queries do find rows


WORDS = ["a1", "a12", "b7", "свид", "свидетель", "свидетеля", "көлік", "колик", "ер"]
_column = st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)
_rows = st.lists(
    st.tuples(_column, _column, st.lists(st.sampled_from(WORDS), max_size=3).map(" ".join)),
    min_size=1,
    max_size=12,
)
_columns = st.sampled_from([("f",), ("f", "x", "who"), ("f", "who"), ("x",), ("who",)])


@st.composite
def _term(draw: st.DrawFn) -> Term:
    words = tuple(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=2)))
    prefix = draw(st.booleans()) and len(words) == 1
    return Term(words, prefix, tuple(sqlite_rank.COLUMNS.index(c) for c in draw(_columns)))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_rows, positive=st.lists(_term(), min_size=1, max_size=3), shape=st.integers(0, 3),
       negative=st.lists(_term(), min_size=1, max_size=2))  # fmt: skip
def test_random_rows_and_queries_rank_as_fts5_does(
    engine: Engine, rows: list[tuple[str, str, str]], positive: list[Term], shape: int,
    negative: list[Term],
) -> None:  # fmt: skip
    with Session(engine) as session:
        session.execute(text("DELETE FROM search_fts"))
        session.execute(
            text("INSERT INTO search_fts(rowid, f, x, who, scope) VALUES (:i, :f, :x, :w, 'cq')"),
            [{"i": i, "f": f, "x": x, "w": w} for i, (f, x, w) in enumerate(rows, 1)],
        )
        session.commit()
        joined = (" OR " if shape % 2 else " AND ").join(t.expression() for t in positive)
        expression = f'scope : "cq" AND ({joined})'
        if shape >= 2:  # what the fuzzy widening sends: its own words, NOT the first query
            expression += " NOT (" + " AND ".join(t.expression() for t in negative) + ")"
        _assert_same(session, expression, positive)
        # Rows written in this transaction: FTS5's records do not show them until it ends.
        sqlite.insert(session, [{"id": 100 + i, "f": f, "x": x, "who": w, "scope": "cq"}
                                for i, (f, x, w) in enumerate(rows)])  # fmt: skip
        _assert_same(session, expression, positive)
        session.rollback()
