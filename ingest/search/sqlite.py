"""SQLite: FTS5 tables created on first use (metadata cannot express FTS5).

`search_fts` holds each entry's forms (see `document`), rowid = search_entry.id;
`search_fts_term` is a trigram table over the fuzzy vocabulary (`search_term`), kept by
a trigger. Queries are FTS5 MATCH expressions built from the parsed query; their
candidates are ranked by BM25 (`sqlite_rank`) with the surface column weighing most.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from ingest.search import fuzzy
from ingest.search.sqlite_rank import Term, written
from ingest.search.syntax import AllOf, Atom, Parsed, Phrase, Word

DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(f, x, who, scope, "
    "tokenize = 'ascii')",
    # Keys are stored padded as pg_trgm pads words, so both see the same trigrams.
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts_term USING fts5(key, tokenize = 'trigram')",
    "CREATE TRIGGER IF NOT EXISTS search_term_fts AFTER INSERT ON search_term BEGIN "
    "INSERT INTO search_fts_term(rowid, key) VALUES (new.id, '  ' || new.key || ' '); END",
)
WORD_COLUMNS = ("f", "x", "who")  # a word matches as written, in its other forms, as a sender
PHRASE_COLUMNS = ("f", "who")  # positional columns only


def ensure(session: Session) -> None:
    """Create the FTS5 tables and trigger if missing."""
    for statement in DDL:
        session.execute(text(statement))


def delete(session: Session, *, item_id: str, source: str | None = None) -> None:
    """The item's entries (of one source, when given) leave the FTS5 table, before
    their search_entry rows go."""
    written(session)
    where = " AND source = :source" if source else ""
    session.execute(
        text(
            "DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_entry "  # noqa: S608
            f"WHERE item_id = :item{where})"
        ),
        {"item": item_id, "source": source},
    )


def has_name(session: Session, *, case_id: str, name: str) -> bool:
    """Whether an entry of the case has `name` (a folded form) as a word or its sender."""
    found = session.execute(
        text(
            "SELECT 1 FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid "
            "WHERE search_fts MATCH :m AND e.case_id = :c LIMIT 1"
        ),
        {"m": '{f who} : "' + name.replace('"', "") + '"', "c": case_id},
    ).first()
    return found is not None


def optimize(session: Session) -> None:
    """Merge the FTS5 segments: words of deleted rows leave the index's pages for good."""
    session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
    session.execute(text("INSERT INTO search_fts_term(search_fts_term) VALUES ('optimize')"))


def insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """rows: {"id", "f", "x", "who", "scope"}."""
    if rows:
        written(session)
        session.execute(
            text(
                "INSERT INTO search_fts(rowid, f, x, who, scope) VALUES (:id, :f, :x, :who, :scope)"
            ),
            rows,
        )


def add_names(session: Session, *, case_id: str, names: set[str]) -> None:
    if names:
        session.execute(
            text("INSERT OR IGNORE INTO search_term (case_id, term, key) VALUES (:c, :t, :k)"),
            [{"c": case_id, "t": n, "k": fuzzy.key(n)} for n in sorted(names)],
        )


def similar_names(session: Session, *, case_id: str, key: str) -> list[tuple[str, str]]:
    """(term, key) of the case's names sharing a trigram with `key`, most shared first."""
    grams = sorted(fuzzy.trigrams(key))
    match = " OR ".join('"' + g + '"' for g in grams)
    rows = session.execute(
        text(
            "SELECT t.term, t.key FROM search_fts_term JOIN search_term t "
            "ON t.id = search_fts_term.rowid WHERE search_fts_term MATCH :m "
            "AND t.case_id = :c ORDER BY bm25(search_fts_term) LIMIT 500"
        ),
        {"m": match, "c": case_id},
    ).all()
    return [(r[0], r[1]) for r in rows]


def _quote(term: str, prefix: bool = False) -> str:
    return '"' + term + '"' + ("*" if prefix else "")


def _columns(names: tuple[str, ...]) -> str:
    return "{" + " ".join(names) + "}"


def _word(word: Word, columns: tuple[str, ...] = WORD_COLUMNS) -> str:
    terms = " OR ".join(_quote(t, word.prefix) for t in sorted(word.forms))
    return f"{_columns(columns)} : ({terms})"


def _atom(atom: Atom) -> str:
    if isinstance(atom, Word):
        return _word(atom)
    if isinstance(atom, Phrase):
        return f"{_columns(PHRASE_COLUMNS)} : " + _quote(" ".join(atom.forms))
    if isinstance(atom, AllOf):
        return "(" + " AND ".join(_word(w) for w in atom.words) + ")"
    raise TypeError(atom)


def _word_terms(word: Word, columns: tuple[str, ...] = WORD_COLUMNS) -> list[Term]:
    return [Term.of(t, columns, word.prefix) for t in sorted(word.forms)]


def _atom_terms(atom: Atom) -> list[Term]:
    if isinstance(atom, Word):
        return _word_terms(atom)
    if isinstance(atom, Phrase):
        return [Term.of(" ".join(atom.forms), PHRASE_COLUMNS)]
    if isinstance(atom, AllOf):
        return [t for w in atom.words for t in _word_terms(w)]
    raise TypeError(atom)


def terms(parsed: Parsed, *, sender: list[Word]) -> list[Term]:
    """The phrases of `match`'s expression that rank a row: every required one and the
    sender's (the scope weighs nothing; excluded phrases are absent from every hit)."""
    found = [t for clause in parsed.required for atom in clause for t in _atom_terms(atom)]
    return found + [t for w in sender for t in _word_terms(w, ("who",))]


def match(parsed: Parsed, *, sender: list[Word], scope: list[str]) -> str:
    """The FTS5 expression: scope terms AND every clause AND the sender, NOT excluded."""
    parts = [f"scope : {_quote(s)}" for s in scope]
    parts += ["(" + " OR ".join(_atom(a) for a in clause) + ")" for clause in parsed.required]
    parts += [_word(w, ("who",)) for w in sender]
    expression = " AND ".join(parts)
    if parsed.excluded:
        expression = f"({expression}) NOT ({' OR '.join(_atom(a) for a in parsed.excluded)})"
    return expression


def excluding(expression: str, other: str) -> str:
    return f"({expression}) NOT ({other})"


def candidates_sql(filter_sql: str, join_item: bool) -> str:
    """The first CANDIDATES matches with the columns `sqlite_rank` scores them by (FTS5
    yields matches in rowid order, so a common word costs CANDIDATES rows, not every
    match)."""
    join = " JOIN item i ON i.id = e.item_id" if join_item else ""
    return (
        "SELECT e.id, search_fts.f, search_fts.x, search_fts.who, search_fts.scope "  # noqa: S608
        f"FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid{join} "
        f"WHERE search_fts MATCH :q AND e.case_id = :case{filter_sql} LIMIT :cand"
    )
