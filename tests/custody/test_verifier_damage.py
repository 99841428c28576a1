"""A damaged bundle never crashes the verifier (issue 13, finding 4): a corrupt or
truncated ZIP gives a verdict for every item that can still be read, a "bundle damaged"
line naming what cannot, and a non-zero exit; never a traceback. `dalel verify` runs the
same code, and the copy inside the bundle is run as a script too."""

from __future__ import annotations

import hashlib
import io
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from custody import SYSTEM, Action, record
from custody.checkpoint import make_checkpoint
from custody.export import BundleItem, bytes_opener, export_bundle
from custody.keys import load_keys
from custody.verifier import main as verify

ORIGIN = "damage.test/ledger"
CONTENT = {"a": random.Random(1).randbytes(40_000), "b": b"second file " * 500, "c": b"pdf"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture()
def bundle_zip(session: Session, tmp_path: Path) -> bytes:
    keys = load_keys(key_dir=tmp_path / "keys", name=ORIGIN)
    for item_id, data in CONTENT.items():
        record(
            session=session, action=Action.ITEM_CREATED, actor=SYSTEM, item_id=item_id,
            sha256=_sha(data),
        )  # fmt: skip
    make_checkpoint(session=session, keys=keys, origin=ORIGIN)
    out = tmp_path / "bundle.zip"
    export_bundle(
        session=session,
        items=[BundleItem(id=i, sha256=_sha(d), size=len(d)) for i, d in CONTENT.items()],
        open_content=bytes_opener(CONTENT),
        out=out,
        signers=keys.signers,
    )
    assert verify([str(out)]) == 0
    return out.read_bytes()


def _member_data(raw: bytes, name: str) -> range:
    """Where a member's compressed bytes lie in the archive."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        info = archive.getinfo(name)
    header = info.header_offset
    name_len = int.from_bytes(raw[header + 26 : header + 28], "little")
    extra_len = int.from_bytes(raw[header + 28 : header + 30], "little")
    start = header + 30 + name_len + extra_len
    return range(start, start + info.compress_size)


def _run(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    status = verify([str(path)])  # an exception here is the crash this test forbids
    return status, capsys.readouterr().out


def test_a_flipped_byte_in_an_evidence_file_names_it_and_verifies_the_rest(
    bundle_zip: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The trial's case: one byte of files/a's deflated data flipped (it was a
    `zlib.error` or `BadZipFile` traceback, and no verdict at all)."""
    where = _member_data(bundle_zip, "files/a")
    damaged = bytearray(bundle_zip)
    damaged[where.start + len(where) // 2] ^= 0x55
    path = tmp_path / "damaged.zip"
    path.write_bytes(bytes(damaged))
    status, out = _run(path, capsys)
    assert status == 1
    assert "OK    item b" in out and "OK    item c" in out
    assert "FAIL  item a: bundle damaged: files/a cannot be read" in out
    assert "bundle damaged: 1 file(s) cannot be read: files/a (" in out
    assert "RESULT: NOT VERIFIED" in out
    # The copy that travels in the bundle behaves the same as a script, and so does the CLI.
    with zipfile.ZipFile(io.BytesIO(bundle_zip)) as archive:
        (tmp_path / "verifier.py").write_bytes(archive.read("verifier.py"))
    for command in (
        [sys.executable, str(tmp_path / "verifier.py"), str(path)],
        [sys.executable, "-m", "evidence.cli", "verify", str(path)],
    ):
        run = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert run.returncode == 1, run.stderr
        assert "Traceback" not in run.stderr + run.stdout
        assert "OK    item b" in run.stdout and "bundle damaged: 1 file(s)" in run.stdout


def test_a_truncated_zip_is_named_damaged(
    bundle_zip: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cut.zip"
    path.write_bytes(bundle_zip[: len(bundle_zip) * 2 // 3])
    status, out = _run(path, capsys)
    assert status == 2
    assert "FAILED: bundle damaged: cut.zip is not a readable ZIP" in out


def test_a_damaged_bundle_json_is_named(
    bundle_zip: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = _member_data(bundle_zip, "bundle.json")
    damaged = bytearray(bundle_zip)
    damaged[where.start + 3] ^= 0xFF
    path = tmp_path / "manifest.zip"
    path.write_bytes(bytes(damaged))
    status, out = _run(path, capsys)
    assert status == 2
    assert "FAILED: bundle damaged: bundle.json cannot be read" in out


def test_random_damage_anywhere_never_crashes(
    bundle_zip: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hypothesis flips random bytes anywhere in the ZIP (headers, directory, data) and
    cuts it short: a verdict every time. Exit 0 only when nothing the checks cover changed
    (a flipped timestamp, say); every verdict line is one of the verifier's own."""
    path = tmp_path / "fuzzed.zip"
    size = len(bundle_zip)

    @settings(
        max_examples=150, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )  # fmt: skip
    @given(
        flips=st.lists(
            st.tuples(st.integers(0, size - 1), st.integers(1, 255)), min_size=1, max_size=4
        ),
        cut=st.one_of(st.none(), st.integers(1, size - 1)),
    )
    def check(flips: list[tuple[int, int]], cut: int | None) -> None:
        damaged = bytearray(bundle_zip)
        for at, mask in flips:
            damaged[at] ^= mask
        path.write_bytes(bytes(damaged[:cut]))
        status, out = _run(path, capsys)
        lines = out.strip().splitlines()
        assert status in (0, 1, 2)
        assert lines and lines[-1].startswith(("RESULT: ", "FAILED: ")), out
        if status == 0:
            with zipfile.ZipFile(path) as archive:
                for item_id, data in CONTENT.items():
                    assert archive.read(f"files/{item_id}") == data

    check()
