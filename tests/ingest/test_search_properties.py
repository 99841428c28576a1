"""Properties of the analyzer and the index (Hypothesis): every word of an indexed text
is found by its own surface form (and by its prefix), on SQLite and PostgreSQL; folding
and normalising are idempotent; the Kazakh stem of every inflected form of a word is the
bare word's stem."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

import ingest.models  # noqa: F401  (tables)
from evidence.models import Blob, Case, Item, Role, User
from ingest.search import kazakh, query, replace_entries
from ingest.search.text import fold, normalise, tokens

NOW = datetime(2026, 11, 21, tzinfo=UTC)
LETTERS = (
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
    "әғқңөұүһіӘҒҚҢӨҰҮҺІabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)
word = st.text(alphabet=LETTERS, min_size=1, max_size=14)
glue = st.sampled_from([" ", "  ", ", ", ". ", "\n", " - ", "-", "'", "«", "»", "(", ") ", "_"])
texts = st.lists(st.tuples(word, glue), min_size=1, max_size=12).map(
    lambda parts: "".join(w + g for w, g in parts)
)
anything = st.text(max_size=40)


def _world(session: Session) -> None:
    session.add(User(id="u1", username="u1", role=Role.PROSECUTOR, password_hash="x",
                     created_at=NOW))  # fmt: skip
    session.flush()
    session.add(Case(id="c1", number="100000000000001", title="t", created_by="u1",
                     created_at=NOW))  # fmt: skip
    session.add(Blob(sha256="s", size=1, media_type="text/plain", storage_key="k", created_at=NOW))
    session.flush()
    session.add(Item(id="i1", case_id="c1", sha256="s", original_name="a.txt", uploaded_by="u1",
                     created_at=NOW))  # fmt: skip
    session.flush()


def test_every_word_is_found_by_itself(session: Session) -> None:
    _world(session)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=texts, language=st.sampled_from([None, "ru", "kk", "en"]))
    def check(body: str, language: str | None) -> None:
        replace_entries(session=session, case_id="c1", item_id="i1", source="text",
                        entries=[(body, {"page": 1})], language=language)  # fmt: skip
        for token in tokens(body):
            for q in (token.raw, token.raw.upper(), token.raw[:3] + "*"):
                hits = query(session=session, case_id="c1", q=q, owner=None)
                assert [h.locator for h in hits] == [{"page": 1}], (body, q)

    check()


@given(anything)
def test_folding_and_normalising_are_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    for token in tokens(text):
        assert normalise(token.surface) == token.surface
        assert tokens(token.raw)[0].surface == token.surface  # a word re-read is itself


stems = st.text(alphabet="абвгдежзиклмнопрстуфхшыәғқңөұүі", min_size=3, max_size=8)


@given(stems, st.sampled_from(["да", "дан", "ға", "ның", "мен", "дағы", "лар", "лардың"]))
def test_kazakh_endings_lead_back_to_the_stem(base: str, ending: str) -> None:
    """Whatever word the stripping leaves, adding a table ending to it and stripping
    again reaches the same stem (the index and the query always meet)."""
    bare = kazakh.stem(fold(base))
    assume(any(v in bare for v in "аеиоуыэюя"))  # a "word" without vowels is never stripped
    assert kazakh.stem(bare + fold(ending)) == kazakh.stem(bare)
