"""Write a custody bundle (see custody/verifier.py) for a list of items.

Evidence bytes come through `open_content(item_id)`, supplied by the caller, because only
evidence.service may read evidence; item facts (hash, size, name, inputs) come from the
caller too. The ledger supplies events, proofs, checkpoints, cosignatures and keys.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from sqlmodel import Session, col, select

from custody import merkle
from custody.checkpoint import CheckpointBody, latest_checkpoint, log_verifiers, served_note
from custody.errors import BundleError
from custody.events import format_time, utc_now
from custody.heads import heads_of, sign_heads
from custody.models import Checkpoint, CheckpointTimestamp, LedgerEntry
from custody.note import NoteSigner, Verifier, split_note, witnesses_that_cosigned
from custody.service import entries_for_items
from custody.statement import VERIFIER_SOURCE, own_release, seal
from custody.tree import node_fetcher
from custody.verifier import FORMAT
from custody.view import Readable, everything

# In the three interface languages: the bundle travels without the server's pages.
README = """Dalel: сақтау тізбегінің топтамасы
=================================
bundle.json  оқиғалар (журнал жапырақтары), қосылу дәлелдері, куәгерлер қол қойған
             бақылау нүктелері, сәйкестік дәлелдері, сенімді кілттер және куәгерлер саясаты
files/       bundle.json аталған дәлелдеме файлдары
verifier.py  желісіз тексеру құралы (Python 3.11+ және PyNaCl: pip install pynacl)
statement.txt  журналдың қалған әр файлдың SHA-256 мәні туралы (және шығарылымның
             түпнұсқа verifier.py мен verify.html файлдары туралы) қол қойылған мәлімдемесі

Тексеру:  python3 verifier.py .        (немесе: python3 verifier.py bundle.zip)
Журнал кілтін өзіңіз бөлек алған кілтке бекітіңіз:  --log-key 'name+hash+base64'

Dalel: архив цепочки хранения
=============================
bundle.json  события (листья журнала), доказательства включения, подписанные контрольные
             точки с подписями свидетелей, доказательства согласованности, доверенные
             ключи и политика свидетелей
files/       файлы доказательств, названные в bundle.json
verifier.py  проверка без сети (Python 3.11+ и PyNaCl: pip install pynacl)
statement.txt  подписанное журналом заявление о SHA-256 каждого другого файла (и подлинных
             verifier.py и verify.html этой версии)

Проверка:  python3 verifier.py .        (или: python3 verifier.py bundle.zip)
Закрепите ключ журнала, полученный независимо:  --log-key 'name+hash+base64'

Dalel custody bundle
====================
bundle.json  events (ledger leaves), inclusion proofs, signed checkpoints with witness
             cosignatures, consistency proofs, trusted keys and the witness policy
files/       the evidence files named in bundle.json
verifier.py  the offline verifier (Python 3.11+ and PyNaCl: pip install pynacl)
statement.txt  the log's signed statement of every other file's SHA-256 (and of the
             release's genuine verifier.py and verify.html)

Verify:  python3 verifier.py .        (or: python3 verifier.py bundle.zip)
Pin the log key you obtained independently:  --log-key 'name+hash+base64'
"""


@dataclass(frozen=True, slots=True)
class BundleItem:
    """What the caller knows about an item: identity, content hash, and derivation inputs
    (each input named by its item id or by its content SHA-256; inputs must be exported
    too, so the verifier can follow a derivative back to its original)."""

    id: str
    sha256: str
    size: int
    name: str = ""
    kind: str = "original"
    inputs: Sequence[str] = field(default=())
    # Bytes deleted after retention: no file; the chain's `item.purged` event proves it.
    purged: bool = False
    # A redacted item: the ids of the redaction plans it was rendered from (the bundle's
    # exemption log must name exactly these).
    redaction_plans: Sequence[str] = field(default=())


@dataclass(frozen=True, slots=True)
class ExportResult:
    """Where the bundle went, what it anchors to, and events left out (newer than it)."""

    path: Path
    anchor_size: int
    events: int
    events_after_anchor: int


def _safe_name(item_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", item_id)


def _anchor(session: Session, witness_keys: Sequence[str], required: int) -> Checkpoint:
    """The newest checkpoint that satisfies the witness policy (k valid cosignatures)."""
    if required <= 0:
        newest = latest_checkpoint(session=session)
        if newest is None:
            raise BundleError("no checkpoint has been signed yet: run `dalel ledger checkpoint`")
        return newest
    witnesses = [Verifier.parse(key) for key in witness_keys]
    candidates = session.exec(select(Checkpoint).order_by(col(Checkpoint.id).desc()).limit(50))
    for checkpoint in candidates:
        note = served_note(session=session, checkpoint=checkpoint)
        if len(witnesses_that_cosigned(note, witnesses)) >= required:
            return checkpoint
    raise BundleError(
        f"no recent checkpoint has {required} cosignatures from the given witnesses: "
        "run the witnesses (`dalel witness`) first"
    )


def _checkpoints(session: Session, anchor: Checkpoint) -> list[Checkpoint]:
    """The oldest non-empty checkpoint and the anchor: the bundle proves the log only grew."""
    oldest = session.exec(
        select(Checkpoint).where(Checkpoint.size > 0).order_by(col(Checkpoint.id)).limit(1)
    ).first()
    if oldest is None or oldest.id == anchor.id or oldest.size > anchor.size:
        return [anchor]
    return [oldest, anchor]


def _timestamps(session: Session, cps: Sequence[Checkpoint]) -> list[dict[str, Any]]:
    """RFC 3161 tokens over the bundle's checkpoints, with the exact note each covers
    (the log-signed note as stored, before witnesses' cosignatures were added)."""
    by_id = {cp.id: cp for cp in cps}
    rows = session.exec(
        select(CheckpointTimestamp)
        .where(col(CheckpointTimestamp.checkpoint_id).in_(list(by_id)))
        .order_by(col(CheckpointTimestamp.id))
    )
    return [
        {
            "size": by_id[row.checkpoint_id].size,
            "tsa": row.tsa_url,
            "note": by_id[row.checkpoint_id].note,
            "token": base64.b64encode(row.token).decode(),
        }
        for row in rows
    ]


def _event(entry: LedgerEntry, proof: list[bytes], readable: bool) -> dict[str, Any]:
    """One event of bundle.json: its leaf, or sealed (the leaf hash and the item only)."""
    shown: dict[str, Any] = {"index": entry.idx}
    if readable:
        shown["leaf"] = base64.b64encode(entry.leaf).decode()
    else:
        shown["item"] = entry.subject.removeprefix("item:")
        shown["leaf_hash"] = base64.b64encode(entry.leaf_hash).decode()
    shown["proof"] = [base64.b64encode(h).decode() for h in proof]
    return shown


def build_manifest(
    *,
    session: Session,
    items: Sequence[BundleItem],
    witness_keys: Sequence[str] = (),
    witnesses_required: int = 0,
    signers: Sequence[NoteSigner] = (),
    readable: Readable = everything,
) -> tuple[dict[str, Any], int]:
    """bundle.json content and the number of item events newer than the anchor.

    With the log's `signers`, the manifest carries signed heads (custody/heads.py): the
    log's statement of where each item's history ends at the anchor, without which a
    verifier cannot tell a complete history from one cut short. Events `readable`
    refuses (the exporter's custody view) are sealed: index, item, leaf hash and proof.
    """
    anchor = _anchor(session, witness_keys, witnesses_required)
    cps = _checkpoints(session, anchor)
    fetch = node_fetcher(session)
    entries = entries_for_items(session=session, item_ids=[item.id for item in items])
    included = [e for e in entries if e.idx < anchor.size]
    proofs = merkle.inclusion_proofs([e.idx for e in included], anchor.size, fetch)
    events = [_event(e, proof, readable(e)) for e, proof in zip(included, proofs, strict=True)]
    consistency = []
    if len(cps) == 2:
        hashes = merkle.consistency_proof(cps[0].size, anchor.size, fetch)
        consistency.append(
            {
                "first": cps[0].size,
                "second": anchor.size,
                "hashes": [base64.b64encode(h).decode() for h in hashes],
            }
        )
    origin = anchor.note.split("\n", 1)[0]
    manifest = {
        "format": FORMAT,
        "created_at": format_time(utc_now()),
        "origin": origin,
        "log_keys": [str(v) for v in log_verifiers(session=session)],
        "witness_keys": list(witness_keys),
        "witness_policy": {"k": witnesses_required},
        "checkpoints": [served_note(session=session, checkpoint=cp) for cp in cps],
        "consistency": consistency,
        "items": [
            {
                "id": item.id,
                "sha256": item.sha256,
                "size": item.size,
                "name": item.name,
                "kind": item.kind,
                "inputs": list(item.inputs),
                "file": None if item.purged else f"files/{_safe_name(item.id)}",
                **({"purged": True} if item.purged else {}),
                **({"redaction_plans": list(item.redaction_plans)} if item.redaction_plans else {}),
            }
            for item in items
        ],
        "events": events,
    }
    stamps = _timestamps(session, cps)
    if stamps:
        manifest["timestamps"] = stamps
    if signers:
        manifest["heads"] = sign_heads(
            origin=origin,
            size=anchor.size,
            root=bytes(anchor.root_hash),
            heads=heads_of(included),
            signers=signers,
        )
    return manifest, len(entries) - len(included)


class _Writer:
    """Writes bundle members to a folder or a ZIP."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) if out.suffix == ".zip" else None
        if self.zip is None:
            (out / "files").mkdir(parents=True, exist_ok=True)

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        if self.zip is not None:
            with self.zip.open(name, "w", force_zip64=True) as handle:
                yield handle
        else:
            with (self.out / name).open("wb") as handle:
                yield handle

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def export_bundle(
    *,
    session: Session,
    items: Sequence[BundleItem],
    open_content: Callable[[str], BinaryIO],
    out: Path,
    witness_keys: Sequence[str] = (),
    witnesses_required: int = 0,
    signers: Sequence[NoteSigner] = (),
    readable: Readable = everything,
    extra_files: Mapping[str, bytes] | None = None,
    release: Mapping[str, str] | None = None,
) -> ExportResult:
    """Write a verifiable custody bundle for `items` to folder `out` (or `out.zip`);
    `signers` (the log's keys) add the signed heads and `readable` seals events, as in
    `build_manifest`. `extra_files` (a report) are added as they are; with `signers`,
    the bundle is sealed by the signed file statement over every file, naming the
    release's verifier hashes (`release`, default: this verifier.py's)."""
    if not items:
        raise BundleError("nothing to export: no items given")
    manifest, pending = build_manifest(
        session=session,
        items=items,
        witness_keys=witness_keys,
        witnesses_required=witnesses_required,
        signers=signers,
        readable=readable,
    )
    writer = _Writer(out)
    try:
        for item in manifest["items"]:
            if item["file"] is None:  # purged: nothing to copy
                continue
            with open_content(item["id"]) as source, writer.open(item["file"]) as target:
                shutil.copyfileobj(source, target, 1 << 20)
        with writer.open("bundle.json") as handle:
            handle.write(json.dumps(manifest, indent=1, ensure_ascii=False).encode())
        with writer.open("verifier.py") as handle:
            handle.write(VERIFIER_SOURCE.read_bytes())
        with writer.open("README.txt") as handle:
            handle.write(README.encode())
        for name, data in (extra_files or {}).items():
            with writer.open(name) as handle:
                handle.write(data)
    finally:
        writer.close()
    if signers:
        anchor = CheckpointBody.parse(split_note(manifest["checkpoints"][-1])[0])
        seal(
            out=out, origin=anchor.origin, size=anchor.size, root=anchor.root,
            release=release or own_release(), signers=signers,
        )  # fmt: skip
    return ExportResult(
        path=out,
        anchor_size=manifest["checkpoints"] and int(manifest["checkpoints"][-1].split("\n")[1]),
        events=len(manifest["events"]),
        events_after_anchor=pending,
    )


def bytes_opener(contents: dict[str, bytes]) -> Callable[[str], BinaryIO]:
    """An `open_content` over bytes in memory (tests and small exports)."""
    return lambda item_id: io.BytesIO(contents[item_id])
