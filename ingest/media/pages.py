"""Page and word shapes shared by OCR and PDF text extraction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Word:
    """One word and its box: pixels at the page's dpi, origin top-left."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float  # 0-100; text-layer words are 100
    line: int  # running line number on the page, for rebuilding lines


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    source: str  # "ocr" or "text_layer"
    text: str
    words: list[Word]
    width: int  # pixels at dpi
    height: int
    dpi: int
    mean_confidence: float | None = None
