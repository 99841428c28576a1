"""The person's receipt: signed with the log's key, checkable by anyone holding it.

The receipt is a C2SP signed note (as checkpoints are): a header line and the receipt
as RFC 8785 JSON, signed by the log's Ed25519 keys. It names each file's ledger entry
(`citizen.file.received`: index and leaf hash, salted so nobody can guess one); once a
checkpoint covers that index its inclusion proof can be fetched. The public check
answers only about the entries the receipt itself names: signature valid, entry in the
log with that leaf hash, covered by a signed checkpoint — no event, no name, no contact.
"""

from __future__ import annotations

import base64
import hmac
from pathlib import Path
from typing import Any

from fpdf import FPDF
from sqlmodel import Session

from custody.checkpoint import latest_checkpoint, log_verifiers, remember_keys
from custody.errors import CustodyError
from custody.keys import load_keys
from custody.models import LedgerEntry
from custody.note import sign_note, verified_signers
from custody.tree import inclusion_proof_at
from evidence import i18n
from evidence.citizen_models import EvidenceRequest
from evidence.errors import InvalidInput, NotFound
from evidence.service.citizen_link import parse_receipt_text, receipt_body, receipt_text
from evidence.service.ledger import LedgerConfig

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def signed_receipt(
    *, session: Session, request: EvidenceRequest, ledger: LedgerConfig
) -> dict[str, Any]:
    """`{"note": signed note, "receipt": its body}` — the JSON download."""
    body = receipt_body(session, request, ledger.origin)
    keys = load_keys(key_dir=ledger.key_dir, name=ledger.origin)
    note = sign_note(receipt_text(body), keys.signers)
    # The public check trusts the keys the log has recorded: record ours now, or a
    # receipt given before the log's first checkpoint would not check.
    remember_keys(session=session, keys=keys)
    session.commit()
    return {"format": "dalel-citizen-receipt/1", "note": note, "receipt": body}


def _entry_state(session: Session, file: dict[str, Any], size: int) -> dict[str, Any]:
    index, leaf = file.get("ledger_index"), str(file.get("leaf_hash", ""))
    answer: dict[str, Any] = {"sha256": file.get("sha256"), "ledger_index": index,
                              "recorded": False, "included": False}  # fmt: skip
    if not isinstance(index, int) or index < 0:
        return answer
    entry = session.get(LedgerEntry, index)
    if entry is None or entry.action != "citizen.file.received":
        return answer
    if not hmac.compare_digest(bytes(entry.leaf_hash).hex(), leaf):
        return answer
    answer["recorded"] = True
    answer["included"] = index < size
    return answer


def verify_receipt(*, session: Session, note: str) -> dict[str, Any]:
    """Check a receipt: 1. the note parses; 2. a key of this log signed it; 3. each file's
    entry is in the log with the receipt's leaf hash; 4. a signed checkpoint covers it."""
    try:
        text, good = verified_signers(note, log_verifiers(session=session))
    except CustodyError:
        return {"signature": False, "files": [], "checkpoint_size": None}
    if not good:
        return {"signature": False, "files": [], "checkpoint_size": None}
    body = parse_receipt_text(text)
    latest = latest_checkpoint(session=session)
    size = latest.size if latest else 0
    files = [_entry_state(session, f, size) for f in body["files"] if isinstance(f, dict)]
    return {
        "signature": True,
        "signed_by": [v.name for v in good],
        "request": body.get("request"),
        "files": files,
        "checkpoint_size": latest.size if latest else None,
        "all_included": bool(files) and all(f["included"] for f in files),
    }


def receipt_proof(*, session: Session, index: int, leaf_hash: str) -> dict[str, Any]:
    """The inclusion proof of a receipt's entry in the newest signed checkpoint (for the
    holder of the receipt, who knows the salted leaf hash; others learn nothing)."""
    latest = latest_checkpoint(session=session)
    entry = session.get(LedgerEntry, index) if index >= 0 else None
    if (
        latest is None
        or entry is None
        or entry.action != "citizen.file.received"
        or not hmac.compare_digest(bytes(entry.leaf_hash).hex(), leaf_hash.lower())
        or index >= latest.size
    ):
        raise NotFound("no checkpoint covers that entry yet (or the receipt is not ours)")
    hashes = inclusion_proof_at(session=session, index=index, size=latest.size)
    return {
        "index": index,
        "tree_size": latest.size,
        "leaf_hash": leaf_hash.lower(),
        "hashes": [base64.b64encode(h).decode() for h in hashes],
        "checkpoint": latest.note,
    }


def line(pdf: FPDF, height: float, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def receipt_pdf(receipt: dict[str, Any], *, font_dir: Path = FONT_DIR) -> bytes:
    """The receipt as a PDF in the page's language, with the signed note printed whole
    (so the PDF alone can be checked on the public page)."""
    body, _ = receipt["receipt"], i18n.gettext
    regular = font_dir / "DejaVuSans.ttf"
    if not regular.exists():
        raise InvalidInput("font %(font)s is missing (fonts-dejavu-core)", font=str(regular))
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVuMono", "", str(font_dir / "DejaVuSansMono.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", size=15)
    line(pdf, 8, _("Receipt for the files you sent"))
    pdf.set_font("DejaVu", size=10)
    line(pdf, 6, _("Request %(ref)s") % {"ref": body["request"]})
    if body.get("case"):
        line(pdf, 6, _("Case %(number)s") % {"number": body["case"]})
    pdf.ln(2)
    for f in body["files"]:
        pdf.set_font("DejaVu", size=10)
        line(pdf, 6, f"{f['name']} — {i18n.format_size(f['size'])} — {f['received_at']}")
        pdf.set_font("DejaVuMono", size=8)
        line(pdf, 5, f"SHA-256 {f['sha256']}\n{_('ledger entry')} {f['ledger_index']}")
        pdf.ln(1)
    pdf.ln(3)
    pdf.set_font("DejaVu", size=9)
    line(pdf, 5, _("Signed by the custody log. Check it on the receipt check page."))
    pdf.set_font("DejaVuMono", size=6)
    line(pdf, 3, receipt["note"])
    return bytes(pdf.output())
