"""Chain-of-custody report as PDF (kk / ru / en) from already-loaded custody data.

The caller (evidence) loads item facts and the custody view (`custody.view.ItemCustody`,
as the reader may see it: sealed events appear as their leaf hash only);
this module only lays them out: each event in plain language, the hashes, the checkpoint
it is anchored in, and how anyone can verify it without trusting us.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

from custody.checkpoint import CheckpointBody
from custody.errors import CustodyError
from custody.events import format_time, utc_now
from custody.note import split_note
from custody.report_text import HOW_TO_VERIFY, LANGUAGES, describe, label
from custody.view import ItemCustody

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class ReportError(CustodyError):
    """The report cannot be produced (unknown language, missing font)."""


@dataclass(frozen=True, slots=True)
class ReportItem:
    """Facts about an item, as the evidence service knows them."""

    id: str
    sha256: str
    size: int
    name: str = ""
    kind: str = "original"
    case_number: str = ""
    legal_basis: str = ""  # in the report's language: the code's name, then the free text
    purpose: str = ""
    retain_until: datetime | None = None
    purged_at: datetime | None = None


class _Pdf(FPDF):
    def __init__(self, font_dir: Path) -> None:
        super().__init__(format="A4")
        regular, bold = font_dir / "DejaVuSans.ttf", font_dir / "DejaVuSans-Bold.ttf"
        if not regular.exists():
            raise ReportError(f"font {regular} is missing (Debian package fonts-dejavu-core)")
        self.add_font("DejaVu", "", str(regular))
        self.add_font("DejaVu", "B", str(bold if bold.exists() else regular))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.cell(0, 5, f"Dalel · {self.page_no()}", align="C")


def _heading(pdf: _Pdf, text: str, size: int = 12) -> None:
    pdf.set_font("DejaVu", "B", size)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)


def _pairs(pdf: _Pdf, rows: Sequence[tuple[str, str]]) -> None:
    with pdf.table(
        col_widths=(35, 145), first_row_as_headings=False, line_height=5, text_align="LEFT"
    ) as table:
        for key, value in rows:
            row = table.row()
            row.cell(key)
            row.cell(value)
    pdf.ln(2)


def _events(pdf: _Pdf, custody: ItemCustody, lang: str) -> None:
    headings = (label("entry", lang), label("when", lang), label("what", lang), label("who", lang))
    with pdf.table(col_widths=(20, 38, 72, 50), line_height=5, text_align="LEFT") as table:
        head = table.row()
        for text in headings:
            head.cell(text)
        for ev in custody.events:
            row = table.row()
            row.cell(f"#{ev.index}")
            if ev.event is None:  # sealed: its hash proves the chain, its content is not ours
                row.cell("")
                row.cell(f"{label('withheld', lang)} — {ev.leaf_hash.hex()[:16]}…")
                row.cell("")
                continue
            actor = ev.event.get("actor", {})
            who = f"{actor.get('name', '?')} ({actor.get('role', '?')})"
            if ev.event.get("client"):
                who += f", {ev.event['client']}"
            what = describe(str(ev.event.get("action")), lang)
            if not ev.proof and ev.index >= custody.tree_size:
                what += f" — {label('not_anchored', lang)}"
            row.cell(str(ev.event.get("at", "")).replace("T", " ").rstrip("Z")[:19])
            row.cell(what)
            row.cell(who)
    pdf.ln(3)


def _checkpoint(pdf: _Pdf, note: str | None, log_key_names: set[str], lang: str) -> None:
    _heading(pdf, label("checkpoint", lang), 11)
    if note is None:
        pdf.multi_cell(0, 5, label("no_checkpoint", lang), new_x="LMARGIN", new_y="NEXT")
        return
    text, sigs = split_note(note)
    body = CheckpointBody.parse(text)
    signers = [f"{s.name} ({s.key_id.hex()})" for s in sigs if s.name in log_key_names]
    witnesses = [f"{s.name} ({s.key_id.hex()})" for s in sigs if s.name not in log_key_names]
    none = label("none", lang)
    _pairs(
        pdf,
        [
            ("Origin", body.origin),
            (label("tree_size", lang), str(body.size)),
            (label("root", lang), base64.b64encode(body.root).decode()),
            (label("signed_by", lang), ", ".join(signers) or none),
            (label("witnesses", lang), ", ".join(witnesses) or none),
        ],
    )


def _retention(item: ReportItem, lang: str) -> str:
    if item.purged_at is not None:
        return f"{label('purged_on', lang)} {item.purged_at:%Y-%m-%d}"
    if item.retain_until is not None:
        return f"{label('retained_until', lang)} {item.retain_until:%Y-%m-%d}"
    return label("kept_indefinitely", lang)


def custody_report_pdf(
    *,
    items: Sequence[tuple[ReportItem, ItemCustody]],
    language: str = "en",
    font_dir: Path = FONT_DIR,
    generated_at: datetime | None = None,
) -> bytes:
    """Render the chain-of-custody report for one item or a whole case; PDF bytes."""
    if language not in LANGUAGES:
        raise ReportError(f"report language must be one of {', '.join(LANGUAGES)}")
    pdf = _Pdf(font_dir)
    pdf.set_title(label("title", language))
    pdf.add_page()
    _heading(pdf, label("title", language), 15)
    pdf.multi_cell(
        0,
        5,
        f"{label('generated', language)}: {format_time(generated_at or utc_now())[:19]}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    note: str | None = None
    for item, custody in items:
        _heading(pdf, f"{label('item', language)} {item.id}", 11)
        facts = [
            (label("name", language), item.name),
            (label("case", language), item.case_number),
            (label("kind", language), item.kind),
            (label("sha256", language), item.sha256),
            (label("size", language), f"{item.size:,}".replace(",", " ")),
            (label("legal_basis", language), item.legal_basis),
            (label("purpose", language), item.purpose),
            (label("retention", language), _retention(item, language)),
        ]
        _pairs(pdf, [(k, v) for k, v in facts if v])
        _events(pdf, custody, language)
        note = custody.checkpoint or note
    origin = split_note(note)[0].split("\n", 1)[0] if note else ""
    _checkpoint(pdf, note, {origin}, language)
    _heading(pdf, label("how", language), 11)
    for step in HOW_TO_VERIFY[language]:
        pdf.multi_cell(0, 5, step, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)
    return bytes(pdf.output())
