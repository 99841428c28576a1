"""Writing the index: an item's entries of one source replaced at once, and a full
re-index (`dalel search reindex`, and migration 0006) after the analyzer changed.

Rows are read and written with plain SQL on named columns, not the ORM model, so the
migration that calls `reindex` keeps working when later revisions add columns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, text
from sqlalchemy.types import JSON
from sqlmodel import Session

from evidence.types import UTCDateTime
from ingest.search import postgres, sqlite
from ingest.search.analyzer import DEFAULT, Analyzer, language_code
from ingest.search.document import build, chunks, scope_term

# The columns written here, in a metadata of their own (not the ORM model's table).
_ENTRY = Table(
    "search_entry",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("case_id", String),
    Column("item_id", String),
    Column("source", String),
    Column("locator", JSON),
    Column("text", String),
    Column("language", String),
    Column("sender", String),
    Column("sent_at", UTCDateTime()),
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One unit to index: its text, where it is in the item, and for a chat message who
    sent it and when."""

    text: str
    locator: dict[str, Any] = field(default_factory=dict)
    sender: str | None = None
    sent_at: datetime | None = None


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _entries(raw: Sequence[Entry | tuple[str, dict[str, Any]]]) -> list[Entry]:
    return [e if isinstance(e, Entry) else Entry(text=e[0], locator=dict(e[1])) for e in raw]


def replace_entries(
    *,
    session: Session,
    case_id: str,
    item_id: str,
    source: str,
    entries: Sequence[Entry | tuple[str, dict[str, Any]]],
    language: str | None = None,
    analyzer: Analyzer = DEFAULT,
) -> int:
    """Replace an item's entries of one source; no commit. `entries` are `Entry` or
    (text, locator) pairs; `language` is the item's detected or reviewed language (None:
    guessed per entry). Re-indexing (a retried job, a reviewed transcript) never
    duplicates hits. Returns the number of rows written (long texts become several)."""
    lite = is_sqlite(session)
    if lite:
        sqlite.ensure(session)
        sqlite.delete(session, item_id=item_id, source=source)
    session.execute(
        text("DELETE FROM search_entry WHERE item_id = :item AND source = :source"),
        {"item": item_id, "source": source},
    )
    owner = session.execute(
        text("SELECT uploaded_by FROM item WHERE id = :item"), {"item": item_id}
    ).scalar_one()
    scope = f"{scope_term('c', case_id)} {scope_term('u', owner)}"
    code = language_code(language)
    rows: list[dict[str, Any]] = []
    names: set[str] = set()
    for entry in _entries(entries):
        if not entry.text or not entry.text.strip():
            continue
        pieces = chunks(entry.text, analyzer.analyse(entry.text, code))
        for part, (body, words) in enumerate(pieces):
            doc = build(analyzer=analyzer, words=words, sender=entry.sender, language=code)
            names |= doc.names
            locator = {**entry.locator, "part": part} if len(pieces) > 1 else entry.locator
            rows.append(
                {
                    "case_id": case_id, "item_id": item_id, "source": source,
                    "locator": locator, "text": body, "language": code,
                    "sender": (entry.sender or "")[:300] or None, "sent_at": entry.sent_at,
                    "f": doc.f, "x": doc.x, "who": doc.who, "scope": scope, "tsv": doc.tsvector,
                }
            )  # fmt: skip
    if lite:
        _insert_sqlite(session, rows)
        sqlite.add_names(session, case_id=case_id, names=names)
    else:
        for row in rows:
            row["locator"] = json.dumps(row["locator"], ensure_ascii=False)
        postgres.insert(session, rows)
        postgres.add_names(session, case_id=case_id, names=names)
    return len(rows)


def _insert_sqlite(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = ("case_id", "item_id", "source", "locator", "text", "language", "sender", "sent_at")
    result = session.execute(
        insert(_ENTRY).returning(_ENTRY.c.id, sort_by_parameter_order=True),
        [{k: row[k] for k in columns} for row in rows],
    )
    ids = [r[0] for r in result]
    sqlite.insert(
        session,
        [
            {"id": i, "f": r["f"], "x": r["x"], "who": r["who"], "scope": r["scope"]}
            for i, r in zip(ids, rows, strict=True)
        ],
    )


def reindex(*, session: Session, case_id: str | None = None, analyzer: Analyzer = DEFAULT) -> int:
    """Analyse every entry again (of one case, or all) and rebuild the fuzzy vocabulary;
    no commit. Returns the number of entries written."""
    where = " WHERE case_id = :case" if case_id else ""
    params = {"case": case_id} if case_id else {}
    lite = is_sqlite(session)
    if lite:
        sqlite.ensure(session)
        session.execute(
            text(f"DELETE FROM search_fts_term WHERE rowid IN (SELECT id FROM search_term{where})"),  # noqa: S608
            params,
        )
    session.execute(text(f"DELETE FROM search_term{where}"), params)  # noqa: S608
    groups = session.execute(
        text(f"SELECT DISTINCT case_id, item_id, source FROM search_entry{where}"),  # noqa: S608
        params,
    ).all()
    written = 0
    for group_case, item_id, source in groups:
        rows = session.execute(
            text(
                "SELECT text, locator, sender, sent_at, language FROM search_entry "
                "WHERE item_id = :item AND source = :source ORDER BY id"
            ).columns(locator=JSON, sent_at=UTCDateTime()),
            {"item": item_id, "source": source},
        ).all()
        # One item's source is written in one language (see replace_entries).
        entries = [
            Entry(text=body, locator=dict(locator or {}), sender=sender, sent_at=sent_at)
            for body, locator, sender, sent_at, _language in rows
        ]
        written += replace_entries(
            session=session, case_id=group_case, item_id=item_id, source=source,
            entries=entries, language=rows[0][4], analyzer=analyzer,
        )  # fmt: skip
    return written


def forget_item(
    *, session: Session, case_id: str, item_id: str, analyzer: Analyzer = DEFAULT
) -> None:
    """Remove an item from the index for good (its purge after retention); no commit.

    Besides its entries: the names only it brought into the case's fuzzy vocabulary
    (found by analysing its entries again; a name another entry of the case still has
    stays), and on SQLite the deleted words still sitting in FTS5's segments, which an
    'optimize' rewrites (FTS5 deletes only mark them; this costs time in proportion to
    the index, once per purged item that had entries).
    """
    rows = session.execute(
        text("SELECT text, sender, language FROM search_entry WHERE item_id = :item"),
        {"item": item_id},
    ).all()
    if not rows:
        return
    names: set[str] = set()
    for body, sender, language in rows:
        words = analyzer.analyse(body or "", language)
        names |= build(analyzer=analyzer, words=words, sender=sender, language=language).names
    lite = is_sqlite(session)
    if lite:
        sqlite.ensure(session)
        sqlite.delete(session, item_id=item_id)
    session.execute(text("DELETE FROM search_entry WHERE item_id = :item"), {"item": item_id})
    unused = [
        name
        for name in sorted(names)
        if not (sqlite.has_name if lite else postgres.has_name)(session, case_id=case_id, name=name)
    ]
    if unused:
        params = {"c": case_id, "names": unused}
        ids = text("SELECT id FROM search_term WHERE case_id = :c AND term IN :names").bindparams(
            bindparam("names", expanding=True)
        )
        if lite:
            found = [r[0] for r in session.execute(ids, params)]
            session.execute(
                text("DELETE FROM search_fts_term WHERE rowid IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": found},
            )
        session.execute(
            text("DELETE FROM search_term WHERE case_id = :c AND term IN :names").bindparams(
                bindparam("names", expanding=True)
            ),
            params,
        )
    if lite:
        sqlite.optimize(session)
