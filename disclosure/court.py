"""Court: the court export of a case, and the public verification of a file or hash.

The export goes through evidence.service.disclose.export_case_for_court (it records
each file's download by the person exporting and signs a checkpoint) and adds the
chain-of-custody report PDF. Public verification needs no sign-in and returns only
whether the system holds the bytes, with inclusion proofs of their creation events
against the current signed checkpoint: no names, no case number, no ids. A leaf hash
and its proof are all a verifier needs to check the log's promise.
"""

from __future__ import annotations

import base64
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from custody import merkle
from custody.checkpoint import latest_checkpoint, log_verifiers, served_note
from custody.models import LedgerEntry
from custody.report import ReportItem, custody_report_pdf
from custody.service import item_custody as item_events
from custody.tree import node_fetcher
from disclosure.errors import DisclosureInvalid
from evidence.models import Blob, Item, Role
from evidence.policy import Principal
from evidence.service.disclose import authorize_case_role, export_case_for_court
from evidence.service.ledger import LedgerConfig
from evidence.storage import ObjectStore

COURT_EXPORTERS = frozenset({Role.COURT, Role.PROSECUTOR})
_SHA256 = re.compile(r"[0-9a-f]{64}")


def court_export(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    ledger: LedgerConfig,
    case_id: str,
    language: str = "en",
    client: str | None = None,
) -> Path:
    """A ZIP of the case (originals, derivatives, manifest, verifier, custody report PDF).

    The caller streams the file and removes its folder afterwards (see `stream_and_remove`).
    """
    case = authorize_case_role(
        session=session, principal=principal, case_id=case_id, roles=COURT_EXPORTERS,
        client=client,
    )  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="dalel-court-"))
    out = folder / f"court-export-{case.number}.zip"
    export_case_for_court(
        session=session, store=store, principal=principal, ledger=ledger, case_id=case.id,
        out=out, client=client,
    )  # fmt: skip
    items = session.exec(
        select(Item, Blob)
        .join(Blob, Blob.sha256 == Item.sha256)  # type: ignore[arg-type]
        .where(Item.case_id == case.id)
        .order_by(col(Item.created_at))
    ).all()
    report = custody_report_pdf(
        items=[
            (
                ReportItem(id=item.id, sha256=item.sha256, size=blob.size,
                           name=item.original_name, kind=str(item.derivative_kind or item.kind),
                           case_number=case.number),
                item_events(session=session, item_id=item.id),
            )
            for item, blob in items
        ],
        language=language,
    )  # fmt: skip
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("custody-report.pdf", report)
    return out


def stream_and_remove(path: Path, chunk: int = 1 << 20) -> Iterator[bytes]:
    """Stream a temporary export, then delete it and its folder."""
    try:
        with path.open("rb") as handle:
            while data := handle.read(chunk):
                yield data
    finally:
        path.unlink(missing_ok=True)
        path.parent.rmdir()


def verify_hash(*, session: Session, sha256: str) -> dict[str, Any]:
    """Does the system hold these bytes? With proofs, and nothing about the case."""
    sha256 = sha256.strip().lower()
    if not _SHA256.fullmatch(sha256):
        raise DisclosureInvalid("sha256 must be 64 hexadecimal characters")
    item_ids = list(session.exec(select(Item.id).where(Item.sha256 == sha256)).all())
    if not item_ids:
        return {"sha256": sha256, "held": False}
    blob = session.get(Blob, sha256)
    latest = latest_checkpoint(session=session)
    size = latest.size if latest is not None else 0
    firsts = []
    for item_id in item_ids:
        first = session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.subject == f"item:{item_id}")
            .order_by(col(LedgerEntry.idx))
            .limit(1)
        ).first()
        if first is not None:
            firsts.append(first)
    anchored = [e for e in firsts if e.idx < size]
    proofs = merkle.inclusion_proofs([e.idx for e in anchored], size, node_fetcher(session))
    return {
        "sha256": sha256,
        "held": True,
        "size": blob.size if blob else None,
        "records": len(firsts),
        "tree_size": size,
        "checkpoint": served_note(session=session, checkpoint=latest) if latest else None,
        "log_keys": [str(v) for v in log_verifiers(session=session)],
        "proofs": [
            {
                "index": e.idx,
                "leaf_hash": e.leaf_hash.hex(),
                "inclusion_proof": [base64.b64encode(h).decode() for h in proof],
            }
            for e, proof in zip(anchored, proofs, strict=True)
        ],
        "pending": len(firsts) - len(anchored),
    }
