"""Running a query on either database: exact and stemmed hits first, then hits found
only through similar names (fuzzy), each with a snippet marked in Python.

Ranking reads every candidate row, so both databases rank the first CANDIDATES
matches (in entry order) and return the best of those: a common word stays fast on
millions of segments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from ingest.search import fuzzy, postgres, sqlite, sqlite_rank
from ingest.search.analyzer import DEFAULT, Analyzer
from ingest.search.document import scope_term
from ingest.search.filters import Filters, sql
from ingest.search.index import is_sqlite
from ingest.search.snippets import Marker, snippet
from ingest.search.syntax import Parsed, Word, name_words, parse, with_names
from ingest.search.text import fold, tokens

CANDIDATES = 500


@dataclass(frozen=True, slots=True)
class Hit:
    item_id: str
    kind: str  # transcript | ocr | pdf-text | text | document | chat
    snippet: str
    locator: dict[str, Any]
    rank: float
    highlights: list[list[int]] = field(default_factory=list)
    sender: str | None = None
    fuzzy: bool = False  # found only through a similar name

    def as_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "kind": self.kind,
            "snippet": self.snippet,
            "highlights": self.highlights,
            "locator": self.locator,
            "rank": self.rank,
            "sender": self.sender,
            "fuzzy": self.fuzzy,
        }


def _sender_words(sender: str | None, analyzer: Analyzer) -> list[Word]:
    if not sender:
        return []
    return [Word(t.surface, analyzer.query_forms(t.surface)) for t in tokens(sender)]


class _Run:
    """One query's statements on one database."""

    def __init__(self, session: Session, case_id: str, owner: str | None, filters: Filters):
        self.session, self.case_id, self.owner = session, case_id, owner
        self.lite = is_sqlite(session)
        self.params: dict[str, Any] = {"case": case_id, "cand": CANDIDATES}
        if owner:
            self.params["owner"] = owner
        where, self.binds = sql(filters, self.params)
        join = bool(filters.source_kinds or filters.since or filters.until)
        if self.lite:
            sqlite.ensure(session)
            self.sql = sqlite.candidates_sql(where, join)
        else:
            self.sql = postgres.candidates_sql(where, join, owner=bool(owner))

    def match(self, parsed: Parsed, sender: list[Word]) -> str:
        if self.lite:
            scope = [scope_term("c", self.case_id)]
            if self.owner:
                scope.append(scope_term("u", self.owner))
            return sqlite.match(parsed, sender=sender, scope=scope)
        return postgres.match(parsed, sender=sender)

    def excluding(self, expression: str, other: str) -> str:
        if self.lite:
            return sqlite.excluding(expression, other)
        return postgres.excluding(expression, other)

    def ids(
        self, expression: str, ranked_by: Parsed, sender: list[Word], limit: int, offset: int = 0
    ) -> list[tuple[int, float]]:
        """(entry id, rank) of the best `limit` matches of `expression` after `offset`;
        `ranked_by` is the query whose phrases rank them (SQLite ranks here)."""
        if limit <= 0:
            return []
        params = {**self.params, "q": expression, "limit": limit, "offset": offset}
        statement = text(self.sql).bindparams(bindparam("cand"), *self.binds)
        if self.lite:
            rows = self.session.execute(statement, params).all()
            terms = sqlite.terms(ranked_by, sender=sender)
            ranked = sqlite_rank.scores(self.session, expression, rows, terms)
            ranked.sort(key=lambda r: (-r[1], r[0]))
            return ranked[offset : offset + limit]
        # psycopg prepares repeated statements; a generic plan cannot see how common the
        # words are and may bitmap-scan every match of a frequent word.
        self.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        return [(int(r[0]), float(r[1])) for r in self.session.execute(statement, params)]

    def similar(self, word: Word) -> list[str]:
        query_key = fuzzy.key(fold(word.surface))
        backend = sqlite if self.lite else postgres
        found = backend.similar_names(self.session, case_id=self.case_id, key=query_key)
        return [t for t in fuzzy.best(query_key, found) if t not in word.forms]


def query(
    *,
    session: Session,
    case_id: str,
    q: str,
    owner: str | None,
    limit: int = 20,
    offset: int = 0,
    filters: Filters | None = None,
    analyzer: Analyzer = DEFAULT,
) -> list[Hit]:
    """Matching entries of the case (only `owner`'s items when given), best first; hits
    through similar names after all exact and stemmed ones."""
    filters = filters or Filters()
    parsed = parse(q, analyzer)
    sender = _sender_words(filters.sender, analyzer)
    if not parsed.required and not sender:
        return []
    run = _Run(session, case_id, owner, filters)
    main = run.match(parsed, sender)
    found = [(i, r, False) for i, r in run.ids(main, parsed, sender, offset + limit)]
    widened = parsed
    if len(found) < offset + limit and parsed.required:
        names = {w.surface: run.similar(w) for w in name_words(parsed)}
        widened = with_names(parsed, names, analyzer)
        if widened.required:
            extra = run.ids(
                run.excluding(run.match(widened, sender), main),
                widened,
                sender,
                offset + limit - len(found),
            )
            found += [(i, r, True) for i, r in extra]
    page = found[offset : offset + limit]
    return _hits(
        session, page, Marker.of(widened if widened.required else parsed, sender), analyzer
    )


def _hits(
    session: Session, page: list[tuple[int, float, bool]], marker: Marker, analyzer: Analyzer
) -> list[Hit]:
    if not page:
        return []
    rows = session.execute(
        text(
            "SELECT id, item_id, source, locator, text, language, sender FROM search_entry "
            "WHERE id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": [i for i, _, _ in page]},
    ).all()
    by_id = {r[0]: r for r in rows}
    hits = []
    for entry_id, rank, fuzzy_hit in page:
        _, item_id, source, locator, body, language, sender = by_id[entry_id]
        words = analyzer.analyse(body, language)
        cut, spans = snippet(body, words, marker)
        hits.append(Hit(item_id, source, cut, _loc(locator), rank, spans, sender, fuzzy_hit))
    return hits


def _loc(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        import json

        return dict(json.loads(value))
    return dict(value or {})
