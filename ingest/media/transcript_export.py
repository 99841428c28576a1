"""Transcript exports: TXT, SRT, WebVTT, and a protocol draft as DOCX or PDF.

Input is the transcript dict from `transcribe` (or a reviewed version of the same
shape). Drafts say plainly that they are machine transcripts awaiting review: an
investigator edits and signs the protocol, the machine text is never the protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
DRAFT_NOTICE = (
    "Машинная расшифровка, не проверена / Машиналық транскрипция, тексерілмеген / "
    "Machine transcript, not verified"
)


def _stamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _clock(seconds: float) -> str:
    return _stamp(seconds, ".")[:8]


def _cue_text(text: str) -> str:
    # A blank line ends a cue in SRT and VTT; "-->" inside text confuses VTT parsers.
    lines = [ln.strip() for ln in text.replace("-->", "→").splitlines() if ln.strip()]
    return "\n".join(lines) or "…"


def to_txt(transcript: Mapping[str, Any], *, timestamps: bool = True) -> str:
    """Plain text, one segment per line, optionally prefixed with [hh:mm:ss]."""
    lines = []
    for seg in transcript["segments"]:
        text = " ".join(str(seg["text"]).split())
        lines.append(f"[{_clock(seg['start'])}] {text}" if timestamps else text)
    return "\n".join(lines) + "\n"


def to_srt(transcript: Mapping[str, Any]) -> str:
    """SubRip: numbered cues, comma before milliseconds."""
    cues = []
    for i, seg in enumerate(transcript["segments"], 1):
        span = f"{_stamp(seg['start'], ',')} --> {_stamp(seg['end'], ',')}"
        cues.append(f"{i}\n{span}\n{_cue_text(seg['text'])}\n")
    return "\n".join(cues)


def to_vtt(transcript: Mapping[str, Any]) -> str:
    """WebVTT for the browser player's <track>."""
    cues = ["WEBVTT\n"]
    for seg in transcript["segments"]:
        span = f"{_stamp(seg['start'], '.')} --> {_stamp(seg['end'], '.')}"
        cues.append(f"{span}\n{_cue_text(seg['text'])}\n")
    return "\n".join(cues)


def _header_rows(transcript: Mapping[str, Any], fields: Mapping[str, str]) -> list[tuple[str, str]]:
    rows = list(fields.items())
    rows.append(("Язык / Тіл / Language", str(transcript.get("language") or "—")))
    if transcript.get("duration") is not None:
        rows.append(("Длительность / Ұзақтығы / Duration", _clock(transcript["duration"])))
    derivation = transcript.get("derivation") or {}
    if derivation:
        rows.append(("Модель / Model", f"{derivation.get('tool')} {derivation.get('model')}"))
    return rows


def write_docx(
    transcript: Mapping[str, Any],
    *,
    output: Path | str,
    title: str = "Протокол (черновик расшифровки)",
    fields: Mapping[str, str] | None = None,
) -> None:
    """Protocol draft in Word format: header table (case, item, ...), then timed lines.

    `fields` are caller-supplied header rows such as {"ЕРДР №": "...", "Файл": "..."}.
    """
    import docx
    from docx.shared import Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    document.add_heading(title, level=1)
    document.add_paragraph(DRAFT_NOTICE).runs[0].italic = True
    rows = _header_rows(transcript, fields or {})
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (key, value) in zip(table.rows, rows, strict=True):
        row.cells[0].text, row.cells[1].text = key, value
    document.add_paragraph()
    for seg in transcript["segments"]:
        para = document.add_paragraph()
        para.add_run(f"[{_clock(seg['start'])}] ").bold = True
        para.add_run(" ".join(str(seg["text"]).split()))
    document.save(str(output))


def write_pdf(
    transcript: Mapping[str, Any],
    *,
    output: Path | str,
    title: str = "Протокол (черновик расшифровки)",
    fields: Mapping[str, str] | None = None,
    font_paths: Sequence[Path] = (DEJAVU, DEJAVU_BOLD),
) -> None:
    """Protocol draft as PDF with an embedded DejaVu font (Cyrillic and Kazakh letters)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    regular, bold = font_paths
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 5, DRAFT_NOTICE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 10)
    for key, value in _header_rows(transcript, fields or {}):
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(70, 6, key, border=1)
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, value, border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for seg in transcript["segments"]:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(22, 6, f"[{_clock(seg['start'])}]")
        pdf.set_font("DejaVu", "", 10)
        text = " ".join(str(seg["text"]).split()) or "…"
        pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.output(str(output))
