"""Signed heads: any history cut short is caught, and only the log key can state heads."""

from __future__ import annotations

import base64
import hashlib
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from custody import merkle
from custody.errors import SignatureError
from custody.heads import Head, heads_of, sign_heads
from custody.models import LedgerEntry
from custody.note import Signer
from custody.verifier import Invalid, check_heads, check_items, parse_key

ORIGIN = "heads.test/ledger"
ROOT = hashlib.sha256(b"root").digest()
SIGNER = Signer.generate(ORIGIN)
ANCHOR = {"origin": ORIGIN, "size": 100, "root": ROOT}


def _entries(subjects: list[str]) -> list[LedgerEntry]:
    return [
        LedgerEntry(
            idx=i,
            leaf=b"{}",
            leaf_hash=hashlib.sha256(bytes([i % 256, i // 256])).digest(),
            subject=subject,
            action="item.content.read",
        )
        for i, subject in enumerate(subjects)
    ]


def _chains(entries: list[LedgerEntry]) -> dict[str, list[tuple[int, bytes, dict[str, Any]]]]:
    chains: dict[str, list[tuple[int, bytes, dict[str, Any]]]] = {}
    for e in entries:
        if e.subject.startswith("item:"):
            chains.setdefault(e.subject[5:], []).append((e.idx, e.leaf_hash, {}))
    return chains


def _open(note: str, signer: Signer = SIGNER) -> dict[str, tuple[int, int, bytes]] | None:
    keys = [parse_key(str(signer.verifier), 0x01)]
    return check_heads(SimpleNamespace(data={"heads": note}), ANCHOR, keys)  # type: ignore[arg-type]


def _cut_short(
    entries: list[LedgerEntry],
    kept: dict[str, list[tuple[int, bytes, dict[str, Any]]]],
    heads: dict[str, tuple[int, int, bytes]],
) -> dict[str, bool]:
    """Per item: does `check_items` find its history cut short against the signed heads,
    for a bundle of the `kept` events (sealed: known by leaf hash, with their proofs)?"""
    hashes = [e.leaf_hash for e in entries]
    fetch = merkle.memory_fetcher(hashes)
    anchor = {"size": len(hashes), "root": merkle.root_from_leaf_hashes(hashes)}

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    events = [
        {"index": index, "leaf_hash": b64(digest), "item": item_id,
         "proof": [b64(h) for h in merkle.inclusion_proof(index, len(hashes), fetch)]}
        for item_id, chain in kept.items()
        for index, digest, _ in chain
    ]  # fmt: skip
    bundle = SimpleNamespace(data={"events": events, "items": [{"id": i} for i in kept]})
    verdicts = check_items(bundle, anchor, hash_files=False, heads=heads)  # type: ignore[arg-type]
    return {
        item_id: any("history incomplete" in f or "signed heads" in f for f in verdicts[item_id])
        for item_id in kept
    }


@given(
    st.lists(st.sampled_from(["item:a", "item:b", "item:c", "case:x"]), min_size=1, max_size=40),
    st.data(),
)
def test_a_history_cut_short_is_caught_and_only_then(subjects: list[str], data) -> None:  # type: ignore[no-untyped-def]
    entries = _entries(subjects)
    chains = _chains(entries)
    if not chains:
        return
    note = sign_heads(origin=ORIGIN, size=100, root=ROOT, heads=heads_of(entries), signers=[SIGNER])
    heads = _open(note)
    assert heads is not None and set(heads) == set(chains)  # case events have no head
    victim = data.draw(st.sampled_from(sorted(chains)))
    cut = data.draw(st.integers(0, len(chains[victim])))
    kept = {
        item_id: chain[:cut] if item_id == victim else chain for item_id, chain in chains.items()
    }
    failed = _cut_short(entries, kept, heads)
    for item_id, chain in chains.items():
        assert failed[item_id] == (item_id == victim and cut < len(chain))


def test_statement_shape_and_refusals() -> None:
    heads = heads_of(_entries(["item:b", "item:a", "item:b"]))
    assert heads == [
        Head("a", 1, 1, _entries(["", "item:a"])[1].leaf_hash),
        Head("b", 2, 2, _entries(["", "", "item:b"])[2].leaf_hash),
    ]
    note = sign_heads(origin=ORIGIN, size=100, root=ROOT, heads=heads, signers=[SIGNER])
    assert note.startswith(f"dalel custody heads v1\n{ORIGIN}\n100\n")
    assert _open(note) == {h.item_id: (h.events, h.last_index, h.last_leaf_hash) for h in heads}
    with pytest.raises(Invalid, match="not signed by a trusted log key"):
        _open(note, Signer.generate(ORIGIN))
    with pytest.raises(Invalid, match="not signed by a trusted log key"):
        _open(note.replace(" 2 2 ", " 1 0 "))
    other = sign_heads(origin=ORIGIN, size=99, root=ROOT, heads=heads, signers=[SIGNER])
    with pytest.raises(Invalid, match="another checkpoint"):
        _open(other)
    assert check_heads(SimpleNamespace(data={}), ANCHOR, []) is None  # type: ignore[arg-type]
    with pytest.raises(SignatureError, match="signing key"):
        sign_heads(origin=ORIGIN, size=1, root=ROOT, heads=heads, signers=[])
    with pytest.raises(SignatureError, match="cannot appear"):
        sign_heads(
            origin=ORIGIN, size=1, root=ROOT, heads=[Head("a b", 1, 0, ROOT)], signers=[SIGNER]
        )
