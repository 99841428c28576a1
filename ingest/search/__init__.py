"""Full-text search over transcripts, OCR / PDF / office text and chat messages, per case,
the same on SQLite (FTS5) and PostgreSQL (tsvector + pg_trgm).

One analyzer (`analyzer`) turns every text and every query word into forms: folded
surface (case, ё→е, Kazakh letters as a Russian keyboard types them), surface, stem
(Russian and English Snowball, Kazakh suffix table) and phone digits. The databases only
store and match those forms (`document`, `sqlite`, `postgres`), so both find the same
entries; the query syntax is in `syntax`, similar names in `fuzzy`, filters in
`filters`, snippets in `snippets`.
Only entries of items the caller may read come back; every item shown is recorded.
"""

from __future__ import annotations

from sqlmodel import Session

from evidence.policy import Perm, Principal, allowed
from evidence.service.access import case_role, deny, load_case
from ingest.search.engine import CANDIDATES, Hit, query
from ingest.search.filters import KINDS, Filters
from ingest.search.index import Entry, reindex, replace_entries
from ingest.search.sqlite import ensure as ensure_fts

__all__ = [
    "CANDIDATES",
    "KINDS",
    "Entry",
    "Filters",
    "Hit",
    "ensure_fts",
    "query",
    "reindex",
    "replace_entries",
    "search",
]


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


def search(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    q: str,
    limit: int = 20,
    offset: int = 0,
    filters: Filters | None = None,
    client: str | None = None,
) -> list[Hit]:
    """Search a case as `principal`: hits only from items they may read, each item's
    view recorded in custody (a snippet is evidence content)."""
    from evidence import service

    owner = _scope(session, principal=principal, case_id=case_id, client=client)
    hits = query(
        session=session, case_id=case_id, q=q, owner=owner, limit=limit, offset=offset,
        filters=filters,
    )  # fmt: skip
    session.commit()
    for item_id in dict.fromkeys(h.item_id for h in hits):
        service.record_view(
            session=session, principal=principal, item_id=item_id, view="search", client=client
        )
    return hits
