"""Court: the court export of a case.

The export goes through the one export path (evidence.service.export: it records each
file's download by the person exporting and signs a checkpoint) and adds the
chain-of-custody report PDF. Public verification of a file is
evidence.service.releases.verify_file (see court_router).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session, col, select

from custody.report import ReportItem, custody_report_pdf
from custody.view import item_custody
from disclosure.published import verifier_hashes
from evidence import scratch
from evidence.models import Item
from evidence.policy import Perm, Principal
from evidence.service.access import require_case
from evidence.service.export import plan_export
from evidence.service.ledger import LedgerConfig
from evidence.service.retention_info import report_facts
from evidence.storage import ObjectStore


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
    """A ZIP of the case (originals, derivatives, manifest, verifier, custody report PDF),
    written through the one export path; the exporter's custody view seals what they
    may not read (the defence's work) in the manifest and in the report alike.

    The caller streams the file and removes its folder afterwards (see `stream_and_remove`).
    """
    case = require_case(
        session, principal=principal, perm=Perm.COURT_EXPORT, case_id=case_id, client=client
    )
    ids = list(
        session.exec(
            select(Item.id).where(Item.case_id == case.id).order_by(col(Item.created_at))
        ).all()
    )
    plan = plan_export(
        session=session, store=store, principal=principal, ledger=ledger, item_ids=ids,
        purpose="court-export", release="court-export", client=client,
    )  # fmt: skip

    facts = {i: report_facts(session, item, language) for i, (item, _) in plan.items.items()}
    report = custody_report_pdf(
        items=[
            (
                ReportItem(id=item.id, sha256=item.sha256, size=blob.size,
                           name=item.original_name, kind=str(item.derivative_kind or item.kind),
                           case_number=case.number, legal_basis=facts[item.id].legal_basis,
                           purpose=facts[item.id].purpose,
                           retain_until=facts[item.id].retain_until,
                           purged_at=facts[item.id].purged_at),
                item_custody(session=session, item_id=item.id, readable=plan.readable,
                             anchor=plan.anchor),
            )
            for item, blob in plan.items.values()
        ],
        language=language,
    )  # fmt: skip
    # The exemption log of redacted items joins it in `plan.write` (evidence.hooks).
    extra = {"custody-report.pdf": report}
    folder = scratch.mkdtemp(prefix="dalel-court-")
    out = folder / f"court-export-{case.number}.zip"
    try:
        plan.write(
            session=session, out=out, extra_files=extra,
            release=verifier_hashes(),
        )  # fmt: skip
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
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
