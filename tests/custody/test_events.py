"""The fast canonical encoder is byte-identical to the RFC 8785 reference."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from custody.events import SYSTEM, Action, build_event, canonical, encode_without_prev

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=800, deadline=None)
@given(st.dictionaries(st.text(max_size=6), json_values, max_size=6))
def test_canonical_matches_reference(event: dict) -> None:  # type: ignore[type-arg]
    try:
        expected = rfc8785.dumps(event)
    except rfc8785.CanonicalizationError:
        with pytest.raises(rfc8785.CanonicalizationError):
            canonical(event)
        return
    assert canonical(event) == expected


def test_non_bmp_keys_sort_as_utf16() -> None:
    event = {"\U0001f600": 1, "\uff61": 2, "a": 1.5}
    assert canonical(event) == rfc8785.dumps(event)


@settings(max_examples=300, deadline=None)
@given(
    details=st.dictionaries(st.text(max_size=6), json_values, max_size=4),
    prev=st.none() | st.binary(min_size=32, max_size=32),
    item=st.none() | st.text(min_size=1, max_size=8),
)
def test_split_encoding_equals_canonical(
    details: dict, prev: bytes | None, item: str | None
) -> None:  # type: ignore[type-arg]
    event = build_event(
        action=Action.ITEM_DERIVED,
        actor=SYSTEM,
        at=datetime(2026, 1, 2, tzinfo=UTC),
        prev=prev,
        item_id=item,
        case_number="ЕРДР 1",
        details=details or None,
    )
    try:
        expected = rfc8785.dumps(event)
    except rfc8785.CanonicalizationError:
        return
    assert encode_without_prev({**event, "prev": None}).leaf(prev) == expected


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(rfc8785.CanonicalizationError):
        canonical({"a": "\ud800"})
