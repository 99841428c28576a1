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
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from custody.checkpoint import CheckpointBody
from custody.export import build_manifest
from custody.note import split_note
from custody.statement import VERIFIER_SOURCE, statement_note
from custody.verifier import STATEMENT_FILE
from disclosure.blinding import blind
from disclosure.errors import BundleStopped, DisclosureGone, DisclosureNotFound
from disclosure.models import Disclosure, Receipt
from disclosure.portal import entries_of, first_time, hidden, pending_error
from disclosure.published import VERIFY_HTML, verifier_hashes
from disclosure.receipts import record_receipt
from disclosure.service import load_disclosure, status_of
from disclosure.streaming import CHECK_EVERY, live_status
from evidence.models import Item, Role
from evidence.policy import Perm, Principal
from evidence.service.access import require
from evidence.service.export import ExportPlan, plan_export
from evidence.service.ledger import LedgerConfig
from evidence.storage import ObjectStore
from redaction.exemptions import log_files

# In the three interface languages: the bundle travels without the server's pages.
README = """Dalel: ашып көрсету топтамасы
=============================
files/         ашып көрсетілген файлдар (сізге арналған су таңбасымен)
manifest.json  әр файлдың SHA-256 мәні мен өлшемі, түпнұсқа хэшіне дейінгі туынды
               материалдар тізбегі, бүркемелеу жоспарларының идентификаторлары, қосылу
               дәлелдері бар сақтау тізбегінің оқиғалары, куәгерлер қол қойған бақылау
               нүктесі және журналдың тексеру кілттері
bundle.json    сол манифест, verifier.py оқитын атаумен
verifier.py    желісіз тексеру: python3 verifier.py .   (Python 3.11+, pip install pynacl)
verify.html    кез келген заманауи браузерде ашыңыз (желі қажет емес) да, осы қалтаны таңдаңыз
statement.txt  журналдың қол қойылған мәлімдемесі: қалған әр файлдың SHA-256 мәні мен
               өлшемі және осы шығарылымның түпнұсқа verifier.py, verify.html файлдарының
               SHA-256 мәні

Dalel: архив раскрытия
======================
files/         раскрытые файлы (с вашим водяным знаком)
manifest.json  SHA-256 и размер каждого файла, цепочка производных материалов до хэша
               оригинала, идентификаторы планов обезличивания, события цепочки хранения с
               доказательствами включения, подписанная контрольная точка с подписями
               свидетелей и ключи проверки журнала
bundle.json    тот же манифест под именем, которое читает verifier.py
verifier.py    проверка без сети: python3 verifier.py .   (Python 3.11+, pip install pynacl)
verify.html    откройте в любом современном браузере (сеть не нужна) и выберите эту папку
statement.txt  подписанное журналом заявление: SHA-256 и размер каждого другого файла и
               SHA-256 подлинных verifier.py и verify.html этой версии

Dalel disclosure bundle
=======================
files/         the disclosed files (watermarked for you)
manifest.json  every file's SHA-256 and size, its derivation chain back to the original's
               hash, redaction plan ids, custody events with inclusion proofs, the signed
               checkpoint with witness cosignatures, and the log's verifier keys
bundle.json    the same manifest, under the name verifier.py reads
verifier.py    offline verifier: python3 verifier.py .   (Python 3.11+, pip install pynacl)
verify.html    open in any modern browser (no network needed) and choose this folder
statement.txt  the log's signed statement of every other file's SHA-256 and size, and of
               the SHA-256 of this release's genuine verifier.py and verify.html
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
    plan: ExportPlan
    names: dict[str, str]
    receipt: Receipt | None
    principal: Principal | None = None
    engine: Engine | None = None
    client: str | None = None
    check_every: int = CHECK_EVERY
    disclosure_id: str = ""
    statement: bytes = b""  # the log's signed statement over every other file
    # redaction.exemptions: why each hidden region was withheld (JSON and PDFs)
    exemptions: dict[str, bytes] = field(default_factory=dict)

    def stream(self) -> Iterator[bytes]:
        """The ZIP, piece by piece; memory stays at about one store chunk.

        Stops (raising `BundleStopped`, after recording it) as soon as the disclosure is
        found revoked or expired: the response then ends without completing, so the
        client sees a failed transfer, never a short but well-formed ZIP.
        """
        pipe = _Pipe()
        archive = zipfile.ZipFile(pipe, "w", zipfile.ZIP_STORED, allowZip64=True)  # type: ignore[call-overload]
        heads = [("README.txt", README.encode()), ("manifest.json", self.manifest),
                 ("bundle.json", self.manifest)]  # fmt: skip
        heads += list(self.exemptions.items())
        for name, data in heads:
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
        yield pipe.drain()
        order = list(self.names.items())
        for done, (item_id, name) in enumerate(order):
            self._check(order, done, pipe.tell())
            size = self.plan.items[item_id][1].size
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.file_size = size
            since = 0
            with archive.open(info, "w", force_zip64=size >= 0xFFFFFFFF) as handle:
                for chunk in self.plan.chunks(item_id):
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
        if self.statement:
            archive.writestr(STATEMENT_FILE, self.statement, zipfile.ZIP_DEFLATED)
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
            self.plan.stopped(
                session=side, item_ids=[item_id for item_id, _ in order[done:]],
                reason=f"disclosure {status}", bundle="stopped", files_completed=done,
                files=len(order), bytes_sent=sent,
                receipt=self.receipt.id if self.receipt else None,
            )  # fmt: skip
        raise BundleStopped(
            "the disclosure was %(status)s during the download: the bundle stopped after "
            "%(done)s of %(files)s files",
            status=status, done=done, files=len(order),
        )  # fmt: skip


def _statement(
    manifest: dict[str, Any], body: bytes, plan: ExportPlan, names: dict[str, str],
    exemptions: dict[str, bytes] | None = None,
) -> bytes:  # fmt: skip
    """The signed statement over every file the bundle will hold (all known up front:
    the served files' hashes are their items')."""
    files = {
        name: (hashlib.sha256(data).hexdigest(), len(data))
        for name, data in [("README.txt", README.encode()), ("manifest.json", body),
                           ("bundle.json", body), ("verifier.py", VERIFIER_SOURCE.read_bytes()),
                           ("verify.html", VERIFY_HTML.read_bytes()),
                           *(exemptions or {}).items()]
    }  # fmt: skip
    for item_id, name in names.items():
        item, blob = plan.items[item_id]
        files[name] = (item.sha256, blob.size)
    anchor = CheckpointBody.parse(split_note(manifest["checkpoints"][-1])[0])
    note = statement_note(
        origin=anchor.origin, size=anchor.size, root=anchor.root, files=files,
        release=verifier_hashes(), signers=plan.signers,
    )  # fmt: skip
    return note.encode()


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
        # The prosecution may download what it disclosed; another lawyer learns nothing.
        if principal.role is Role.DEFENCE:
            raise hidden(session, principal, disclosure, client)
        require(session, principal=principal, perm=Perm.DISCLOSURE_MANAGE, case=case, client=client)
    if status_of(disclosure) != "active":
        raise DisclosureGone("this disclosure is %(status)s", status=status_of(disclosure))
    entries = entries_of(session, disclosure.id, current=True)
    if not entries:
        raise DisclosureNotFound("this disclosure holds no files")
    # All or nothing: a bundle never leaves out a file, nor waits for one to be stamped.
    if pending := [e for e in entries if e.served_id is None]:
        raise pending_error(session, pending)
    served = [e.served_id for e in entries if e.served_id is not None]
    plan = plan_export(
        session=session, store=store, principal=principal, ledger=ledger, item_ids=served,
        purpose="disclosure-bundle", release="disclosure", scope=f"disclosure:{disclosure.id}",
        details={"disclosure": disclosure.id}, client=client,
    )  # fmt: skip
    # Derivation inputs stay out (originals are not here); the reader's custody view
    # seals what they may not see (another lawyer's reading, the prosecution's work).
    manifest, _ = build_manifest(
        session=session, items=plan.bundle_items, signers=plan.signers, readable=plan.readable
    )
    # A purged copy (kept until its own date, then purged) travels as its record only.
    gone = {b.id for b in plan.bundle_items if b.purged}
    names = {i: _file_name(plan.items[i][0]) for i in served if i not in gone}
    by_served = {e.served_id: e for e in entries}
    for entry in manifest["items"]:
        entry["file"] = names.get(entry["id"])
        entry["derivation_chain"] = derivation_chain(session, plan.items[entry["id"]][0])
        entry["redaction_plans"] = [
            step["plan_id"] for step in entry["derivation_chain"] if step["plan_id"]
        ]
        entry["tranche"] = by_served[entry["id"]].added_in
    # Inputs deliberately left out (originals, un-watermarked redactions): named by id and
    # a salted commitment, never their plain hash (a short original could be recovered
    # from it by hashing guesses), so a verifier can tell "withheld by design" from
    # "missing", and a court given the salt can tie them to the court export.
    present = set(names)
    withheld: dict[str, dict[str, Any]] = {}
    for entry in manifest["items"]:
        for step in entry["derivation_chain"][1:]:
            if step["id"] in present:
                continue
            if step["id"] not in withheld:
                source = session.get(Item, step["id"])
                assert source is not None
                withheld[step["id"]] = {
                    "id": step["id"], "kind": step["kind"],
                    "derivative_kind": step["derivative_kind"],
                    "commitment": blind(session, disclosure_id=disclosure.id, item=source),
                }  # fmt: skip
            step["sha256"] = None
            step["commitment"] = withheld[step["id"]]["commitment"]
    manifest["withheld"] = list(withheld.values())
    manifest["disclosure"] = {
        "id": disclosure.id,
        "tranches": disclosure.tranches,
        "expires_at": disclosure.expires_at.isoformat() if disclosure.expires_at else None,
        "recipient": disclosure.recipient_id,
    }
    body = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
    plans_by_item = {
        e["id"]: e["redaction_plans"] for e in manifest["items"] if e["redaction_plans"]
    }
    exemptions = log_files(session=session, plans_by_item=plans_by_item) if plans_by_item else {}
    statement = _statement(manifest, body, plan, names, exemptions)
    receipt = None
    if recipient:
        receipt = record_receipt(
            session=session, disclosure_id=disclosure.id, recipient_id=principal.user_id,
            what="bundle", sha256=hashlib.sha256(body).hexdigest(),
            size=sum(blob.size for _, blob in plan.items.values()),
        )  # fmt: skip
        session.commit()
        first_time(session, disclosure, "received")
    # End the request's transaction: on SQLite an open one holds the write lock, and the
    # stream's status checks (in sessions of their own) must not wait for it.
    session.commit()
    return PreparedBundle(
        disclosure=disclosure, manifest=body, plan=plan, names=names, receipt=receipt,
        principal=principal, engine=session.get_bind().engine, client=client,
        disclosure_id=disclosure.id, statement=statement, exemptions=exemptions,
    )  # fmt: skip
