"""Custody bundles: exported from the ledger, verified offline, tampering named."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlmodel import Session

from custody import SYSTEM, Action, record
from custody.checkpoint import add_cosignature, make_checkpoint
from custody.errors import BundleError
from custody.export import BundleItem, build_manifest, bytes_opener, export_bundle
from custody.keys import load_keys
from custody.note import COSIGNATURE_V1, Signer, cosign, open_note
from custody.verifier import main as verify
from custody.witnesses import register_witness

ORIGIN = "bundle.test/ledger"
CONTENT = {"orig": b"original video bytes", "proxy": b"derived proxy bytes", "doc": b"pdf"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture()
def witness() -> Signer:
    return Signer.generate("court.test", COSIGNATURE_V1)


@pytest.fixture()
def case(session: Session, tmp_path: Path, witness: Signer) -> list[BundleItem]:
    keys = load_keys(key_dir=tmp_path / "keys", name=ORIGIN)
    for item_id in ("orig", "doc"):
        record(
            session=session,
            action=Action.ITEM_CREATED,
            actor=SYSTEM,
            item_id=item_id,
            sha256=_sha(CONTENT[item_id]),
        )
    make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    record(
        session=session,
        action=Action.ITEM_DERIVED,
        actor=SYSTEM,
        item_id="proxy",
        sha256=_sha(CONTENT["proxy"]),
        # The shape evidence.service records: input hashes, plus the parent's id.
        details={"inputs": [_sha(CONTENT["orig"])], "parent": "orig", "tool": "ffmpeg"},
    )
    for _ in range(3):
        record(session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="orig")
    record(session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="other")
    cp = make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    text = open_note(cp.note, keys.verifiers)
    register_witness(session=session, name=witness.name, key=str(witness.verifier), by="test")
    add_cosignature(
        session=session,
        size=cp.size,
        witness_key=str(witness.verifier),
        line=cosign(text, witness, 1_760_000_000),
    )
    record(session=session, action=Action.ITEM_CONTENT_READ, actor=SYSTEM, item_id="doc")
    return [
        BundleItem(id="orig", sha256=_sha(CONTENT["orig"]), size=len(CONTENT["orig"])),
        BundleItem(
            id="proxy",
            sha256=_sha(CONTENT["proxy"]),
            size=len(CONTENT["proxy"]),
            kind="derivative",
            inputs=(_sha(CONTENT["orig"]),),
        ),
        BundleItem(id="doc", sha256=_sha(CONTENT["doc"]), size=3, name="scan.pdf"),
    ]


def _export(session: Session, items: list[BundleItem], out: Path, witness: Signer) -> Path:
    # The `case` fixture keeps its keys beside the bundle (tmp_path/keys).
    keys = load_keys(key_dir=out.parent / "keys", name=ORIGIN)
    result = export_bundle(
        session=session,
        items=items,
        open_content=bytes_opener(CONTENT),
        out=out,
        witness_keys=[str(witness.verifier)],
        witnesses_required=1,
        signers=keys.signers,
    )
    assert result.events_after_anchor == 1 and result.anchor_size == 7
    return out


def _edit(bundle: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = json.loads((bundle / "bundle.json").read_text())
    change(data)
    (bundle / "bundle.json").write_text(json.dumps(data))


def test_intact_bundle_verifies_folder_zip_and_standalone(
    session: Session, case: list[BundleItem], tmp_path: Path, witness: Signer, capsys
) -> None:  # type: ignore[no-untyped-def]
    folder = _export(session, case, tmp_path / "bundle", witness)
    assert verify([str(folder)]) == 0
    out = capsys.readouterr().out
    assert "OK    item proxy" in out and "RESULT: VERIFIED" in out
    archive = _export(session, case, tmp_path / "bundle.zip", witness)
    assert verify([str(archive)]) == 0
    assert "verifier.py" in zipfile.ZipFile(archive).namelist()
    # The copy inside the bundle runs on its own: isolated mode, no project on the path.
    done = subprocess.run(
        [sys.executable, "-I", "verifier.py", "."], cwd=folder, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    capsys.readouterr()
    # Fields a proof might carry about itself (size, algorithm) are ignored, not trusted:
    # every item still verifies; only the signed statement sees bundle.json was edited.
    _edit(folder, lambda d: [e.update(tree_size=1, algorithm="md5") for e in d["events"]])
    assert verify([str(folder)]) == 1
    out = capsys.readouterr().out
    assert "OK    item proxy" in out and "OK    item doc" in out
    assert "file bundle.json differs from the signed statement" in out


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        ("file", None, "FAIL  item doc: file files/doc altered"),
        (
            "event",
            lambda d: d["events"][1].update(
                leaf=base64.b64encode(base64.b64decode(d["events"][1]["leaf"]) + b" ").decode()
            ),
            "does not match the checkpoint root",
        ),
        (
            "proof",
            lambda d: d["events"][0]["proof"].__setitem__(0, base64.b64encode(b"\0" * 32).decode()),
            "FAIL  item (events): entry 0: inclusion proof",
        ),
        ("index", lambda d: d["events"][0].update(index=7), "not below checkpoint size 7"),
        ("dropped", lambda d: d["events"].pop(3), "FAIL  item orig: chain gap before entry 4"),
        # Cutting an item's history short leaves an intact chain: the signed heads catch it.
        (
            "dropped-newest",
            lambda d: d["events"].pop(5),
            "FAIL  item orig: history incomplete: the log states 4 events ending at entry 5, "
            "the bundle has 3 ending at entry 4",
        ),
        (
            "item-left-out",
            lambda d: d["items"].pop(2),
            "FAIL  item (heads): in the signed heads but not in the bundle: doc",
        ),
        ("duplicate", lambda d: d["events"].append(d["events"][0]), "appears twice"),
        ("noevents", lambda d: d.update(events=[]), "FAIL  item orig: no custody events"),
        (
            "input",
            lambda d: d["items"][1].update(inputs=["ghost"]),
            "derivation input ghost is missing",
        ),
        (
            "input-hash",
            lambda d: d["items"][0].update(sha256=_sha(b"x")),
            "recorded in the ledger is not in the bundle",
        ),
        ("missing-file", lambda d: d["items"][2].update(file="files/nope"), "is missing"),
        ("unsafe", lambda d: d["items"][2].update(file="../x"), "unsafe path"),
        ("malformed", lambda d: d["items"][0].pop("sha256"), "malformed record"),
        (
            "substituted-input",
            lambda d: d["items"][1].update(inputs=["doc"]),
            "derivation inputs differ from those recorded",
        ),
    ],
)
def test_tampered_items_are_named(
    session: Session,
    case: list[BundleItem],
    tmp_path: Path,
    witness: Signer,
    capsys,  # type: ignore[no-untyped-def]
    name: str,
    change,  # type: ignore[no-untyped-def]
    expected: str,
) -> None:
    folder = _export(session, case, tmp_path / "bundle", witness)
    if change is None:
        (folder / "files" / "doc").write_bytes(b"PDF")
    else:
        _edit(folder, change)
    capsys.readouterr()
    assert verify([str(folder)]) == 1
    out = capsys.readouterr().out
    assert expected in out, out
    assert "NOT VERIFIED" in out or "FAILED" in out


def _swap_checkpoint_size(d: dict) -> None:  # type: ignore[type-arg]
    d["checkpoints"][-1] = d["checkpoints"][-1].replace("\n7\n", "\n8\n")


def _drop_cosignature(d: dict) -> None:  # type: ignore[type-arg]
    d["checkpoints"][-1] = "".join(
        line for line in d["checkpoints"][-1].splitlines(True) if "court.test" not in line
    )


@pytest.mark.parametrize(
    ("change", "args", "expected"),
    [
        (_swap_checkpoint_size, [], "bad log signature"),
        (_drop_cosignature, [], "witness policy: 0 of the required 1"),
        (
            lambda d: d.update(witness_policy={"k": 0}),
            ["--witnesses-required", "2"],
            "of the required 2",
        ),
        (lambda d: d.update(origin="other"), [], "origin"),
        (lambda d: d.update(format="x"), [], "not a dalel-custody-bundle/1 bundle"),
        (lambda d: d.update(checkpoints=[]), [], "no checkpoint"),
        (lambda d: d["consistency"][0]["hashes"].pop(), [], "not consistent"),
        (lambda d: d.update(consistency=[]), [], "empty consistency proof"),
        (lambda d: d["checkpoints"].reverse(), [], "growing order"),
        (lambda d: d.update(log_keys=["x+00+AA"]), [], "malformed key"),
        (lambda d: d.pop("heads"), [], "the bundle has no signed heads"),
        (lambda d: d.update(heads=d["heads"].replace(" 4 5 ", " 3 4 ")), [], "not signed by a"),
        # A checkpoint is signed by the same key, but it is not a heads statement.
        (lambda d: d.update(heads=d["checkpoints"][-1]), [], "for another checkpoint"),
    ],
)
def test_tampered_log_is_refused(
    session: Session,
    case: list[BundleItem],
    tmp_path: Path,
    witness: Signer,
    capsys,  # type: ignore[no-untyped-def]
    change,  # type: ignore[no-untyped-def]
    args: list[str],
    expected: str,
) -> None:
    folder = _export(session, case, tmp_path / "bundle", witness)
    _edit(folder, change)
    capsys.readouterr()
    assert verify([str(folder), *args]) == 1
    assert expected in capsys.readouterr().out


def test_pinned_keys(
    session: Session, case: list[BundleItem], tmp_path: Path, witness: Signer, capsys
) -> None:  # type: ignore[no-untyped-def]
    folder = _export(session, case, tmp_path / "bundle", witness)
    stranger = Signer.generate(ORIGIN)
    assert verify([str(folder), "--log-key", str(stranger.verifier)]) == 1
    assert "not signed by a trusted log key" in capsys.readouterr().out
    other_witness = Signer.generate("court.test", COSIGNATURE_V1)
    assert verify([str(folder), "--witness-key", str(other_witness.verifier)]) == 1
    data = json.loads((folder / "bundle.json").read_text())
    assert verify([str(folder), "--log-key", data["log_keys"][0], "--no-files"]) == 0


def test_unusable_bundles(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert verify([str(tmp_path / "missing")]) == 2
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    assert verify([str(tmp_path / "bad.zip")]) == 2
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "bundle.json").write_text(json.dumps({"format": "dalel-custody-bundle/1"}))
    assert verify([str(tmp_path / "b")]) == 1
    assert "no checkpoint" in capsys.readouterr().out


def test_export_needs_items_and_checkpoint(session: Session, tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no checkpoint"):
        build_manifest(session=session, items=[BundleItem(id="a", sha256="", size=0)])
    with pytest.raises(BundleError, match="no items"):
        export_bundle(session=session, items=[], open_content=bytes_opener({}), out=tmp_path)


def test_single_checkpoint_bundle(session: Session, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    keys = load_keys(key_dir=tmp_path / "k", name=ORIGIN)
    record(
        session=session, action=Action.ITEM_CREATED, actor=SYSTEM, item_id="a", sha256=_sha(b"a")
    )
    make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    unsigned = export_bundle(
        session=session,
        items=[BundleItem(id="a", sha256=_sha(b"a"), size=1)],
        open_content=bytes_opener({"a": b"a"}),
        out=tmp_path / "unsigned",
    )
    assert verify([str(unsigned.path)]) == 1
    assert "no signed heads" in capsys.readouterr().out
    assert verify([str(unsigned.path), "--allow-unattested"]) == 0
    assert "completeness: NOT ATTESTED" in capsys.readouterr().out
    out = export_bundle(
        session=session,
        items=[BundleItem(id="a", sha256=_sha(b"a"), size=1)],
        open_content=bytes_opener({"a": b"a"}),
        out=tmp_path / "one",
        signers=keys.signers,
    )
    assert verify([str(out.path)]) == 0
    assert "completeness: 1 item heads signed by the log" in capsys.readouterr().out
    shutil.rmtree(out.path)


def test_anchor_is_newest_checkpoint_meeting_the_witness_policy(
    session: Session, case: list[BundleItem], tmp_path: Path, witness: Signer, capsys
) -> None:  # type: ignore[no-untyped-def]
    keys = load_keys(key_dir=tmp_path / "keys", name=ORIGIN)
    newer = make_checkpoint(session=session, keys=keys, origin=ORIGIN)  # not cosigned
    assert newer.size == 8
    manifest, pending = build_manifest(
        session=session, items=case, witness_keys=[str(witness.verifier)], witnesses_required=1
    )
    assert manifest["checkpoints"][-1].split("\n")[1] == "7" and pending == 1
    unwitnessed, _ = build_manifest(session=session, items=case)
    assert unwitnessed["checkpoints"][-1].split("\n")[1] == "8"
    with pytest.raises(BundleError, match="2 cosignatures"):
        build_manifest(
            session=session, items=case, witness_keys=[str(witness.verifier)], witnesses_required=2
        )
