"""Text renderer: approved spans → typed placeholders or masks (``redaction.render_text``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redaction.render_text import render_text


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    entity_type: str


def render_plain_text(
    *, text: str, spans: Sequence[dict[str, Any]], language: str, mode: str
) -> tuple[str, list[dict[str, Any]]]:
    """Redacted text and one ``{start, end, label}`` per replaced span (output offsets).

    ``language`` "auto" labels in Russian, the common language of case files.
    """
    language = language if language in ("kk", "ru", "en") else "ru"
    items: list[Any] = [_Span(int(s["start"]), int(s["end"]), str(s["entity_type"])) for s in spans]
    rendered = render_text(
        text=text,
        spans=items,
        language=language,
        mode=mode,
    )
    return rendered.text, [
        {"start": r.start, "end": r.end, "entity_type": r.entity_type, "label": r.label}
        for r in rendered.replacements
    ]


def decode_text(data: bytes) -> str:
    """The text of a text/* item, decoded the same way for analysis and rendering.

    UTF-8 (a BOM is dropped), else Windows-1251; the same bytes always give the same
    text, so offsets computed at analysis still match at render time.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Russian/Kazakh office exports are Windows-1251; it decodes any byte.
        return data.decode("cp1251", errors="replace")


def render_transcript(
    *,
    text: str,
    words: Sequence[dict[str, Any]],
    spans: Sequence[dict[str, Any]],
    language: str,
    mode: str,
) -> tuple[dict[str, Any], str]:
    """The redacted transcript in the API's shape, and its plain text for the check.

    ``text`` is the analysed transcript (one line per segment, ``plans.transcript_text``);
    each output segment keeps its time range but no word timings (the words inside a
    placeholder are gone). A span that crossed a segment boundary joins two lines; then
    the whole transcript becomes one segment rather than misaligning times.
    """
    redacted, _ = render_plain_text(text=text, spans=spans, language=language, mode=mode)
    lines = redacted.split("\n")
    times: list[tuple[float, float]] = []
    cursor = 0
    for source_line in text.split("\n"):
        end = cursor + len(source_line)
        inside = [w for w in words if cursor <= w["start"] < end]
        if inside:
            times.append((min(w["t0"] for w in inside), max(w["t1"] for w in inside)))
        cursor = end + 1
    if len(lines) != len(times):
        lines = [" ".join(lines)]
        times = [(times[0][0], times[-1][1])] if times else [(0.0, 0.0)]
    segments = [
        {"start": t0, "end": t1, "text": piece}
        for piece, (t0, t1) in zip(lines, times, strict=True)
    ]
    return {"language": language, "segments": segments, "redacted": True}, redacted
