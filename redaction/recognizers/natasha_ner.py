"""Russian named entities from natasha/slovnet, whose weights ship inside the wheels.

Loaded once per process (about 1 s and 230 MB) and shared by every recognizer instance.
On Kazakh text the Russian model is noisy (greetings tagged as places), so there we keep
only PERSON spans of two or more capitalised words.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

from redaction.config import load_data
from redaction.errors import RedactionConfigError
from redaction.recognizers.base import Candidate, CandidateRecognizer

_PLACE_MARKER = re.compile(r"(?:^|\s)(?:г|с|п|пос|гор)\.\s?$")
# Kazakh case, plural and possessive endings: "Соттың" is "Сот" (court) + genitive,
# "Куәгерлер" is "Куәгер" (witness) + plural.
_KK_ENDINGS = (
    "тың",
    "тің",
    "дың",
    "дің",
    "ның",
    "нің",
    "қа",
    "ке",
    "ға",
    "ге",
    "ка",
    "та",
    "те",
    "ты",
    "ті",
    "ды",
    "ді",
    "ны",
    "ні",
    "да",
    "де",
    "нан",
    "нен",
    "дан",
    "ден",
    "тан",
    "тен",
    "пен",
    "бен",
    "мен",
    "лар",
    "лер",
    "дар",
    "дер",
    "тар",
    "тер",
    "ы",
    "і",
    "сы",
    "сі",
    "ына",
    "іне",
    "сына",
    "сіне",
    "ының",
    "інің",
    "сының",
    "сінің",
)


def _endings_of(word: str) -> list[str]:
    return [e for e in _KK_ENDINGS if word.endswith(e) and len(word) > len(e) + 2]


_WORDS = re.compile(r"\S+")
_TYPES = {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORGANIZATION"}
_lock = threading.Lock()
_models: dict[str, Any] = {}


def _load() -> dict[str, Any]:
    with _lock:
        if not _models:
            try:
                from natasha import NewsEmbedding, NewsNERTagger, Segmenter
            except ImportError as exc:  # an install without the natasha wheel
                raise RedactionConfigError("natasha is not installed") from exc
            embedding = NewsEmbedding()
            _models["segmenter"] = Segmenter()
            _models["ner"] = NewsNERTagger(embedding)
        return _models


class NatashaRecognizer(CandidateRecognizer):
    """PERSON, LOCATION and ORGANIZATION from slovnet NER (Russian model)."""

    ENTITIES = ("PERSON", "LOCATION", "ORGANIZATION")

    def __init__(self, *, language: str) -> None:
        super().__init__(language=language, context=[])
        self._strict = language != "ru"
        not_names = load_data("names.yaml")["not_names"]
        self._not_names = frozenset(not_names)
        # Long entries also match inflected forms (Конституциясының); short ones only
        # exactly, or "Сот" would strip "Сотников" and "Ислам" would strip "Исламов".
        self._not_name_stems = tuple(w for w in not_names if len(w) >= 7)

    def load(self) -> None:
        """Load the shared natasha models now instead of on the first text."""
        _load()

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield natasha spans (the caller sends 5-10 KB chunks)."""
        from natasha import Doc

        models = _load()
        doc = Doc(text)
        doc.segment(models["segmenter"])
        doc.tag_ner(models["ner"])
        for span in doc.spans:
            entity = _TYPES.get(span.type)
            if entity is None:
                continue
            # "г. Уштобе", "с. Акжар": a settlement marker before the span means a place.
            if entity != "LOCATION" and _PLACE_MARKER.search(
                text[max(0, span.start - 4) : span.start]
            ):
                entity = "LOCATION"
            start, stop = span.start, span.stop
            if entity == "PERSON":
                start, stop = self._trim(text, start, stop)
            if start >= stop:
                continue
            if self._strict and not _multiword_capitalised(text[start:stop], entity):
                continue
            yield Candidate(entity, start, stop, 0.85, f"natasha {span.type}")

    def _trim(self, text: str, start: int, stop: int) -> tuple[int, int]:
        """Drop role words (Куәгер, Допрошенная) and abbreviations (ҚР) at the edges.

        natasha often glues the role before a name, or the next words after it, into
        one PERSON span; the role must stay readable.
        """
        words = [(m.start() + start, m.end() + start) for m in _WORDS.finditer(text[start:stop])]

        def noise(span: tuple[int, int]) -> bool:
            word = text[span[0] : span[1]]
            abbreviation = word.isupper() and len(word) <= 3 and not word.endswith(".")
            bare = word.strip('.,:;«»"()')
            return (
                abbreviation
                or bare in self._not_names
                or bool(self._not_name_stems and bare.startswith(self._not_name_stems))
                or any(bare[: len(bare) - len(e)] in self._not_names for e in _endings_of(bare))
            )

        while words and noise(words[0]):
            words.pop(0)
        # A full name does not go on past a line break: the next line's first word
        # ("Шот" on an OCR page) is the start of something else.
        for i in range(2, len(words)):
            if "\n" in text[words[i - 1][1] : words[i][0]]:
                words = words[:i]
                break
        # After the name, everything from the first noise word on goes.
        for i, w in enumerate(words):
            if noise(w):
                words = words[:i]
                break
        return (words[0][0], words[-1][1]) if words else (start, start)


def _multiword_capitalised(value: str, entity: str) -> bool:
    words = value.split()
    return entity == "PERSON" and len(words) >= 2 and all(w[:1].isupper() for w in words)
