"""Tampering with any ledger row is found by verify_ledger, naming the entry and item."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from custody import SYSTEM, Action, record
from custody.audit import Problem, verify_ledger
from custody.checkpoint import add_cosignature, make_checkpoint
from custody.events import canonical, leaf_hash
from custody.keys import load_keys
from custody.note import COSIGNATURE_V1, Signer, cosign, open_note
from custody.witnesses import register_witness


@pytest.fixture()
def ledger(session: Session, tmp_path: Path) -> Session:
    keys = load_keys(key_dir=tmp_path / "keys", name="audit.test")
    witness = Signer.generate("court.test", COSIGNATURE_V1)
    for i in range(6):
        record(session=session, action=Action.ITEM_CREATED, actor=SYSTEM, item_id=f"item-{i}")
    make_checkpoint(session=session, keys=keys, origin="audit.test")
    for i in range(10):
        record(
            session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id=f"item-{i % 3}"
        )
    cp = make_checkpoint(session=session, keys=keys, origin="audit.test")
    register_witness(session=session, name=witness.name, key=str(witness.verifier), by="test")
    add_cosignature(
        session=session,
        size=cp.size,
        witness_key=str(witness.verifier),
        line=cosign(open_note(cp.note, keys.verifiers), witness, 1_700_000_000),
    )
    return session


def _messages(session: Session) -> list[str]:
    report = verify_ledger(session=session)
    assert not report.ok
    return [str(p) for p in report.problems]


def _exec(session: Session, sql: str, **params: object) -> None:
    session.execute(text(sql), params)


def test_intact_ledger_verifies(ledger: Session) -> None:
    report = verify_ledger(session=ledger)
    assert report.ok, report.problems
    assert report.size == 16 and report.checkpoints == 2
    assert str(Problem("x")) == "x"


def test_edited_leaf_is_named(ledger: Session) -> None:
    _exec(ledger, "UPDATE ledger_entry SET leaf = :leaf WHERE idx = 7", leaf=b'{"forged":1}')
    msgs = _messages(ledger)
    assert any("entry 7, item item-1: stored leaf hash does not match" in m for m in msgs)
    assert any("signed root differs" in m for m in msgs)


def test_edited_leaf_with_rehash_breaks_chain_and_nodes(ledger: Session) -> None:
    row = ledger.execute(text("SELECT leaf FROM ledger_entry WHERE idx = 6")).one()
    forged = bytes(row.leaf).replace(b"item.content.read", b"item.downloaded")
    _exec(
        ledger,
        "UPDATE ledger_entry SET leaf = :leaf, leaf_hash = :h WHERE idx = 6",
        leaf=forged,
        h=leaf_hash(forged),
    )
    msgs = _messages(ledger)
    assert any("entry 6, item item-0: column 'action' differs" in m for m in msgs)
    assert any("entry 9, item item-0: chain broken" in m for m in msgs)
    assert any("node level 1 #3" in m for m in msgs)


def test_deleted_row_is_one_finding_naming_its_item(ledger: Session) -> None:
    # Entry 8 is item-2's; its next event (11) names it in `prev`. Before, the gap shifted
    # every later leaf: each node and checkpoint above it was a problem of its own,
    # naming unrelated items, and the chain break a separate line.
    _exec(ledger, "DELETE FROM ledger_entry WHERE idx = 8")
    msgs = _messages(ledger)
    assert len(msgs) == 1, msgs
    assert msgs[0].startswith("entry 8, item item-2: missing (deleted row): an event of item-2")
    assert "entry 11" in msgs[0]


def test_deleted_rows_of_several_items_and_at_the_end(ledger: Session) -> None:
    _exec(ledger, "DELETE FROM ledger_entry WHERE idx IN (7, 8)")
    msgs = _messages(ledger)
    assert len(msgs) == 1, msgs
    assert "entries 7..8 are missing" in msgs[0] and "item-1, item-2" in msgs[0]
    _exec(ledger, "DELETE FROM ledger_entry WHERE idx = 15")  # the last row, signed at 16
    msgs = _messages(ledger)
    assert len(msgs) == 2, msgs
    assert msgs[1].startswith("entry 15: missing (deleted row); no later event names it")


def test_deleted_first_event_of_an_item(ledger: Session) -> None:
    _exec(ledger, "DELETE FROM ledger_entry WHERE idx = 1")  # item-1's creation
    msgs = _messages(ledger)
    assert len(msgs) == 1 and "an event of item-1" in msgs[0], msgs


def test_reordered_rows_are_named(ledger: Session) -> None:
    # Swap two events of item-0 (indexes 6 and 9): each leaf moves with its hashes.
    rows = {
        r.idx: r
        for r in ledger.execute(
            text("SELECT idx, leaf, leaf_hash, prev_hash FROM ledger_entry WHERE idx IN (6, 9)")
        )
    }
    for target, source in ((6, 9), (9, 6)):
        _exec(
            ledger,
            "UPDATE ledger_entry SET leaf = :leaf, leaf_hash = :h, prev_hash = :p WHERE idx = :t",
            leaf=rows[source].leaf,
            h=rows[source].leaf_hash,
            p=rows[source].prev_hash,
            t=target,
        )
    msgs = _messages(ledger)
    assert any("entry 6, item item-0: chain broken" in m for m in msgs)


def test_inserted_rows_are_found(ledger: Session) -> None:
    forged = canonical({"action": "item.downloaded", "subject": "item:item-0", "prev": None})
    _exec(
        ledger,
        "INSERT INTO ledger_entry (idx, leaf, leaf_hash, subject, action, item_id, appended_at)"
        " VALUES (16, :leaf, :h, 'item:item-0', 'item.downloaded', 'item-0', CURRENT_TIMESTAMP),"
        " (17, :leaf, :h, 'item:item-0', 'item.downloaded', 'item-0', CURRENT_TIMESTAMP)",
        leaf=forged,
        h=leaf_hash(forged),
    )
    msgs = _messages(ledger)
    assert any("entry 16, item item-0: chain broken" in m for m in msgs)
    assert any("node level 1 #8 (entries 16..17) is missing" in m for m in msgs)


def test_gap_and_garbage_rows(ledger: Session) -> None:
    _exec(
        ledger,
        "INSERT INTO ledger_entry (idx, leaf, leaf_hash, subject, action, appended_at)"
        " VALUES (20, :leaf, :h, 'system', 'x', CURRENT_TIMESTAMP)",
        leaf=b"\xff not json",
        h=leaf_hash(b"\xff not json"),
    )
    msgs = _messages(ledger)
    assert any("entries 16..19 are missing" in m for m in msgs)
    assert any("entry 20, item system: leaf is not a JSON event" in m for m in msgs)


def test_node_and_checkpoint_tampering(ledger: Session) -> None:
    _exec(ledger, "UPDATE ledger_node SET hash = :h WHERE level = 2 AND idx = 1", h=b"\x00" * 32)
    _exec(ledger, "INSERT INTO ledger_node (level, idx, hash) VALUES (3, 7, :h)", h=b"\x00" * 32)
    _exec(ledger, "UPDATE checkpoint SET note = replace(note, '16', '15') WHERE size = 16")
    _exec(ledger, "UPDATE checkpoint SET root_hash = :h WHERE size = 6", h=b"\x01" * 32)
    msgs = _messages(ledger)
    assert any("node level 2 #1 (entries 4..7) differs" in m for m in msgs)
    assert any("node level 3 #7 covers entries that do not exist" in m for m in msgs)
    assert any("(size 16): signature does not verify" in m for m in msgs)
    assert any("(size 6): stored size/root differ" in m for m in msgs)


def test_checkpoint_beyond_the_log(ledger: Session) -> None:
    _exec(ledger, "DELETE FROM ledger_entry WHERE idx >= 10")
    _exec(ledger, "DELETE FROM ledger_node WHERE (idx + 1) * (1 << level) > 10 AND level < 5")
    msgs = _messages(ledger)
    # The signed checkpoint of 16 is the evidence: 10..15 were cut off the end (one
    # finding), not a checkpoint and its nodes each wrong on their own.
    assert msgs == [
        "entries 10..15 are missing (deleted rows); no later event names them, so whose "
        "events they were cannot be told from the ledger"
    ]


def test_small_comparison_windows(ledger: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    import custody.audit

    # The node comparison window is a memory bound; shrink it so windows flush mid-log.
    monkeypatch.setattr(custody.audit, "_WINDOW", 4)
    assert verify_ledger(session=ledger).ok
    _exec(ledger, "UPDATE ledger_node SET hash = :h WHERE level = 1 AND idx = 0", h=b"\0" * 32)
    assert any("node level 1 #0" in m for m in _messages(ledger))


def test_tampered_cosignature(ledger: Session) -> None:
    _exec(ledger, "UPDATE cosignature SET line = replace(line, 'court.test', 'court.tesT')")
    assert any("cosignature by court.test does not verify" in m for m in _messages(ledger))
