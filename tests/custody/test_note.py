"""C2SP signed notes, cosignatures, checkpoint text and the key directory."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from custody import note
from custody.checkpoint import CheckpointBody
from custody.errors import SignatureError
from custody.keys import KeyStoreError, create_key, load_keys, retire_key


def test_key_id_matches_c2sp_example() -> None:
    # c2sp.org/signed-note example verifier key, and the key hash it states.
    vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    verifier = note.Verifier.parse(vkey)
    assert str(verifier) == vkey
    assert verifier.key_id.hex() == "c74f20a3"


def test_sign_and_verify_note_with_rotation() -> None:
    old, new = note.Signer.generate("log.example"), note.Signer.generate("log.example")
    signed = note.sign_note("log.example\n3\nAAAA\n", [old, new])
    text, good = note.verified_signers(signed, [old.verifier, new.verifier])
    assert text == "log.example\n3\nAAAA\n" and good == [old.verifier, new.verifier]
    assert note.open_note(signed, [old.verifier]) == text
    stranger = note.Signer.generate("other")
    with pytest.raises(SignatureError, match="not signed by any trusted"):
        note.open_note(signed, [stranger.verifier])
    tampered = signed.replace("\n3\n", "\n4\n")
    with pytest.raises(SignatureError, match="bad signature"):
        note.open_note(tampered, [old.verifier])
    assert str(note.Signer.parse(str(old))) == str(old)


@pytest.mark.parametrize(
    "bad",
    [
        "no blank line\n",
        "text\n\nnot a signature\n",
        "text\n\n— name !!!\n",
        "text\n\n— name AAAA\n",
        "text\n\n— name\n",
        "text\n\n— name AAAAAAAA",
    ],
)
def test_malformed_notes_are_refused(bad: str) -> None:
    with pytest.raises(SignatureError):
        note.split_note(bad)


def test_sign_note_refuses_bad_text() -> None:
    signer = note.Signer.generate("x")
    for text in ("no newline", "a\n\nb\n"):
        with pytest.raises(SignatureError):
            note.sign_note(text, [signer])


@pytest.mark.parametrize(
    "bad",
    ["a+b", "name+00000000+!!", "bad name+00+AA==", "n+00000000+" + "A" * 44, "n+0+AgAA"],
)
def test_malformed_verifier_keys(bad: str) -> None:
    with pytest.raises(SignatureError):
        note.Verifier.parse(bad)


def test_verifier_key_hash_must_match() -> None:
    v = note.Signer.generate("w").verifier
    name, _, blob = str(v).split("+", 2)
    with pytest.raises(SignatureError, match="wrong key hash"):
        note.Verifier.parse(f"{name}+00000000+{blob}")


def test_malformed_private_keys() -> None:
    good = str(note.Signer.generate("k"))
    for bad in ("PRIVATE+KEY+k+00", "PUBLIC+KEY+k+00000000+" + good.rsplit("+", 1)[1]):
        with pytest.raises(SignatureError):
            note.Signer.parse(bad)
    with pytest.raises(SignatureError, match="wrong key hash"):
        parts = good.split("+", 4)
        note.Signer.parse("+".join([*parts[:3], "00000000", parts[4]]))
    with pytest.raises(SignatureError):
        note.Signer.generate("bad name")


def test_cosignature_round_trip_and_tampering() -> None:
    log = note.Signer.generate("log")
    witness = note.Signer.generate("court.kz", note.COSIGNATURE_V1)
    text = CheckpointBody(origin="log", size=5, root=b"\x01" * 32).text()
    signed = note.sign_note(text, [log])
    line = note.cosign(text, witness, 1_700_000_000)
    full = note.add_signatures(signed, [line.rstrip("\n")])
    assert note.witnesses_that_cosigned(full, [witness.verifier]) == [witness.verifier]
    assert note.open_note(full, [log.verifier]) == text
    _, sigs = note.split_note(full)
    assert note.verify_cosignature(text, sigs[1], witness.verifier) == 1_700_000_000
    with pytest.raises(SignatureError, match="bad cosignature"):
        note.verify_cosignature(text.replace("5", "6"), sigs[1], witness.verifier)
    with pytest.raises(SignatureError, match="not by witness"):
        note.verify_cosignature(text, sigs[0], witness.verifier)
    short = note.NoteSignature(sigs[1].name, sigs[1].key_id, sigs[1].signature[:10])
    with pytest.raises(SignatureError, match="malformed"):
        note.verify_cosignature(text, short, witness.verifier)
    with pytest.raises(SignatureError, match="cosignature/v1 key"):
        note.cosign(text, log, 1)
    # A note signature must not count as a cosignature and vice versa.
    assert note.witnesses_that_cosigned(signed, [witness.verifier]) == []
    _, good = note.verified_signers(full, [witness.verifier])
    assert good == []


@pytest.mark.parametrize(
    "bad",
    [
        "o\n1\n",
        "o\n01\n" + base64.b64encode(b"x" * 32).decode() + "\n",
        "o\n-1\n" + base64.b64encode(b"x" * 32).decode() + "\n",
        "o\n1\n!!!!\n",
        "o\n1\n" + base64.b64encode(b"x" * 31).decode() + "\n",
        "\n1\n" + base64.b64encode(b"x" * 32).decode() + "\n",
        "o\n1\n" + base64.b64encode(b"x" * 32).decode(),
    ],
)
def test_checkpoint_text_parsing(bad: str) -> None:
    with pytest.raises(SignatureError):
        CheckpointBody.parse(bad)


def test_checkpoint_extensions_round_trip() -> None:
    body = CheckpointBody(origin="o", size=0, root=b"\x00" * 32, extensions=("ext one",))
    assert CheckpointBody.parse(body.text()) == body


def test_key_directory_first_use_rotation_and_permissions(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    ring = load_keys(key_dir=keys, name="dalel.test/log")
    assert len(ring.signers) == 1
    for path in keys.glob("*.key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keys(key_dir=keys, name="dalel.test/log") == ring
    second = create_key(key_dir=keys, name="dalel.test/log")
    ring2 = load_keys(key_dir=keys, name="dalel.test/log")
    assert len(ring2.signers) == 2 and len(ring2.verifiers) == 2
    retire_key(key_dir=keys, key_id=ring.signers[0].verifier.key_id.hex())
    ring3 = load_keys(key_dir=keys, name="dalel.test/log")
    assert [s.verifier for s in ring3.signers] == [second.verifier]
    assert ring.signers[0].verifier in ring3.verifiers
    with pytest.raises(KeyStoreError):
        retire_key(key_dir=keys, key_id="deadbeef")
    retire_key(key_dir=keys, key_id=second.verifier.key_id.hex())
    with pytest.raises(KeyStoreError, match="no usable"):
        load_keys(key_dir=keys, name="dalel.test/log")


def test_key_files_must_be_private_and_valid(tmp_path: Path) -> None:
    load_keys(key_dir=tmp_path, name="n")
    (path,) = tmp_path.glob("*.key")
    path.chmod(0o644)
    with pytest.raises(KeyStoreError, match="readable by others"):
        load_keys(key_dir=tmp_path, name="n")
    path.chmod(0o600)
    path.write_text("garbage")
    with pytest.raises(KeyStoreError):
        load_keys(key_dir=tmp_path, name="n")


def test_private_key_prefix_and_duplicate_lines() -> None:
    signer = note.Signer.generate("k")
    with pytest.raises(SignatureError, match="malformed private key"):
        note.Signer.parse(str(signer).replace("PRIVATE+KEY", "PUBLIC+KEY"))
    text = "k\n1\nAAAA\n"
    twice = note.sign_note(text, [signer, signer])
    assert note.verified_signers(twice, [signer.verifier])[1] == [signer.verifier]
    witness = note.Signer.generate("w", note.COSIGNATURE_V1)
    both = note.add_signatures(
        twice, [note.cosign(text, witness, 1), note.cosign(text, witness, 2)]
    )
    assert note.witnesses_that_cosigned(both, [witness.verifier, signer.verifier]) == [
        witness.verifier
    ]
