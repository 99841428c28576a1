"""Full-text search over transcripts, OCR / PDF text and chat messages, per case.

PostgreSQL: a GIN index on the stored column `tsv` = `to_tsvector('russian', text) ||
to_tsvector('simple', text)` (Russian stems plus exact tokens, which also serve Kazakh
and English); the query is the OR of both configurations' `websearch_to_tsquery`.
SQLite: an FTS5 table created on first use (metadata cannot express FTS5) with prefix
matching standing in for stemming.
Only entries of items the caller may read come back; every item shown is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, text
from sqlmodel import Session

from evidence.policy import Perm, Principal, allowed
from evidence.service.access import case_role, deny, load_case
from ingest.models import SearchEntry

# Ranking reads every candidate row; capping candidates keeps a common word fast
# on millions of segments (the best hits among the first matches are returned).
CANDIDATES = 500
_FTS_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "text, tokenize = 'unicode61 remove_diacritics 0')"
)
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Hit:
    item_id: str
    kind: str  # transcript | ocr | pdf-text | chat | text
    snippet: str
    locator: dict[str, Any]
    rank: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "kind": self.kind,
            "snippet": self.snippet,
            "locator": self.locator,
            "rank": self.rank,
        }


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def ensure_fts(session: Session) -> None:
    """Create SQLite's FTS5 table if missing (a no-op on PostgreSQL)."""
    if _sqlite(session):
        session.execute(text(_FTS_DDL))


def replace_entries(
    *,
    session: Session,
    case_id: str,
    item_id: str,
    source: str,
    entries: list[tuple[str, dict[str, Any]]],
) -> int:
    """Replace an item's entries of one source with (text, locator) pairs; no commit.

    Re-indexing (a retried job, a reviewed transcript) never duplicates hits.
    """
    sqlite = _sqlite(session)
    if sqlite:
        ensure_fts(session)
        session.execute(
            text(
                "DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_entry "
                "WHERE item_id = :item AND source = :source)"
            ),
            {"item": item_id, "source": source},
        )
    session.execute(
        delete(SearchEntry).where(SearchEntry.item_id == item_id, SearchEntry.source == source)  # type: ignore[arg-type]
    )
    rows = [
        SearchEntry(case_id=case_id, item_id=item_id, source=source, locator=loc, text=body)
        for body, loc in entries
        if body and body.strip()
    ]
    session.add_all(rows)
    session.flush()
    if sqlite and rows:
        session.execute(
            text("INSERT INTO search_fts(rowid, text) VALUES (:id, :text)"),
            [{"id": row.id, "text": row.text} for row in rows],
        )
    return len(rows)


def _scope(
    session: Session, *, principal: Principal, case_id: str, client: str | None
) -> str | None:
    """Whose items the caller may read in the case: None = all, else the uploader's id."""
    case = load_case(session, case_id)
    role = case_role(session, case_id=case.id, user_id=principal.user_id)
    if allowed(principal=principal, perm=Perm.ITEM_CONTENT, case_role=role):
        return None
    if allowed(principal=principal, perm=Perm.ITEM_CONTENT, case_role=role, own_item=True):
        return principal.user_id
    raise deny(session, principal=principal, perm=Perm.ITEM_CONTENT, client=client, case_id=case.id)


def _fts_query(q: str) -> str | None:
    """User words → an FTS5 query: every word as a quoted prefix, all required."""
    words = _TOKEN.findall(q)
    if not words:
        return None
    return " ".join('"' + w.replace('"', "") + '"*' for w in words)


def query(
    *, session: Session, case_id: str, q: str, owner: str | None, limit: int = 20, offset: int = 0
) -> list[Hit]:
    """Matching entries of the case (only `owner`'s items when given), best first."""
    q = q.strip()
    if not q:
        return []
    owner_sql = " AND i.uploaded_by = :owner" if owner else ""
    params: dict[str, Any] = {"case": case_id, "q": q, "limit": limit, "offset": offset}
    if owner:
        params["owner"] = owner
    if _sqlite(session):
        ensure_fts(session)
        fts = _fts_query(q)
        if fts is None:
            return []
        params["q"] = fts
        sql = (
            "SELECT e.item_id, e.source, snippet(search_fts, 0, '[', ']', '…', 12), "  # noqa: S608
            "e.locator, "
            "bm25(search_fts) FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid "
            "JOIN item i ON i.id = e.item_id WHERE search_fts MATCH :q AND e.case_id = :case"
            f"{owner_sql} ORDER BY bm25(search_fts) LIMIT :limit OFFSET :offset"
        )
        rows = session.execute(text(sql), params).all()
        return [Hit(r[0], r[1], r[2], _loc(r[3]), -float(r[4])) for r in rows]
    tsq = "(websearch_to_tsquery('russian', :q) || websearch_to_tsquery('simple', :q))"
    # The officer's scope as a semi-join, so the planner still starts from the GIN index.
    scope = (
        " AND e.item_id IN (SELECT id FROM item WHERE case_id = :case AND uploaded_by = :owner)"
        if owner
        else ""
    )
    sql = (  # fixed fragments only; the query text is bound
        "WITH c AS MATERIALIZED (SELECT e.id, e.item_id, e.source, e.locator, e.text, e.tsv "  # noqa: S608
        f"FROM search_entry e WHERE e.case_id = :case{scope} "
        f"AND e.tsv @@ {tsq} LIMIT :cand), "
        f"r AS (SELECT *, ts_rank_cd(tsv, {tsq}) AS rank FROM c "
        "ORDER BY rank DESC, id LIMIT :limit OFFSET :offset) "
        f"SELECT item_id, source, ts_headline('russian', text, {tsq}, "
        "'StartSel=[,StopSel=],MaxWords=24,MinWords=8'), locator, rank FROM r "
        "ORDER BY rank DESC, id"
    )
    params["cand"] = CANDIDATES
    # psycopg prepares repeated statements; a generic plan cannot see how common the
    # words are and may bitmap-scan every match of a frequent word (hundreds of ms).
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    rows = session.execute(text(sql).bindparams(bindparam("cand")), params).all()
    return [Hit(r[0], r[1], r[2], _loc(r[3]), float(r[4])) for r in rows]


def _loc(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        import json

        return dict(json.loads(value))
    return dict(value or {})


def search(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    q: str,
    limit: int = 20,
    offset: int = 0,
    client: str | None = None,
) -> list[Hit]:
    """Search a case as `principal`: hits only from items they may read, each item's
    view recorded in custody (a snippet is evidence content)."""
    from evidence import service

    owner = _scope(session, principal=principal, case_id=case_id, client=client)
    hits = query(session=session, case_id=case_id, q=q, owner=owner, limit=limit, offset=offset)
    session.commit()
    for item_id in dict.fromkeys(h.item_id for h in hits):
        service.record_view(
            session=session, principal=principal, item_id=item_id, view="search", client=client
        )
    return hits
