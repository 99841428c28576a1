"""The fixed kk/ru/en corpus against its expected-hits table, on SQLite and PostgreSQL:
same answers from both (the `session` fixture runs each test on both databases)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

import ingest.models  # noqa: F401  (tables)
from evidence.models import Blob, Case, Item, Role, SourceKind, User
from evidence.review_models import ItemTag, Tag
from ingest.search import Entry, Filters, query, reindex, replace_entries
from tests.ingest.search_corpus import CORPUS, EXPECTED, OTHER_CASE, Doc, Expect

NOW = datetime(2026, 11, 21, tzinfo=UTC)
SOURCES = {"ru-scan": SourceKind.DOCUMENT, "en-pdf": SourceKind.DOCUMENT}
SOURCES |= {"chat": SourceKind.PHONE}


def _index(session: Session, case_id: str, docs: list[Doc]) -> None:
    groups: dict[tuple[str, str], list[Doc]] = {}
    for doc in docs:
        groups.setdefault((doc.item, doc.source), []).append(doc)
    for (item, source), members in groups.items():
        replace_entries(
            session=session, case_id=case_id, item_id=item, source=source,
            language=members[0].language,
            entries=[Entry(d.text, d.locator, d.sender, d.sent_at) for d in members],
        )  # fmt: skip


def load(session: Session) -> None:
    session.add(User(id="u1", username="u1", role=Role.PROSECUTOR, password_hash="x",
                     created_at=NOW))  # fmt: skip
    session.flush()
    for cid in ("c1", "c2"):
        session.add(Case(id=cid, number=f"10000000000000{cid[1]}", title="t", created_by="u1",
                         created_at=NOW))  # fmt: skip
    session.add(Blob(sha256="s", size=1, media_type="audio/wav", storage_key="k", created_at=NOW))
    session.flush()
    for doc in [*CORPUS, *OTHER_CASE]:
        if session.get(Item, doc.item) is None:
            case = "c2" if doc in OTHER_CASE else "c1"
            source = SOURCES.get(doc.item, SourceKind.AUDIO)
            session.add(Item(id=doc.item, case_id=case, sha256="s", original_name=doc.item,
                             uploaded_by="u1", source_kind=source, created_at=NOW))  # fmt: skip
            session.flush()
    session.add(Tag(id="t1", case_id="c1", name="protocol", created_by="u1", created_at=NOW))
    session.flush()
    session.add(ItemTag(item_id="ru-scan", tag_id="t1", added_by="u1", added_at=NOW))
    _index(session, "c1", CORPUS)
    _index(session, "c2", OTHER_CASE)
    session.flush()


_NAMES = {(d.item, json.dumps(d.locator, sort_keys=True)): d.name for d in CORPUS + OTHER_CASE}


def names(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [_NAMES[(h.item_id, json.dumps(h.locator, sort_keys=True))] for h in hits]


def _check(session: Session, expect: Expect) -> list[str]:
    hits = query(session=session, case_id="c1", q=expect.q, owner=None, limit=50,
                 filters=Filters(**expect.filters))  # fmt: skip
    found = names(hits)
    assert len(found) == len(set(found)), (expect.q, found)
    problems = []
    if expect.exact and set(found) != expect.found:
        problems.append(f"{expect.q!r} {expect.filters}: {sorted(found)} != {sorted(expect.found)}")
    if not expect.found <= set(found):
        problems.append(f"{expect.q!r}: missing {sorted(expect.found - set(found))}")
    if expect.not_found & set(found):
        problems.append(f"{expect.q!r}: unwanted {sorted(expect.not_found & set(found))}")
    return problems


def test_expected_hits(session: Session) -> None:
    load(session)
    problems = [p for expect in EXPECTED for p in _check(session, expect)]
    assert problems == []


def test_fuzzy_hits_rank_below_exact_ones(session: Session) -> None:
    load(session)
    hits = query(session=session, case_id="c1", q="Ерубаев", owner=None, limit=50)
    flags = [(name, h.fuzzy) for name, h in zip(names(hits), hits, strict=True)]
    assert ("chat4", True) in flags  # "Еробаев", a typo away
    assert [f for _, f in flags] == sorted(f for _, f in flags)  # every exact hit first
    assert {n for n, f in flags if not f} == {"chat1", "ocr1", "ru3"}
    # Paging walks through the exact hits into the fuzzy ones without repeating any.
    paged = [
        n
        for offset in range(0, 6, 2)
        for n in names(query(session=session, case_id="c1", q="Ерубаев", owner=None,
                             limit=2, offset=offset))
    ]  # fmt: skip
    assert paged == [n for n, _ in flags][:6]


def test_snippets_mark_the_matching_forms(session: Session) -> None:
    load(session)
    [hit] = query(session=session, case_id="c1", q="мужчина куртка", owner=None)
    assert hit.snippet == "Свидетель видел [мужчину] в чёрной [куртке] возле машины около рынка."
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["мужчину", "куртке"]
    [kk] = query(session=session, case_id="c1", q="Жезказган", owner=None, filters=Filters(
        kinds=("transcript",), until=None))[:1]  # fmt: skip
    assert "[Жезқазған" in kk.snippet
    [chat] = query(session=session, case_id="c1", q="", owner=None,
                   filters=Filters(sender="+77011234567"))  # fmt: skip
    assert chat.sender == "+7 701 123 45 67" and chat.kind == "chat"


def test_owner_scope_and_other_cases(session: Session) -> None:
    load(session)
    assert names(query(session=session, case_id="c2", q="машина", owner=None)) == ["other1"]
    assert query(session=session, case_id="c1", q="машина", owner="nobody") == []
    assert len(query(session=session, case_id="c1", q="машина", owner="u1")) == 2


def test_reindex_gives_the_same_answers(session: Session) -> None:
    load(session)
    before = {e.q: _check(session, e) for e in EXPECTED}
    assert reindex(session=session) == len(CORPUS) + len(OTHER_CASE)
    assert reindex(session=session, case_id="c2") == len(OTHER_CASE)
    session.flush()
    assert {e.q: _check(session, e) for e in EXPECTED} == before
    assert query(session=session, case_id="c1", q="Yerubayev", owner=None)


@pytest.mark.parametrize("bad", [{"kinds": ("video",)}, {"source_kinds": ("drone",)}])
def test_bad_filters_are_refused(bad: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError):
        Filters(**bad)
