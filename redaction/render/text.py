"""Text renderer: replace approved spans with typed placeholders or masks.

Placeholders name the type (``[ИИН]``, ``[ЛИЦО 1]``); people, places and organisations
are numbered so a reader can still follow who did what: the same person gets the same
number everywhere in one text, also in another grammatical case ("Ахметов Ерлан",
"Ахметову Ерлану"). Masks keep the text's length and line breaks, so offsets and word
timings of a transcript stay valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from redaction.config import load_data
from redaction.errors import RedactionError
from redaction.language import detect_language
from redaction.overlaps import is_excluded_name


class SpanLike(Protocol):
    """Anything with ``start``, ``end`` and ``entity_type`` (e.g. ``Finding``)."""

    start: int
    end: int
    entity_type: str


@dataclass(frozen=True, slots=True)
class Replacement:
    """Where a source span went: its range in the source and in the output, and label."""

    source_start: int
    source_end: int
    start: int
    end: int
    entity_type: str
    label: str


@dataclass(frozen=True, slots=True)
class RenderedText:
    """The redacted text and one ``Replacement`` per merged span, in order."""

    text: str
    replacements: list[Replacement]


def _merge(text_length: int, spans: Iterable[SpanLike]) -> list[tuple[int, int, str]]:
    # Overlapping spans become one; the longest contributor names the type.
    ordered = sorted(((s.start, s.end, s.entity_type) for s in spans), key=lambda s: (s[0], -s[1]))
    merged: list[tuple[int, int, str]] = []
    for start, end, entity in ordered:
        if not 0 <= start < end <= text_length:
            raise RedactionError(
                "span %(start)s-%(end)s is outside the text (length %(length)s)",
                start=start,
                end=end,
                length=text_length,
            )
        if merged and start < merged[-1][1]:
            last = merged[-1]
            longer = entity if end - start > last[1] - last[0] else last[2]
            merged[-1] = (last[0], max(last[1], end), longer)
        else:
            merged.append((start, end, entity))
    return merged


class _Numbering:
    """Stable numbers per type: same name (up to declension) → same number."""

    def __init__(self) -> None:
        self._seen: dict[str, list[str]] = {}

    def number(self, entity: str, value: str) -> int:
        names = self._seen.setdefault(entity, [])
        key = " ".join(value.split())
        for i, known in enumerate(names):
            if key.lower() == known.lower() or is_excluded_name(value=key, exclude_names=[known]):
                return i + 1
        names.append(key)
        return len(names)


# Fewer letters than this on the span's line (outside the span): look further around.
_ENOUGH_LETTERS = 20
_AROUND = 300


def span_language(text: str, start: int, end: int) -> str:
    """The language ("kk", "ru" or "en") of the text a span replaces.

    Read from the span's line without the span itself (a Kazakh name in a Russian
    sentence is still a Russian sentence); a short line ("ИИН 8704…") is read together
    with up to 300 characters on either side.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    around = text[line_start:start] + " " + text[end:line_end]
    if sum(ch.isalpha() for ch in around) < _ENOUGH_LETTERS:
        around = text[max(0, start - _AROUND) : start] + " " + text[end : end + _AROUND]
    return detect_language(text=around)


def render_text(
    *,
    text: str,
    spans: Iterable[SpanLike],
    language: str = "ru",
    mode: str = "placeholder",
    mask_char: str = "█",
) -> RenderedText:
    """Return ``text`` with every span replaced (``mode`` "placeholder" or "mask").

    Spans are the approved ones of a redaction plan; overlapping spans are merged.
    Labels come from ``data/labels.yaml`` in ``language`` (kk, ru, en), or with "auto"
    in the language of the text around each span (``span_language``): a Kazakh
    statement quoted in a Russian protocol gets «[ТҰЛҒА 1]», the protocol «[ЛИЦО 2]».
    """
    if mode not in ("placeholder", "mask"):
        raise RedactionError("unknown render mode %(mode)r", mode=mode)
    data = load_data("labels.yaml")
    if language != "auto" and language not in data["labels"]:
        raise RedactionError("no placeholder labels for language %(language)r", language=language)
    numbered = set(data["numbered"])
    numbering = _Numbering()
    out: list[str] = []
    replacements: list[Replacement] = []
    cursor = length = 0
    for start, end, entity in _merge(len(text), spans):
        out.append(text[cursor:start])
        length += start - cursor
        original = text[start:end]
        if mode == "mask":
            # Keep line breaks so that line-based layouts and offsets survive.
            new = "".join(ch if ch in "\r\n" else mask_char for ch in original)
            label = entity
        else:
            lang = span_language(text, start, end) if language == "auto" else language
            label = data["labels"][lang].get(entity, entity)
            if entity in numbered:
                label = f"{label} {numbering.number(entity, original)}"
            new = f"[{label}]"
        out.append(new)
        replacements.append(Replacement(start, end, length, length + len(new), entity, label))
        length += len(new)
        cursor = end
    out.append(text[cursor:])
    return RenderedText(text="".join(out), replacements=replacements)


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    entity_type: str


def render_plain_text(
    *, text: str, spans: Sequence[dict[str, Any]], language: str, mode: str
) -> tuple[str, list[dict[str, Any]]]:
    """Redacted text and one ``{start, end, label}`` per replaced span (output offsets).

    ``language`` "auto" (or any other than kk, ru, en) labels each span in the language
    of the text around it.
    """
    language = language if language in ("kk", "ru", "en") else "auto"
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
