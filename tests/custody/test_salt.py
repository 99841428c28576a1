"""Salted events: a leaf hash cannot be confirmed by guessing its event; events written
before salts existed stay valid for the audit and the offline verifier."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from custody import SYSTEM, Action, Actor, record
from custody.audit import verify_ledger
from custody.checkpoint import make_checkpoint
from custody.events import build_event, canonical, format_time, leaf_hash
from custody.export import BundleItem, bytes_opener, export_bundle
from custody.keys import load_keys
from custody.models import LedgerEntry
from custody.verifier import main as verify

ORIGIN = "salt.test/ledger"
OFFICER = Actor(id="u-7", name="serik", role="officer")


def test_every_event_has_its_own_128_bit_salt(session: Session) -> None:
    entries = [
        record(session=session, action=Action.ITEM_CONTENT_READ, actor=OFFICER, item_id="a")
        for _ in range(50)
    ]
    salts = [json.loads(e.leaf)["salt"] for e in entries]
    assert all(re.fullmatch(r"[0-9a-f]{32}", salt) for salt in salts)
    assert len(set(salts)) == len(salts)


def test_guessing_the_event_does_not_confirm_a_leaf_hash(session: Session) -> None:
    """The attack of the penetration test: enumerate who read which item in which minute
    and compare with the leaf hash. Without the salt, the true guess matches."""
    entry = record(session=session, action=Action.ITEM_CONTENT_READ, actor=OFFICER, item_id="a")
    event = json.loads(entry.leaf)
    moment = datetime.strptime(event["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    prev = bytes.fromhex(event["prev"]) if event["prev"] else None
    guesses = []
    for actor, offset in itertools.product([SYSTEM, OFFICER], range(-2, 3)):
        guess = build_event(
            action=Action.ITEM_CONTENT_READ,
            actor=actor,
            at=moment + timedelta(microseconds=offset),
            prev=prev,
            item_id="a",
        )
        guess.pop("salt")
        guesses.append(leaf_hash(canonical(guess)))
    assert entry.leaf_hash not in guesses
    # The same guess with the salt, which only a reader of the leaf knows, does match:
    # the event is unchanged, the salt is the only secret.
    salted = build_event(
        action=Action.ITEM_CONTENT_READ, actor=OFFICER, at=moment, prev=prev, item_id="a",
        salt=event["salt"],
    )  # fmt: skip
    assert leaf_hash(canonical(salted)) == entry.leaf_hash


def _old_event(session: Session, sha256: str) -> None:
    """An event as written before salts existed, stored as an old database holds it."""
    event = build_event(
        action=Action.ITEM_CREATED, actor=SYSTEM, at=datetime(2026, 1, 5, tzinfo=UTC),
        prev=None, item_id="old", sha256=sha256,
    )  # fmt: skip
    del event["salt"]
    leaf = canonical(event)
    assert b"salt" not in leaf
    session.add(
        LedgerEntry(
            idx=0, leaf=leaf, leaf_hash=leaf_hash(leaf), subject="item:old",
            action=str(Action.ITEM_CREATED), item_id="old", appended_at=datetime.now(UTC),
        )
    )  # fmt: skip
    session.flush()


def test_unsalted_and_salted_events_verify_together(session: Session, tmp_path: Path) -> None:
    data = b"statement recorded in 2026"
    sha = hashlib.sha256(data).hexdigest()
    _old_event(session, sha)
    for _ in range(3):
        record(session=session, action=Action.ITEM_CONTENT_READ, actor=OFFICER, item_id="old")
    keys = load_keys(key_dir=tmp_path / "keys", name=ORIGIN)
    make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    assert verify_ledger(session=session).ok
    out = tmp_path / "bundle"
    export_bundle(
        session=session,
        items=[BundleItem(id="old", sha256=sha, size=len(data))],
        open_content=bytes_opener({"old": data}),
        out=out,
        signers=keys.signers,
    )
    manifest = json.loads((out / "bundle.json").read_text())
    leaves = [json.loads(base64.b64decode(e["leaf"])) for e in manifest["events"]]
    assert ["salt" in e for e in leaves] == [False, True, True, True]
    assert verify([str(out)]) == 0
    assert format_time(datetime(2026, 1, 5, tzinfo=UTC)) in leaves[0]["at"]
