"""Text renderer: replace approved spans with typed placeholders or masks.

Placeholders name the type (``[ИИН]``, ``[ЛИЦО 1]``); people, places and organisations
are numbered so a reader can still follow who did what: the same person gets the same
number everywhere in one text, also in another grammatical case ("Ахметов Ерлан",
"Ахметову Ерлану"). Masks keep the text's length and line breaks, so offsets and word
timings of a transcript stay valid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from redaction.config import load_data
from redaction.errors import RedactionError
from redaction.policy import is_excluded_name


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
            raise RedactionError(f"span {start}-{end} is outside the text (length {text_length})")
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
    Labels come from ``data/labels.yaml`` in ``language`` (kk, ru, en).
    """
    if mode not in ("placeholder", "mask"):
        raise RedactionError(f"unknown render mode {mode!r}")
    data = load_data("labels.yaml")
    labels = data["labels"].get(language)
    if labels is None:
        raise RedactionError(f"no placeholder labels for language {language!r}")
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
            label = labels.get(entity, entity)
            if entity in numbered:
                label = f"{label} {numbering.number(entity, original)}"
            new = f"[{label}]"
        out.append(new)
        replacements.append(Replacement(start, end, length, length + len(new), entity, label))
        length += len(new)
        cursor = end
    out.append(text[cursor:])
    return RenderedText(text="".join(out), replacements=replacements)
