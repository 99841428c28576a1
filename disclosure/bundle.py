"""Disclosure bundles: a ZIP streamed with constant memory.

Contents: `files/` (the served, watermarked files), `manifest.json` (the custody bundle
manifest of custody.export.build_manifest — hashes, sizes, events with inclusion proofs,
signed checkpoints with cosignatures, verifier keys — plus a `disclosure` section with
each file's derivation chain back to the original's hash and its redaction plan ids),
`bundle.json` (the same manifest, under the name the offline verifier reads),
`verifier.py` (custody's offline verifier) and `verify.html` (checks everything in a
browser, no network).

Every file's download is recorded before the first byte, then a checkpoint is signed,
so the bundle proves its own delivery. A bundle is built only when every file's
watermarked copy is ready (else `WatermarkPending`, 409). While it streams, revocation
or expiry stops it (checked between files and every `CHECK_EVERY` bytes, in a fresh
session), recorded as `access.denied` on each file not delivered.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from custody.export import VERIFIER_SOURCE, BundleItem, build_manifest
from disclosure.errors import BundleStopped, DisclosureGone, DisclosureNotFound
from disclosure.models import Disclosure, Receipt
from disclosure.portal import _first, entries_of, pending_error
from disclosure.receipts import record_receipt
from disclosure.selection import PROSECUTION
from disclosure.service import load_disclosure, status_of
from disclosure.streaming import CHECK_EVERY, live_status
from evidence.models import Item
from evidence.policy import Principal
from evidence.service.disclose import (
    BundleFiles,
    authorize_case_role,
    open_bundle_files,
    record_bundle_stopped,
)
from evidence.service.ledger import LedgerConfig, checkpoint, log_signers
from evidence.storage import ObjectStore

VERIFY_HTML = Path(__file__).with_name("static") / "verify.html"
README = """Dalel disclosure bundle
=======================
files/         the disclosed files (watermarked for you)
manifest.json  every file's SHA-256 and size, its derivation chain back to the original's
               hash, redaction plan ids, custody events with inclusion proofs, the signed
               checkpoint with witness cosignatures, and the log's verifier keys
bundle.json    the same manifest, under the name verifier.py reads
verifier.py    offline verifier: python3 verifier.py .   (Python 3.11+, pip install pynacl)
verify.html    open in any modern browser (no network needed) and choose this folder
"""


class _Pipe:
    """A write-only, unseekable sink: zipfile writes into it, the response drains it."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._offset = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def _file_name(item: Item) -> str:
    suffix = PurePosixPath(item.original_name).suffix
    suffix = suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", suffix) else ""
    return f"files/{item.id}{suffix}"


def derivation_chain(session: Session, item: Item) -> list[dict[str, Any]]:
    """From the served file back to the original: ids, hashes, tools, plan ids."""
    chain: list[dict[str, Any]] = []
    current: Item | None = item
    while current is not None and len(chain) < 16:
        derivation = current.derivation or {}
        chain.append(
            {
                "id": current.id,
                "kind": str(current.kind),
                "derivative_kind": current.derivative_kind,
                "sha256": current.sha256,
                "tool": derivation.get("tool"),
                "version": derivation.get("version"),
                "plan_id": derivation.get("plan_id"),
                "parameters": derivation.get("parameters"),
            }
        )
        current = session.get(Item, current.parent_id) if current.parent_id else None
    return chain


# While a bundle streams, the disclosure's status is checked between files and after
# every CHECK_EVERY bytes inside a file (disclosure.streaming).


@dataclass(frozen=True, slots=True)
class PreparedBundle:
    """A bundle ready to stream: manifest bytes and recorded, authorised files."""

    disclosure: Disclosure
    manifest: bytes
    files: BundleFiles
    names: dict[str, str]
    receipt: Receipt | None
    principal: Principal | None = None
    engine: Engine | None = None
    client: str | None = None
    check_every: int = CHECK_EVERY
    disclosure_id: str = ""

    def stream(self) -> Iterator[bytes]:
        """The ZIP, piece by piece; memory stays at about one store chunk.

        Stops (raising `BundleStopped`, after recording it) as soon as the disclosure is
        found revoked or expired: the response then ends without completing, so the
        client sees a failed transfer, never a short but well-formed ZIP.
        """
        pipe = _Pipe()
        archive = zipfile.ZipFile(pipe, "w", zipfile.ZIP_STORED, allowZip64=True)  # type: ignore[call-overload]
        for name, data in [("README.txt", README.encode()), ("manifest.json", self.manifest),
                           ("bundle.json", self.manifest)]:  # fmt: skip
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
        yield pipe.drain()
        order = list(self.names.items())
        for done, (item_id, name) in enumerate(order):
            self._check(order, done, pipe.tell())
            size = self.files.items[item_id][1].size
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.file_size = size
            since = 0
            with archive.open(info, "w", force_zip64=size >= 0xFFFFFFFF) as handle:
                for chunk in self.files.chunks(item_id):
                    handle.write(chunk)
                    since += len(chunk)
                    if data := pipe.drain():
                        yield data
                    if since >= self.check_every:
                        since = 0
                        self._check(order, done, pipe.tell())
            yield pipe.drain()
        archive.writestr("verifier.py", VERIFIER_SOURCE.read_bytes(), zipfile.ZIP_DEFLATED)
        archive.writestr("verify.html", VERIFY_HTML.read_bytes(), zipfile.ZIP_DEFLATED)
        archive.close()
        yield pipe.drain()

    def _check(self, order: list[tuple[str, str]], done: int, sent: int) -> None:
        """Raise BundleStopped (recorded in custody) when access has ended meanwhile."""
        if self.engine is None or self.principal is None:
            return
        disclosure_id = self.disclosure_id or self.disclosure.id
        status = live_status(self.engine, disclosure_id)
        if status == "active":
            return
        with Session(self.engine) as side:
            record_bundle_stopped(
                session=side, principal=self.principal, disclosure_id=disclosure_id,
                item_ids=[item_id for item_id, _ in order[done:]],
                reason=f"disclosure {status}", client=self.client,
                details={"files_completed": done, "files": len(order), "bytes_sent": sent,
                         "receipt": self.receipt.id if self.receipt else None},
            )  # fmt: skip
        raise BundleStopped(
            f"the disclosure was {status} during the download: the bundle stopped after "
            f"{done} of {len(order)} files"
        )


def prepare_bundle(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    ledger: LedgerConfig,
    disclosure_id: str,
    client: str | None = None,
) -> PreparedBundle:
    """Authorise, record every file's download, sign a checkpoint, build the manifest."""
    disclosure, case = load_disclosure(session, disclosure_id)
    recipient = principal.user_id == disclosure.recipient_id
    if not recipient:
        if principal.role.value == "defence":
            raise DisclosureNotFound("no such disclosure")
        authorize_case_role(
            session=session, principal=principal, case_id=case.id, roles=PROSECUTION,
            client=client,
        )  # fmt: skip
    if status_of(disclosure) != "active":
        raise DisclosureGone(f"this disclosure is {status_of(disclosure)}")
    entries = entries_of(session, disclosure.id, current=True)
    if not entries:
        raise DisclosureNotFound("this disclosure holds no files")
    # All or nothing: a bundle never leaves out a file, nor waits for one to be stamped.
    if pending := [e for e in entries if e.served_id is None]:
        raise pending_error(session, pending)
    served = [e.served_id for e in entries if e.served_id is not None]
    files = open_bundle_files(
        session=session, store=store, principal=principal, disclosure_id=disclosure.id,
        item_ids=served, client=client,
    )  # fmt: skip
    checkpoint(session=session, ledger=ledger)
    manifest, _ = build_manifest(
        session=session,
        items=[
            BundleItem(id=i, sha256=item.sha256, size=blob.size, name=item.original_name,
                       kind=str(item.kind))  # derivation inputs stay out: originals are not here
            for i, (item, blob) in files.items.items()
        ],
        signers=log_signers(ledger),
    )  # fmt: skip
    names = {i: _file_name(files.items[i][0]) for i in served}
    by_served = {e.served_id: e for e in entries}
    for entry in manifest["items"]:
        entry["file"] = names[entry["id"]]
        entry["derivation_chain"] = derivation_chain(session, files.items[entry["id"]][0])
        entry["redaction_plans"] = [
            step["plan_id"] for step in entry["derivation_chain"] if step["plan_id"]
        ]
        entry["tranche"] = by_served[entry["id"]].added_in
    # Inputs deliberately left out (originals, un-watermarked redactions): named by id and
    # hash so a verifier can tell "withheld by design" from "missing".
    present = set(names)
    manifest["withheld"] = list(
        {
            step["id"]: {"id": step["id"], "sha256": step["sha256"], "kind": step["kind"],
                         "derivative_kind": step["derivative_kind"]}
            for entry in manifest["items"]
            for step in entry["derivation_chain"][1:]
            if step["id"] not in present
        }.values()
    )  # fmt: skip
    manifest["disclosure"] = {
        "id": disclosure.id,
        "tranches": disclosure.tranches,
        "expires_at": disclosure.expires_at.isoformat() if disclosure.expires_at else None,
        "recipient": disclosure.recipient_id,
    }
    body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
    receipt = None
    if recipient:
        receipt = record_receipt(
            session=session, disclosure_id=disclosure.id, recipient_id=principal.user_id,
            what="bundle", sha256=hashlib.sha256(body).hexdigest(),
            size=sum(blob.size for _, blob in files.items.values()),
        )  # fmt: skip
        session.commit()
        _first(session, disclosure, "received")
    # End the request's transaction: on SQLite an open one holds the write lock, and the
    # stream's status checks (in sessions of their own) must not wait for it.
    session.commit()
    return PreparedBundle(
        disclosure=disclosure, manifest=body, files=files, names=names, receipt=receipt,
        principal=principal, engine=session.get_bind().engine, client=client,
        disclosure_id=disclosure.id,
    )  # fmt: skip
