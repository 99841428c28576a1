"""What an analysis reads: the item's text, pages or transcript, and for video the face
and plate tracks; and what it proposes.

``build_source`` makes the analysed source (a ``RedactionSource``) and the face/plate
proposals; ``proposals`` adds the analyzer's findings on the text and numbers them.
Video needs a scan of every frame, which takes about twice the video's duration, so
``in_background`` sends it to a ``redact`` job; everything else is analysed at once.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlmodel import Session, select

from custody.events import utc_now
from evidence.models import Blob, Item
from evidence.service import materialize
from evidence.storage import ObjectStore
from redaction.errors import UnsupportedLanguageError
from redaction.models import Decision, RedactionSource, SourceKind
from redaction.plans import IndexedText, pages_text, regions_for_span, transcript_text
from redaction.render import dispatch
from redaction.render.audio import RenderError
from redaction.render.text import decode_text

LANGUAGES = ("kk", "ru", "en")
# Media types whose analysis scans frames: slow, so a job does it.
BACKGROUND_PREFIXES = ("video/",)


def in_background(media_type: str) -> bool:
    """Whether analysing (and rendering) this media type is left to a job."""
    return media_type.startswith(BACKGROUND_PREFIXES)


def check_request(*, media_type: str, language: str) -> None:
    """Refuse, before anything is recorded, what no analysis or renderer can handle."""
    if not dispatch.supported(media_type):
        # Refuse before anyone reviews a plan that could never be rendered.
        raise RenderError(
            "no redaction renderer for %(type)s; convert it to PDF first", type=media_type
        )
    if language != "auto" and language not in LANGUAGES:
        raise UnsupportedLanguageError(
            "language %(language)r is not one of %(languages)s",
            language=language,
            languages=", ".join(LANGUAGES),
        )


def suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[1].lower() if "." in name else ""


def _ingest_rows(session: Session, table: str, item_id: str) -> list[Any]:
    """Transcript (latest version) or text pages of an item, when ingest has made them."""
    try:
        from ingest.models import MediaInfo, TextPage, Transcript
    except ImportError:
        return []
    if not inspect(session.connection()).has_table(table):
        return []
    if table == "media_info":
        return [r for r in [session.get(MediaInfo, item_id)] if r is not None]
    if table == "transcript":
        query = select(Transcript).where(Transcript.item_id == item_id)
        row = session.exec(query.order_by(Transcript.version.desc())).first()  # type: ignore[attr-defined]
        return [row] if row is not None else []
    pages = select(TextPage).where(TextPage.item_id == item_id).order_by(TextPage.page)  # type: ignore[arg-type]
    return list(session.exec(pages))


def media_type_of(session: Session, item: Item, blob: Blob) -> str:
    """Media type by content (ingest's detection when present), else by the file name.

    The vault sniffs magic bytes only, so plain text arrives as octet-stream.
    """
    rows = _ingest_rows(session, "media_info", item.id)
    if rows and rows[0].media_type:
        return str(rows[0].media_type)
    if blob.media_type != "application/octet-stream":
        return blob.media_type
    guessed, _ = mimetypes.guess_type(item.original_name)
    return guessed or blob.media_type


def _ocr(path: Path, media_type: str) -> tuple[IndexedText, list[dict[str, Any]]]:
    from ingest.media.ocr import ocr_image, ocr_pdf

    result = ocr_pdf(path=path) if media_type == "application/pdf" else ocr_image(path=path)
    pages = [
        {
            "page": p.number,
            "words": [_word(w) for w in p.words],
        }
        for p in result.pages
    ]
    geometry = [
        {"page": p.number, "width": p.width, "height": p.height, "dpi": p.dpi} for p in result.pages
    ]
    return pages_text(pages), geometry


def _word(word: Any) -> dict[str, Any]:
    keys = ("text", "left", "top", "width", "height", "line")
    return {k: getattr(word, k) for k in keys}


def build_source(
    *, session: Session, store: ObjectStore, item: Item, blob: Blob, language: str, actor: Any
) -> tuple[RedactionSource, list[dict[str, Any]]]:
    """The analysed text and geometry of an item, and the face/plate proposals."""
    media_type = media_type_of(session, item, blob)
    check_request(media_type=media_type, language=language)
    media: dict[str, Any] = {"media_type": media_type}
    kind = SourceKind.MEDIA
    indexed = IndexedText("", [])
    tracks: list[dict[str, Any]] = []
    transcript = _ingest_rows(session, "transcript", item.id)
    pages = [] if transcript else _ingest_rows(session, "text_page", item.id)
    if transcript:
        kind, indexed = SourceKind.TRANSCRIPT, transcript_text(transcript[0].segments)
        if language == "auto" and transcript[0].language in LANGUAGES:
            language = transcript[0].language
    elif pages:
        kind = SourceKind.PAGES
        indexed = pages_text({"page": p.page, "words": p.words} for p in pages)
        media["pages"] = [
            {"page": p.page, "width": p.width, "height": p.height, "dpi": p.dpi} for p in pages
        ]
    # Images are always read: faces and plates are looked for in the pixels.
    needs_bytes = media_type.startswith(("text/", "video/", "image/")) or (
        kind is SourceKind.MEDIA and media_type == "application/pdf"
    )
    if needs_bytes:
        with materialize(
            session=session, store=store, item_id=item.id, purpose="redaction.analyse",
            actor=actor, suffix=suffix(item.original_name),
        ) as (_, _, path):  # fmt: skip
            if media_type.startswith("text/"):
                kind, indexed = SourceKind.TEXT, IndexedText(decode_text(path.read_bytes()), [])
            elif media_type.startswith("video/"):
                tracks = _scan(path, media)
            else:
                if kind is SourceKind.MEDIA:
                    kind = SourceKind.PAGES
                    indexed, media["pages"] = _ocr(path, media_type)
                if media_type.startswith("image/"):
                    tracks = image_detections(path, media)
    source = RedactionSource(
        item_id=item.id, kind=kind, language=language, text=indexed.text, words=indexed.words,
        media=media, created_at=utc_now(),
    )  # fmt: skip
    return source, tracks


def _scan(path: Path, media: dict[str, Any]) -> list[dict[str, Any]]:
    from redaction.faces import face_detector_name, scan_video

    info, faces, plates = scan_video(path=path)
    media["video"] = {
        "width": info.width,
        "height": info.height,
        "fps": info.fps,
        "duration": info.duration,
    }
    media["detector"] = face_detector_name()
    from redaction import analyzer  # Presidio pulls spaCy and torch: load on first use

    rows = []
    for entity, source, found in (("FACE", "face", faces), ("KZ_VEHICLE_PLATE", "plate", plates)):
        for track in found:
            rows.append(
                {"entity_type": entity, "score": round(track.score, 3), "source": source,
                 "reason": analyzer.reason_code(entity_type=entity),
                 "decision": str(Decision.PENDING),
                 "text": None, "target": track.as_target(), "regions": [], "note": None}
            )  # fmt: skip
    return rows


# Detection runs on the image scaled to at most this many pixels on its long side: the
# face network and the plate cascade cost grows with the area, and faces smaller than a
# few pixels at that size are not recognisable anyway.
DETECT_SIDE = 1280
# Grown on each side by this share of the box: hair, ears and a plate's frame.
IMAGE_MARGIN = 0.15


def image_detections(path: Path, media: dict[str, Any]) -> list[dict[str, Any]]:
    """Faces and licence plates in an image, with the video's detectors, as box
    proposals on page 1 in the page's pixels (the upright image, as the OCR saw it)."""
    import numpy as np
    from PIL import Image, ImageOps

    from redaction import analyzer
    from redaction.faces import detect_faces, detect_plates, face_detector_name

    with Image.open(path) as original:
        upright = ImageOps.exif_transpose(original).convert("RGB")
    pages = media.get("pages") or [{"width": upright.width, "height": upright.height}]
    page_w = int(pages[0].get("width") or upright.width)
    page_h = int(pages[0].get("height") or upright.height)
    shrink = min(1.0, DETECT_SIDE / max(upright.size))
    if shrink < 1.0:
        size = (max(1, round(upright.width * shrink)), max(1, round(upright.height * shrink)))
        upright = upright.resize(size, Image.Resampling.BILINEAR)
    frame = np.ascontiguousarray(np.asarray(upright)[:, :, ::-1])  # RGB → BGR
    media["detector"] = face_detector_name()
    sx, sy = page_w / upright.width, page_h / upright.height
    rows = []
    found = [("FACE", "face", d) for d in detect_faces(frame)]
    found += [("KZ_VEHICLE_PLATE", "plate", d) for d in detect_plates(frame)]
    for entity, source, (x, y, w, h, score) in found:
        mx, my = w * IMAGE_MARGIN, h * IMAGE_MARGIN
        left, top = max(0, int((x - mx) * sx)), max(0, int((y - my) * sy))
        right = min(page_w, int((x + w + mx) * sx + 0.999))
        bottom = min(page_h, int((y + h + my) * sy + 0.999))
        if right - left < 2 or bottom - top < 2:
            continue
        target = {"kind": "box", "page": 1, "left": left, "top": top,
                  "width": right - left, "height": bottom - top}  # fmt: skip
        rows.append(
            {"entity_type": entity, "score": round(float(score), 3), "source": source,
             "reason": analyzer.reason_code(entity_type=entity),
             "decision": str(Decision.PENDING), "text": None, "target": target,
             "regions": [], "note": None,
             "explanation": "face detector" if source == "face" else "plate detector"}
        )  # fmt: skip
    return rows


def proposals(
    *, source: RedactionSource, rows: list[dict[str, Any]], entities: list[str] | None
) -> list[dict[str, Any]]:
    """The face/plate rows plus the analyzer's findings on the source text, numbered."""
    rows = list(rows)
    if source.text:
        from redaction import analyzer  # Presidio pulls spaCy and torch: load on first use

        found = analyzer.analyze_text(text=source.text, language=source.language, entities=entities)
        for f in found:
            rows.append(
                {"entity_type": f.entity_type, "score": f.score, "source": "analyzer",
                 "reason": f.reason, "decision": str(Decision.PENDING), "text": f.text,
                 "target": {"kind": "span", "start": f.start, "end": f.end},
                 "regions": regions_for_span(words=source.words, start=f.start, end=f.end),
                 "note": None, "explanation": f.explanation or None}
            )  # fmt: skip
    rows.sort(key=lambda r: (r["target"].get("start", 0), r["target"].get("t_start", 0)))
    for number, row in enumerate(rows, start=1):
        row["number"] = number
    return rows
