"""The fixed kk/ru/en corpus against its expected-hits table, on SQLite and PostgreSQL:
same answers from both (the `session` fixture runs each test on both databases)."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

import ingest.models  # noqa: F401  (tables)
from ingest.search import Filters, query, reindex
from tests.ingest.search_corpus import CORPUS, EXPECTED, OTHER_CASE, Expect, load

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
