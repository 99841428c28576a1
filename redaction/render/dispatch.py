"""Pick the renderer for an item and turn accepted proposals into its inputs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redaction.render.audio import RenderError, merge_ranges, render_audio
from redaction.render.document import render_document
from redaction.render.image import render_image
from redaction.render.text import decode_text, render_plain_text
from redaction.render.video import render_video

TOOL = "dalel-redaction"
VERSION = "1"


@dataclass(slots=True)
class Targets:
    """Accepted proposals sorted by what a renderer needs."""

    spans: list[dict[str, Any]] = field(default_factory=list)
    boxes: list[dict[str, Any]] = field(default_factory=list)
    ranges: list[tuple[float, float]] = field(default_factory=list)
    tracks: list[list[dict[str, Any]]] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)  # text hidden, for the check


def collect(accepted: Sequence[dict[str, Any]]) -> Targets:
    """Spans, page/frame boxes, time ranges and tracks of the accepted proposals."""
    out = Targets()
    for p in accepted:
        target = p["target"]
        kind = target.get("kind")
        if kind == "span":
            out.spans.append({**target, "entity_type": p["entity_type"]})
        elif kind == "box":
            # A reviewer's (or detector's) box is burned as drawn, a word box padded.
            out.boxes.append({**target, "exact": True})
        elif kind == "time":
            out.ranges.append((float(target["start"]), float(target["end"])))
        elif kind == "track":
            out.tracks.append(list(target["boxes"]))
        for region in p.get("regions") or []:
            if region["kind"] == "box":
                out.boxes.append(region)
            elif region["kind"] == "time":
                out.ranges.append((float(region["start"]), float(region["end"])))
        if p.get("text"):
            out.values.append(
                {"number": p["number"], "entity_type": p["entity_type"], "text": p["text"]}
            )
    return out


@dataclass(slots=True)
class Rendered:
    path: Path
    name: str
    facts: dict[str, Any]
    text: str | None = None  # redacted text, for text items
    ranges: list[tuple[float, float]] = field(default_factory=list)


def supported(media_type: str) -> bool:
    """Whether some renderer can produce a redacted copy of this media type."""
    return media_type == "application/pdf" or media_type.startswith(
        ("text/", "image/", "audio/", "video/")
    )


def output_name(original: str, extension: str) -> str:
    stem = original.rsplit(".", 1)[0] if "." in original else original
    return f"{stem}.redacted{extension}"


def render(
    *,
    kind: str,
    media_type: str,
    src: Path,
    folder: Path,
    original_name: str,
    targets: Targets,
    media: dict[str, Any],
    language: str,
    mode: str,
    audio_mode: str,
) -> Rendered:
    """Render ``src`` into ``folder``; the kind of output follows the kind of input."""
    if kind == "text":
        text, replaced = render_plain_text(
            text=decode_text(src.read_bytes()), spans=targets.spans, language=language, mode=mode
        )
        dst = folder / "out.txt"
        dst.write_text(text, encoding="utf-8")
        facts = {"format": "text", "mode": mode, "replacements": len(replaced)}
        return Rendered(dst, output_name(original_name, ".txt"), facts, text=text)
    if media_type == "application/pdf":
        dst = folder / "out.pdf"
        facts = render_document(src=src, dst=dst, boxes=targets.boxes, pages=media.get("pages", []))
        return Rendered(dst, output_name(original_name, ".pdf"), facts)
    if media_type.startswith("image/"):
        dst = folder / "out.png"
        return Rendered(
            dst,
            output_name(original_name, ".png"),
            render_image(src=src, dst=dst, boxes=targets.boxes),
        )
    ranges = merge_ranges(targets.ranges)
    if media_type.startswith("video/"):
        dst = folder / "out.mp4"
        facts = render_video(
            src=src, dst=dst, tracks=targets.tracks, boxes=targets.boxes,
            audio_ranges=ranges, audio_mode=audio_mode,
        )  # fmt: skip
        return Rendered(dst, output_name(original_name, ".mp4"), facts, ranges=ranges)
    if media_type.startswith("audio/"):
        dst = folder / "out.wav"
        render_audio(src=src, dst=dst, ranges=ranges, mode=audio_mode)
        facts = {"format": "wav", "ranges": len(ranges), "audio": audio_mode}
        return Rendered(dst, output_name(original_name, ".wav"), facts, ranges=ranges)
    raise RenderError("no renderer for %(type)s", type=media_type)
