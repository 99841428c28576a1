"""custody.record appends canonical events with a per-subject hash chain."""

from __future__ import annotations

import json

from custody import SYSTEM, Action, record
from custody.events import leaf_hash


def test_record_chains_events_per_item(session) -> None:  # type: ignore[no-untyped-def]
    first = record(session=session, action=Action.ITEM_CREATED, actor=SYSTEM, item_id="a")
    other = record(session=session, action=Action.ITEM_CREATED, actor=SYSTEM, item_id="b")
    second = record(session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="a")
    assert [first.idx, other.idx, second.idx] == [0, 1, 2]
    assert first.prev_hash is None
    assert second.prev_hash == first.leaf_hash == leaf_hash(first.leaf)
    assert json.loads(second.leaf)["prev"] == first.leaf_hash.hex()
    assert json.loads(other.leaf)["prev"] is None
