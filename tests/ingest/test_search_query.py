"""`ingest.search` on SQLite (FTS5) and PostgreSQL (tsvector): word forms, Kazakh,
re-indexing without duplicates, per-case and per-owner scope."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

import ingest.models  # noqa: F401  (tables)
from evidence.models import Blob, Case, Item, Role, User
from ingest.search import query, replace_entries

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def _world(session: Session) -> None:
    for uid in ("u1", "u2"):
        session.add(
            User(id=uid, username=uid, role=Role.PROSECUTOR, password_hash="x", created_at=NOW)
        )
    session.flush()
    for cid, number in (("c1", "100000000000001"), ("c2", "100000000000002")):
        session.add(Case(id=cid, number=number, title="t", created_by="u1", created_at=NOW))
    session.add(Blob(sha256="s", size=1, media_type="audio/wav", storage_key="k", created_at=NOW))
    session.flush()
    for iid, cid, owner in (("i1", "c1", "u1"), ("i2", "c1", "u2"), ("i3", "c2", "u1")):
        session.add(
            Item(id=iid, case_id=cid, sha256="s", original_name=f"{iid}.wav", uploaded_by=owner,
                 created_at=NOW)
        )  # fmt: skip
    session.flush()


def test_word_forms_kazakh_scope_and_reindexing(session: Session) -> None:
    _world(session)
    lines = [
        ("Протокол допроса свидетеля Иванова", {"start": 0.0, "end": 2.5}),
        ("Куәгер Қасымов жауабын растады", {"start": 2.5, "end": 5.0}),
    ]
    replace_entries(session=session, case_id="c1", item_id="i1", source="transcript", entries=lines)
    replace_entries(
        session=session, case_id="c1", item_id="i2", source="ocr",
        entries=[("Допрос окончен", {"page": 3})],
    )  # fmt: skip
    replace_entries(
        session=session, case_id="c2", item_id="i3", source="chat",
        entries=[("допрос в другом деле", {"message": "7"})],
    )  # fmt: skip
    # Re-indexing an item's source replaces its entries (a retried job, a new version).
    replace_entries(session=session, case_id="c1", item_id="i1", source="transcript", entries=lines)
    session.flush()

    hits = query(session=session, case_id="c1", q="допрос", owner=None)
    assert sorted((h.item_id, h.kind) for h in hits) == [("i1", "transcript"), ("i2", "ocr")]
    located = {h.item_id: h.locator for h in hits}
    assert located == {"i1": {"start": 0.0, "end": 2.5}, "i2": {"page": 3}}
    assert all("[" in h.snippet and "]" in h.snippet for h in hits)
    [kazakh] = query(session=session, case_id="c1", q="қасымов", owner=None)
    assert kazakh.locator == {"start": 2.5, "end": 5.0}
    assert [h.item_id for h in query(session=session, case_id="c1", q="допрос", owner="u2")] == [
        "i2"
    ]
    assert [h.item_id for h in query(session=session, case_id="c2", q="допрос", owner=None)] == [
        "i3"
    ]
    assert query(session=session, case_id="c1", q="   ", owner=None) == []
    assert query(session=session, case_id="c1", q='"; DROP TABLE item; --', owner=None) == []
