"""The bundle verifier re-implements RFC 9162 and C2SP notes (it must travel alone):
check that copy against the same vectors, properties and mutations as custody.merkle."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custody import merkle
from custody import verifier as v
from custody.note import COSIGNATURE_V1, Signer, cosign, sign_note
from tests.custody.vectors import b64, leaf_hashes, ref_mth, vector_files


@pytest.mark.parametrize("path", vector_files("inclusion"), ids=lambda p: p.name)
def test_inclusion_vectors(path: Path) -> None:
    d = json.loads(path.read_text())
    args = (
        b64(d["leafHash"]),
        d["leafIdx"],
        d["treeSize"],
        [b64(p) for p in d["proof"] or []],
        b64(d["root"]),
    )
    if d["wantErr"]:
        with pytest.raises(v.Invalid):
            v.verify_inclusion(*args)
    else:
        v.verify_inclusion(*args)


@pytest.mark.parametrize("path", vector_files("consistency"), ids=lambda p: p.name)
def test_consistency_vectors(path: Path) -> None:
    d = json.loads(path.read_text())
    args = (
        d["size1"],
        d["size2"],
        [b64(p) for p in d["proof"] or []],
        b64(d["root1"]),
        b64(d["root2"]),
    )
    if d["wantErr"]:
        with pytest.raises(v.Invalid):
            v.verify_consistency(*args)
    else:
        v.verify_consistency(*args)


@settings(max_examples=200, deadline=None)
@given(size=st.integers(1, 100), data=st.data())
def test_agrees_with_merkle_module(size: int, data: st.DataObject) -> None:
    leaves = leaf_hashes(size)
    fetch = merkle.memory_fetcher(leaves)
    index = data.draw(st.integers(0, size - 1))
    root = ref_mth(leaves)
    proof = merkle.inclusion_proof(index, size, fetch)
    v.verify_inclusion(leaves[index], index, size, proof, root)
    with pytest.raises(v.Invalid):
        v.verify_inclusion(leaves[index], index, size, [*proof, root], root)
    with pytest.raises(v.Invalid):
        v.verify_inclusion(leaves[index], index, size + 1, proof, ref_mth([*leaves, root]))
    first = data.draw(st.integers(1, size))
    cons = merkle.consistency_proof(first, size, fetch)
    v.verify_consistency(first, size, cons, ref_mth(leaves[:first]), root)
    if first < size:
        with pytest.raises(v.Invalid):
            v.verify_consistency(first, size, [*cons, root], ref_mth(leaves[:first]), root)


def test_notes_and_cosignatures() -> None:
    log = Signer.generate("log")
    witness = Signer.generate("w", COSIGNATURE_V1)
    text = "log\n2\n" + base64.b64encode(b"\x01" * 32).decode() + "\n"
    note = sign_note(text, [log, log]) + cosign(text, witness, 5) + cosign(text, witness, 6)
    log_key = v.parse_key(str(log.verifier), 0x01)
    witness_key = v.parse_key(str(witness.verifier), 0x04)
    cp = v.open_checkpoint(note, [log_key])
    assert cp["size"] == 2 and cp["signers"] == [f"log+{log.verifier.key_id.hex()}"] * 2
    assert v.cosigners(cp, [witness_key]) == ["w"]
    with pytest.raises(v.Invalid, match="type"):
        v.parse_key(str(witness.verifier), 0x01)
    name, _, blob = str(log.verifier).split("+", 2)
    with pytest.raises(v.Invalid, match="wrong key hash"):
        v.parse_key(f"{name}+00000000+{blob}", 0x01)
    forged = cp | {"sigs": [("w", witness_key[1] + struct.pack(">Q", 5) + b"\0" * 64)]}
    with pytest.raises(v.Invalid, match="bad cosignature"):
        v.cosigners(forged, [witness_key])
    with pytest.raises(v.Invalid, match="malformed cosignature"):
        v.cosigners(cp | {"sigs": [("w", witness_key[1] + b"\0")]}, [witness_key])


@pytest.mark.parametrize(
    "note",
    [
        "no signatures\n",
        "t\n\n— a\n",
        "t\n\n- a AAAAAAAA\n",
        "t\n\n— a !!!!\n",
        "t\n\n— a AAAA\n",
    ],
)
def test_malformed_notes(note: str) -> None:
    with pytest.raises(v.Invalid):
        v.split_note(note)


@pytest.mark.parametrize(
    "text",
    ["log\n", "log\nx\nAAAA\n", "log\n01\nAAAA\n", "log\n1\n!!!!\n", "log\n1\nAAAA\n"],
)
def test_malformed_checkpoints(text: str) -> None:
    log = Signer.generate("log")
    key = v.parse_key(str(log.verifier), 0x01)
    with pytest.raises(v.Invalid):
        v.open_checkpoint(sign_note(text, [log]), [key])
    tampered = sign_note("log\n1\n" + base64.b64encode(b"\0" * 32).decode() + "\n", [log])
    with pytest.raises(v.Invalid, match="bad log signature"):
        v.open_checkpoint(tampered.replace("\n1\n", "\n2\n"), [key])


def test_malformed_inputs() -> None:
    with pytest.raises(v.Invalid, match="malformed inclusion"):
        v.verify_inclusion(b"\0" * 32, 0, 1, [b"x"], b"\0" * 32)
    with pytest.raises(v.Invalid, match="base64"):
        v._b64list(["!!"])


def test_derivation_inputs_by_id_or_hash() -> None:
    orig = {"id": "o", "sha256": "aa"}
    other = {"id": "x", "sha256": "bb"}
    refs = {"aa": orig, "bb": other, "o": orig, "x": other}
    derived = {"action": "item.derived", "details": {"inputs": [{"item": "o", "sha256": "aa"}]}}
    assert v._check_derivation({"id": "d", "inputs": ["o"]}, derived, refs) == []
    assert v._check_derivation({"id": "d", "inputs": ["aa"]}, derived, refs) == []
    wrong_hash = {"action": "item.derived", "details": {"inputs": [{"item": "o", "sha256": "bb"}]}}
    assert "not in the bundle" in v._check_derivation({"id": "d"}, wrong_hash, refs)[0]
    assert "differ" in v._check_derivation({"id": "d", "inputs": ["x"]}, derived, refs)[0]
    created = {"action": "item.created", "details": "free text"}
    assert v._check_derivation({"id": "d", "inputs": ["zz"]}, created, refs) == [
        "derivation input zz is missing from the bundle"
    ]
