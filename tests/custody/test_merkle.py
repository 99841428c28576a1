"""RFC 9162 Merkle tree: known answers, shared vectors, properties and mutations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custody import merkle
from custody.errors import ProofError
from tests.custody.vectors import (
    b64,
    leaf_hashes,
    ref_mth,
    ref_path,
    ref_subproof,
    require_vectors,
    vector_files,
)

# ---- known answers ----------------------------------------------------------------------


def test_known_answers() -> None:
    assert merkle.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.hash_leaf(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    # The 8-leaf test tree of RFC 6962/9162 implementations (transparency-dev/merkle).
    leaves = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ]
    hashes = [merkle.hash_leaf(x) for x in leaves]
    assert merkle.root_from_leaf_hashes(hashes).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )
    assert merkle.root_from_leaf_hashes(hashes[:3]).hex() == (
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"
    )


def test_split_point_needs_two() -> None:
    with pytest.raises(ValueError):
        merkle.split_point(1)


def test_generation_rejects_bad_sizes() -> None:
    fetch = merkle.memory_fetcher(leaf_hashes(4))
    with pytest.raises(ProofError):
        merkle.inclusion_proof(4, 4, fetch)
    with pytest.raises(ProofError):
        merkle.inclusion_proof(-1, 4, fetch)
    with pytest.raises(ProofError):
        merkle.consistency_proof(0, 4, fetch)
    with pytest.raises(ProofError):
        merkle.consistency_proof(3, 2, fetch)
    with pytest.raises(ProofError, match="missing"):
        merkle.inclusion_proof(0, 8, fetch)
    assert merkle.root_hash(0, fetch) == merkle.EMPTY_ROOT
    assert merkle.consistency_proof(4, 4, fetch) == []


# ---- shared vectors (transparency-dev/merkle), used in place -----------------------------


@pytest.mark.parametrize("path", vector_files("inclusion"), ids=lambda p: p.name)
def test_inclusion_vectors(path: Path) -> None:
    v = json.loads(path.read_text())
    args = {
        "leaf_hash": b64(v["leafHash"]),
        "index": v["leafIdx"],
        "size": v["treeSize"],
        "proof": [b64(p) for p in v["proof"] or []],
        "root": b64(v["root"]),
    }
    if v["wantErr"]:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(**args)
    else:
        merkle.verify_inclusion(**args)


@pytest.mark.parametrize("path", vector_files("consistency"), ids=lambda p: p.name)
def test_consistency_vectors(path: Path) -> None:
    v = json.loads(path.read_text())
    args = {
        "first": v["size1"],
        "second": v["size2"],
        "proof": [b64(p) for p in v["proof"] or []],
        "first_root": b64(v["root1"]),
        "second_root": b64(v["root2"]),
    }
    if v["wantErr"]:
        with pytest.raises(ProofError):
            merkle.verify_consistency(**args)
    else:
        merkle.verify_consistency(**args)


def test_vectors_present_or_skipped() -> None:
    require_vectors()
    assert len(vector_files("inclusion")) > 50


# ---- properties against the reference ----------------------------------------------------

sizes = st.integers(min_value=1, max_value=130)


@settings(max_examples=300, deadline=None)
@given(size=sizes, data=st.data())
def test_inclusion_matches_reference(size: int, data: st.DataObject) -> None:
    leaves = leaf_hashes(size)
    index = data.draw(st.integers(0, size - 1))
    fetch = merkle.memory_fetcher(leaves)
    proof = merkle.inclusion_proof(index, size, fetch)
    root = merkle.root_hash(size, fetch)
    assert root == ref_mth(leaves) == merkle.root_from_leaf_hashes(leaves)
    assert proof == ref_path(index, leaves)
    merkle.verify_inclusion(leaf_hash=leaves[index], index=index, size=size, proof=proof, root=root)


@settings(max_examples=300, deadline=None)
@given(second=sizes, data=st.data())
def test_consistency_matches_reference(second: int, data: st.DataObject) -> None:
    leaves = leaf_hashes(second)
    first = data.draw(st.integers(1, second))
    fetch = merkle.memory_fetcher(leaves)
    proof = merkle.consistency_proof(first, second, fetch)
    assert proof == ref_subproof(first, leaves, True)
    merkle.verify_consistency(
        first=first,
        second=second,
        proof=proof,
        first_root=ref_mth(leaves[:first]),
        second_root=ref_mth(leaves),
    )


@settings(max_examples=200, deadline=None)
@given(size=st.integers(0, 70), extra=st.integers(1, 70))
def test_completed_nodes_are_the_perfect_subtrees(size: int, extra: int) -> None:
    leaves = leaf_hashes(size + extra)
    fetch = merkle.memory_fetcher(leaves)
    frontier_ids = merkle.range_nodes(0, size)
    got = fetch(frontier_ids)
    frontier = [got[n] for n in frontier_ids]
    produced = dict(merkle.completed_nodes(size, frontier, leaves[size:]))
    expected = {
        (level, idx): h
        for level in range(8)
        for idx in range(len(leaves) >> level)
        if (idx + 1) << level > size
        for h in [fetch([(level, idx)])[(level, idx)]]
    }
    assert produced == expected


# ---- mutations --------------------------------------------------------------------------


def _flip(b: bytes, bit: int = 0) -> bytes:
    return bytes([b[0] ^ (1 << bit), *b[1:]])


@settings(max_examples=150, deadline=None)
@given(size=st.integers(2, 100), data=st.data())
def test_inclusion_mutations_fail(size: int, data: st.DataObject) -> None:
    leaves = leaf_hashes(size)
    index = data.draw(st.integers(0, size - 1))
    fetch = merkle.memory_fetcher(leaves)
    proof = merkle.inclusion_proof(index, size, fetch)
    root = merkle.root_hash(size, fetch)
    good = {"leaf_hash": leaves[index], "index": index, "size": size, "proof": proof, "root": root}
    mutants: list[dict[str, object]] = [
        {**good, "leaf_hash": _flip(leaves[index])},
        {**good, "root": _flip(root, 7)},
        {**good, "index": index + 1},
        {**good, "index": index - 1},
        # A wrong size is bound to the root a checkpoint signs, so use that size's root.
        {**good, "size": size + 1, "root": ref_mth([*leaves, merkle.hash_leaf(b"x")])},
        {**good, "size": size - 1, "root": ref_mth(leaves[:-1])},
        {**good, "size": index},  # index >= size
        {**good, "proof": [*proof, proof[0]]},
        {**good, "proof": [merkle.EMPTY_ROOT, *proof]},
        {**good, "proof": proof[:-1]},
        {**good, "proof": [p[:-1] for p in proof]},
        {**good, "leaf_hash": leaves[index ^ 1] if index ^ 1 < size else _flip(leaves[index])},
    ]
    bit = data.draw(st.integers(0, len(proof) - 1))
    mutants.append({**good, "proof": [*proof[:bit], _flip(proof[bit], 3), *proof[bit + 1 :]]})
    merkle.verify_inclusion(**good)  # type: ignore[arg-type]
    for mutant in mutants:
        if mutant == good:
            continue
        with pytest.raises(ProofError):
            merkle.verify_inclusion(**mutant)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(second=st.integers(3, 100), data=st.data())
def test_consistency_mutations_fail(second: int, data: st.DataObject) -> None:
    leaves = leaf_hashes(second)
    first = data.draw(st.integers(1, second - 1))
    fetch = merkle.memory_fetcher(leaves)
    proof = merkle.consistency_proof(first, second, fetch)
    r1, r2 = ref_mth(leaves[:first]), ref_mth(leaves)
    good = {"first": first, "second": second, "proof": proof, "first_root": r1, "second_root": r2}
    merkle.verify_consistency(**good)  # type: ignore[arg-type]
    swapped = list(leaves)
    swapped[0], swapped[1] = swapped[1], swapped[0]
    mutants: list[dict[str, object]] = [
        {**good, "first_root": _flip(r1)},
        {**good, "second_root": _flip(r2)},
        {**good, "first_root": r2, "second_root": r1},
        # Sizes travel with the roots a checkpoint signs for them.
        {**good, "first": first + 1, "first_root": ref_mth(leaves[: first + 1])},
        {**good, "second": second + 1, "second_root": ref_mth([*leaves, leaves[0]])},
        {**good, "second": second - 1, "second_root": ref_mth(leaves[:-1])}
        if second - 1 > first
        else {**good, "first": 0},
        {**good, "proof": proof[:-1]},
        {**good, "proof": [*proof, r1]},
        {**good, "proof": []},
        {**good, "first": 0, "proof": []},
        # The second tree rewrote history (two old leaves swapped).
        {**good, "second_root": ref_mth(swapped)},
    ]
    bit = data.draw(st.integers(0, len(proof) - 1))
    mutants.append({**good, "proof": [*proof[:bit], _flip(proof[bit]), *proof[bit + 1 :]]})
    for mutant in mutants:
        with pytest.raises(ProofError):
            merkle.verify_consistency(**mutant)  # type: ignore[arg-type]


def test_empty_consistency_proof_from_size_zero_is_refused() -> None:
    with pytest.raises(ProofError):
        merkle.verify_consistency(
            first=0, second=5, proof=[], first_root=merkle.EMPTY_ROOT, second_root=b"x" * 32
        )
