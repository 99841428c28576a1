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
