"""PostgreSQL: the `tsv` column (a tsvector written by `document`, GIN-indexed) and a
pg_trgm GIN index on the fuzzy vocabulary's keys. Queries are tsquery literals built
from the parsed query (no text search configuration re-parses them), ranked by
ts_rank_cd with the surface forms (weight A) weighing most."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from evidence.types import UTCDateTime
from ingest.search import fuzzy
from ingest.search.syntax import AllOf, Atom, Parsed, Phrase, Word

# ts_rank_cd weights in the order {D, C, B, A}: who (C), extra forms (B), surface (A).
RANK = "ts_rank_cd('{0.1, 0.5, 0.4, 1.0}', c.tsv, CAST(:q AS tsquery))"


def insert(session: Session, rows: list[dict[str, Any]]) -> None:
    """rows: search_entry columns plus "tsv" (a tsvector literal)."""
    if rows:
        session.execute(
            text(
                "INSERT INTO search_entry (case_id, item_id, source, locator, text, language, "
                "sender, sent_at, tsv) VALUES (:case_id, :item_id, :source, "
                "CAST(:locator AS json), :text, :language, :sender, :sent_at, "
                "CAST(:tsv AS tsvector))"
            ).bindparams(bindparam("sent_at", type_=UTCDateTime())),
            rows,
        )


def has_name(session: Session, *, case_id: str, name: str) -> bool:
    """Whether an entry of the case has `name` (a folded form) as a word or its sender."""
    found = session.execute(
        text(
            "SELECT 1 FROM search_entry WHERE case_id = :c AND tsv @@ CAST(:q AS tsquery) LIMIT 1"
        ),
        {"c": case_id, "q": "'" + name.replace("'", "") + "':AC"},
    ).first()
    return found is not None


def add_names(session: Session, *, case_id: str, names: set[str]) -> None:
    if names:
        session.execute(
            text(
                "INSERT INTO search_term (case_id, term, key) VALUES (:c, :t, :k) "
                "ON CONFLICT (case_id, term) DO NOTHING"
            ),
            [{"c": case_id, "t": n, "k": fuzzy.key(n)} for n in sorted(names)],
        )


def similar_names(session: Session, *, case_id: str, key: str) -> list[tuple[str, str]]:
    """(term, key) of the case's names pg_trgm finds similar to `key` (a little below our
    threshold: `fuzzy.best` decides, as on SQLite)."""
    session.execute(
        text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"),
        {"t": str(max(0.0, fuzzy.THRESHOLD - 0.05))},
    )
    rows = session.execute(
        text(
            "SELECT term, key FROM search_term WHERE case_id = :c AND key % :k "
            "ORDER BY similarity(key, :k) DESC, term LIMIT 500"
        ),
        {"c": case_id, "k": key},
    ).all()
    return [(r[0], r[1]) for r in rows]


def _word(word: Word, weights: str = "") -> str:
    suffix = ":*" if word.prefix else ""
    if weights:
        suffix = f":*{weights}" if word.prefix else f":{weights}"
    return "(" + " | ".join(f"'{t}'{suffix}" for t in sorted(word.forms)) + ")"


def _atom(atom: Atom) -> str:
    if isinstance(atom, Word):
        return _word(atom)
    if isinstance(atom, Phrase):
        return "(" + " <-> ".join(f"'{t}':AC" for t in atom.forms) + ")"
    if isinstance(atom, AllOf):
        return "(" + " & ".join(_word(w) for w in atom.words) + ")"
    raise TypeError(atom)


def match(parsed: Parsed, *, sender: list[Word]) -> str:
    """The tsquery: every clause AND the sender (weight C), AND NOT the excluded."""
    parts = ["(" + " | ".join(_atom(a) for a in clause) + ")" for clause in parsed.required]
    parts += [_word(w, "C") for w in sender]
    if parsed.excluded:
        parts.append("!(" + " | ".join(_atom(a) for a in parsed.excluded) + ")")
    return " & ".join(parts)


def excluding(expression: str, other: str) -> str:
    return f"({expression}) & !({other})"


def candidates_sql(filter_sql: str, join_item: bool, owner: bool) -> str:
    """Best `limit` of the first CANDIDATES matches, found through the GIN index."""
    join = " JOIN item i ON i.id = e.item_id" if join_item else ""
    # The officer's scope as a semi-join, so the planner still starts from the GIN index.
    scope = (
        " AND e.item_id IN (SELECT id FROM item WHERE case_id = :case AND uploaded_by = :owner)"
        if owner
        else ""
    )
    return (
        "WITH c AS MATERIALIZED (SELECT e.id, e.tsv FROM search_entry e"  # noqa: S608
        f"{join} WHERE e.case_id = :case{scope}{filter_sql} "
        "AND e.tsv @@ CAST(:q AS tsquery) LIMIT :cand) "
        f"SELECT c.id, {RANK} AS rank FROM c ORDER BY rank DESC, c.id LIMIT :limit OFFSET :offset"
    )
