"""The signed file statement: every file of a bundle, by SHA-256, signed by the log.

`bundle.json` is checked piece by piece (signed checkpoints, proofs, signed heads), but
the rest of a bundle — `manifest.json`, `README.txt`, a custody report, the verifiers —
was not, so a flipped byte there went unnoticed. `statement.txt` closes that: a signed
note by the log key naming the bundle's anchor and the hash and size of every other
file, plus the SHA-256 of this release's genuine verifiers (so a court can compare the
copy it runs with the published ones):

    dalel bundle files v1
    <origin>
    <anchor tree size>
    <anchor root, base64>
    release <verifier file name> <sha256 hex>
    file <sha256 hex> <size> <path>
    ...

The verifier fails on any listed file that is missing or differs, and on any file in
the bundle that is not listed.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from custody.note import NoteSigner, sign_note
from custody.verifier import STATEMENT, STATEMENT_FILE

VERIFIER_SOURCE = Path(__file__).with_name("verifier.py")


def own_release() -> dict[str, str]:
    """The release hash custody itself knows: its offline verifier's."""
    return {"verifier.py": hashlib.sha256(VERIFIER_SOURCE.read_bytes()).hexdigest()}


def statement_note(
    *,
    origin: str,
    size: int,
    root: bytes,
    files: Mapping[str, tuple[str, int]],
    release: Mapping[str, str],
    signers: Iterable[NoteSigner],
) -> str:
    """The signed statement over `files` ({path: (sha256 hex, size)})."""
    lines = [STATEMENT, origin, str(size), base64.b64encode(root).decode()]
    lines += [f"release {name} {digest}" for name, digest in sorted(release.items())]
    lines += [f"file {sha} {length} {path}" for path, (sha, length) in sorted(files.items())]
    return sign_note("\n".join(lines) + "\n", list(signers))


def digests(out: Path) -> dict[str, tuple[str, int]]:
    """Every file already in a bundle folder or ZIP, by path: (sha256 hex, size)."""
    found: dict[str, tuple[str, int]] = {}

    def take(path: str, handle: object) -> None:
        digest, size = hashlib.sha256(), 0
        while chunk := handle.read(1 << 20):  # type: ignore[attr-defined]
            digest.update(chunk)
            size += len(chunk)
        found[path] = (digest.hexdigest(), size)

    if out.suffix == ".zip":
        with zipfile.ZipFile(out) as archive:
            for info in archive.infolist():
                if not info.is_dir() and info.filename != STATEMENT_FILE:
                    with archive.open(info) as handle:
                        take(info.filename, handle)
    else:
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            name = path.relative_to(out).as_posix()
            if name != STATEMENT_FILE:
                with path.open("rb") as handle:
                    take(name, handle)
    return found


def seal(
    *,
    out: Path,
    origin: str,
    size: int,
    root: bytes,
    release: Mapping[str, str],
    signers: Iterable[NoteSigner],
) -> None:
    """Add `statement.txt` over every file now in the bundle at `out` (folder or ZIP)."""
    note = statement_note(
        origin=origin, size=size, root=root, files=digests(out), release=release,
        signers=signers,
    )  # fmt: skip
    if out.suffix == ".zip":
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(STATEMENT_FILE, note)
    else:
        (out / STATEMENT_FILE).write_text(note, encoding="utf-8")
