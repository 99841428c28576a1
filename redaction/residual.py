"""Residual check: read every redacted output back and block release while data leaks.

The output is read the way a recipient would: text as text, pages and frames through
OCR (``ingest.media.ocr``), PDFs through pdftotext (a hidden text layer), audio by its
samples, video frames through the face detector. A value a prosecutor approved for
removal that can still be read is *blocking*; what the analyzer finds anew (a rejected
proposal, an OCR artefact) is a *warning* for the reviewer. The report is stored on
the plan and shown to the reviewer; a plan that fails is never marked releasable.

What is read back is compared with every approved value after look-alike normalisation
(``normalise_lookalikes``): OCR reads Latin letters as Cyrillic ones and back («123АВСО2»
for ``123ABC02``, «К2187…» for ``KZ187…``), O for 0, I, l or | for 1, and spaces where
there were none. A finding of the analyzer in the output that is one of the approved
values (after the same normalisation) blocks as well: a warning never releases a value
the reviewer decided to hide.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlmodel import Session

from evidence.errors import NotFound, render
from evidence.i18n import N_
from evidence.models import Item
from redaction.models import RedactionPlan
from redaction.render.audio import TONE_HZ

_SPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w]+")
# Residual speech inside a hidden range, after the bleep tone is removed: PCM output is
# exact (~-100 dBFS); AAC in video smears ~20 ms at the edges, so its bar is lower.
MAX_RESIDUAL_DBFS = {"wav": -45.0, "mp4": -30.0}
MAX_FRAMES = 12


# Look-alikes, after casefolding: Cyrillic letters that look like Latin ones become
# Latin, and letters that look like digits become digits (on both sides of a comparison,
# so only ever more is found). One character for one.
_LOOKALIKES = str.maketrans("авекмнорстухіјѕүһё", "abekmhopctyxijsyhe")
_DIGITISH = str.maketrans("oil|zs", "011125")


def normalise_lookalikes(text: str) -> str:
    """``text`` casefolded, look-alike letters mapped (Cyrillic → Latin, O → 0, I/l/| → 1,
    Z → 2, S → 5) and every run of spaces and punctuation removed.

    The skeleton that the residual check compares: «123 АВС О2» and ``123ABC02`` have
    the same one, and so do «К2187225…» and ``KZ187225…``.
    """
    return _NOT_WORD.sub("", _skeleton(text)).replace("_", "")


def _skeleton(text: str) -> str:
    return text.casefold().translate(_LOOKALIKES).translate(_DIGITISH)


def _norm(text: str) -> str:
    return _SPACE.sub(" ", _NOT_WORD.sub(" ", _skeleton(text))).strip()


def _digit_lines(text: str) -> list[str]:
    return ["".join(ch for ch in line if ch.isdigit()) for line in text.splitlines()]


def leaked_values(*, text: str, values: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Approved values still readable in ``text``.

    Numbers are compared by their digits within a line (OCR and layout change
    separators), and identifiers (anything with a digit) also by their look-alike
    skeleton within a line; words by their look-alike-normalised letters at word
    boundaries, anywhere.
    """
    norm = f" {_norm(text)} "
    lines = _digit_lines(text)
    skeleton_lines = [normalise_lookalikes(line) for line in text.splitlines()]
    leaks = []
    for value in values:
        raw = str(value["text"])
        digits = "".join(ch for ch in raw if ch.isdigit())
        if value["entity_type"] == "PHONE_NUMBER":
            digits = digits[-10:]  # +7 701 ... and 8 701 ... are the same number
        skeleton = normalise_lookalikes(raw)
        if value["entity_type"] == "PHONE_NUMBER" and len(skeleton) > 10:
            skeleton = skeleton[-10:]
        if len(digits) >= 6 and len(digits) >= len(_NOT_WORD.sub("", raw)) // 2:
            hit = any(digits in line for line in lines)
        else:
            needle = _norm(raw)
            hit = len(needle) >= 3 and f" {needle} " in norm
        if not hit and digits and len(skeleton) >= 5:
            hit = any(skeleton in line for line in skeleton_lines)
        if hit:
            leaks.append(
                {"number": value.get("number"), "entity_type": value["entity_type"], "text": raw}
            )
    return leaks


def analyzer_warnings(*, text: str, language: str) -> list[dict[str, Any]]:
    """What the analyzer still proposes in the output (for the reviewer, not blocking)."""
    if not text.strip():
        return []
    from redaction.analyzer import analyze_text

    found = analyze_text(text=text, language=language if language in ("kk", "ru", "en") else "auto")
    return [{"entity_type": f.entity_type, "text": f.text, "score": f.score} for f in found][:50]


def _detail(template: str, **params: Any) -> dict[str, Any]:
    """A problem's description: the English sentence, and its template and parameters so
    the review page can show it in the reader's language."""
    return {"detail": render(template, params), "template": template, "params": params}


class Report:
    """Accumulates checks; ``as_dict`` is stored on the plan."""

    def __init__(self) -> None:
        self.checks: list[dict[str, Any]] = []
        self.blocking: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []

    def check(self, name: str, problems: Sequence[dict[str, Any]], **facts: Any) -> None:
        self.checks.append({"name": name, "passed": not problems, **facts})
        self.blocking.extend({"check": name, **p} for p in problems)

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": not self.blocking,
            "checks": self.checks,
            "blocking": self.blocking,
            "warnings": self.warnings,
        }


def refound_values(
    *, warnings: Sequence[dict[str, Any]], values: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The analyzer's findings in the output that are approved values read back.

    Compared by look-alike skeleton, either way round: an OCR line that cut the value
    short or ran it on into its neighbour is still that value.
    """
    skeletons = [(v, normalise_lookalikes(str(v["text"]))) for v in values]
    leaks = []
    for warning in warnings:
        found = normalise_lookalikes(str(warning.get("text") or ""))
        if len(found) < 5:
            continue
        for value, skeleton in skeletons:
            if len(skeleton) >= 5 and (skeleton in found or found in skeleton):
                leaks.append(
                    {"number": value.get("number"), "entity_type": value["entity_type"],
                     "text": str(value["text"]), "read": str(warning.get("text"))}
                )  # fmt: skip
                break
    return leaks


def _check_read_back(
    report: Report, name: str, text: str, values: Sequence[dict[str, Any]], language: str,
    leaks: list[dict[str, Any]] | None = None, **facts: Any,
) -> None:  # fmt: skip
    """Blocking: approved values readable in ``text`` (``leaks`` if already found),
    or found again by the analyzer; the analyzer's other findings are warnings."""
    leaks = leaked_values(text=text, values=values) if leaks is None else leaks
    warnings = analyzer_warnings(text=text, language=language)
    known = {leak.get("number") for leak in leaks}
    refound = refound_values(warnings=warnings, values=values)
    leaks += [leak for leak in refound if leak["number"] not in known]
    report.check(name, leaks, **facts)
    report.warnings.extend(warnings)


def check_text(
    report: Report,
    *,
    text: str,
    values: Sequence[dict[str, Any]],
    language: str,
    name: str = "text",
) -> None:
    _check_read_back(report, name, text, values, language)


def _ocr_pages(path: Path, *, pdf: bool) -> list[tuple[int, str]]:
    from ingest.media.ocr import ocr_image, ocr_pdf

    result = ocr_pdf(path=path, force_ocr=True) if pdf else ocr_image(path=path)
    return [(p.number, p.text) for p in result.pages]


def check_pages(
    report: Report, *, path: Path, pdf: bool, values: Sequence[dict[str, Any]], language: str
) -> None:
    """OCR each output page; look for a text layer and metadata that should not be there."""
    leaks = []
    all_text = []
    for number, text in _ocr_pages(path, pdf=pdf):
        all_text.append(text)
        leaks += [{**leak, "page": number} for leak in leaked_values(text=text, values=values)]
    _check_read_back(
        report, "ocr", "\n".join(all_text), values, language, leaks=leaks, pages=len(all_text)
    )
    if pdf:
        hidden = subprocess.run(
            ["pdftotext", "-raw", str(path), "-"], capture_output=True, timeout=600
        )
        layer = hidden.stdout.decode(errors="replace").strip()
        leftover = [_detail(N_("hidden text: %(text)r"), text=layer[:80])] if layer else []
        report.check("text_layer", leftover)
        import pikepdf

        with pikepdf.open(path) as doc:
            keys = [k for k in ("/Info", "/Metadata") if k in doc.trailer or k in doc.Root]
        report.check("metadata", [_detail(N_("the PDF keeps %(key)s"), key=k) for k in keys])
    else:
        from PIL import Image

        with Image.open(path) as image:
            extra = sorted(k for k in image.info if k not in ("dpi",))
        report.check("metadata", [_detail(N_("the image keeps %(key)s"), key=k) for k in extra])


def _samples(path: Path, start: float, end: float) -> tuple[np.ndarray, int]:
    rate = 16000 if path.suffix == ".mp4" else 0
    cmd = [
        "ffmpeg",
        "-v",
        "error",
        "-nostdin",
        "-ss",
        f"{start:.6f}",
        "-to",
        f"{end:.6f}",
        "-i",
        str(path),
    ]
    if rate:
        cmd += ["-ar", str(rate)]
    probe = json.loads(
        subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-select_streams",
                "a:0",
                "-show_streams",
                "-of",
                "json",
                str(path),
            ],
            capture_output=True,
            timeout=60,
        ).stdout
        or b"{}"
    )
    streams = probe.get("streams") or [{}]
    rate = rate or int(streams[0].get("sample_rate") or 16000)
    cmd += ["-ac", "1", "-f", "f64le", "-"]
    raw = subprocess.run(cmd, capture_output=True, timeout=600).stdout
    return np.frombuffer(raw, np.float64), rate


def residual_dbfs(samples: np.ndarray, rate: int) -> float:
    """RMS (dBFS) of what is left after removing the best-fitting bleep tone."""
    if samples.size == 0:
        return -200.0
    t = np.arange(samples.size) / rate
    basis = np.stack([np.sin(2 * np.pi * TONE_HZ * t), np.cos(2 * np.pi * TONE_HZ * t)], axis=1)
    coef, *_ = np.linalg.lstsq(basis, samples, rcond=None)
    rest = samples - basis @ coef
    rms = float(np.sqrt(np.mean(rest**2)))
    return float(20 * np.log10(max(rms, 1e-10)))


def check_audio(report: Report, *, path: Path, ranges: Sequence[tuple[float, float]]) -> None:
    """Inside each hidden range only silence or the tone may remain."""
    limit = MAX_RESIDUAL_DBFS["mp4" if path.suffix == ".mp4" else "wav"]
    margin = 0.03 if path.suffix == ".mp4" else 0.0
    problems = []
    worst = -200.0
    for start, end in ranges:
        if end - start <= 2 * margin + 0.01:
            continue
        samples, rate = _samples(path, start + margin, end - margin)
        level = residual_dbfs(samples, rate)
        worst = max(worst, level)
        if level > limit:
            problems.append(
                {"start": start, "end": end}
                | _detail(N_("speech at %(level).1f dBFS"), level=level)
            )
    report.check("audio", problems, ranges=len(ranges), worst_dbfs=round(worst, 1))


def _frame(path: Path, t: float, width: int, height: int) -> np.ndarray | None:
    cmd = [
        "ffmpeg", "-v", "error", "-nostdin", "-ss", f"{t:.4f}", "-i", str(path),
        "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "bgr24", "-",
    ]  # fmt: skip
    raw = subprocess.run(cmd, capture_output=True, timeout=120).stdout
    if len(raw) < width * height * 3:
        return None
    return np.frombuffer(raw[: width * height * 3], np.uint8).reshape(height, width, 3)


def _overlaps(face: tuple[float, ...], box: dict[str, Any], pad: float = 0.3) -> bool:
    x, y, w, h = face[:4]
    cx, cy = x + w / 2, y + h / 2
    bw, bh = box["width"], box["height"]
    return bool(
        box["left"] - pad * bw <= cx <= box["left"] + (1 + pad) * bw
        and box["top"] - pad * bh <= cy <= box["top"] + (1 + pad) * bh
    )


def check_video(
    report: Report,
    *,
    path: Path,
    tracks: Sequence[Sequence[dict[str, Any]]],
    ranges: Sequence[tuple[float, float]],
    language: str,
) -> None:
    """Faces where accepted tracks were, container metadata, OCR of a few frames, audio."""
    from redaction.faces import detect_faces, probe

    info = probe(path)
    scale = info.width / 640
    # Sample each track at its middle and its ends: the carried edges are the weak spots.
    samples = []
    for boxes in tracks:
        for b in (boxes[0], boxes[len(boxes) // 2], boxes[-1]):
            samples.append(b)
    samples = samples[:MAX_FRAMES]
    problems = []
    ocr_text = []
    import cv2

    for box in samples:
        frame = _frame(path, float(box["t"]), info.width, info.height)
        if frame is None:
            continue
        small = cv2.resize(frame, (640, round(info.height / scale)))
        for face in detect_faces(small):
            scaled = tuple(v * scale for v in face[:4])
            if _overlaps(scaled, box):
                problems.append({"t": box["t"]} | _detail(N_("a face is still detectable here")))
    report.check("faces", problems, frames=len(samples))
    for t in (info.duration / 3, 2 * info.duration / 3)[: 1 if samples else 2]:
        frame = _frame(path, t, info.width, info.height)
        if frame is not None:
            png = path.with_suffix(f".{int(t * 1000)}.png")
            cv2.imwrite(str(png), frame)
            ocr_text += [text for _, text in _ocr_pages(png, pdf=False)]
    report.warnings.extend(analyzer_warnings(text="\n".join(ocr_text), language=language))
    tags = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
            capture_output=True,
            timeout=60,
        ).stdout
    )
    allowed = {"major_brand", "minor_version", "compatible_brands", "handler_name", "language",
               "vendor_id", "encoder"}  # fmt: skip
    found = set((tags.get("format") or {}).get("tags") or {})
    for stream in tags.get("streams") or []:
        found |= set(stream.get("tags") or {})
    kept = [_detail(N_("the container keeps %(key)s"), key=k) for k in sorted(found - allowed)]
    report.check("metadata", kept)
    if ranges:
        check_audio(report, path=path, ranges=ranges)


def is_releasable(*, session: Session, item_id: str) -> bool:
    """True for a redacted derivative whose plan passed the residual check.

    For ``disclosure``: a redacted item is disclosable only through this gate.
    """
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound("no such item")
    plan_id = (item.derivation or {}).get("plan_id")
    if item.derivative_kind != "redacted" or not plan_id:
        return False
    plan = session.get(RedactionPlan, plan_id)
    return bool(plan and plan.releasable and item.id in (plan.derivative_id, plan.transcript_id))
