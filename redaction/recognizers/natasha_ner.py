"""Russian named entities from natasha/slovnet, whose weights ship inside the wheels.

Loaded once per process (about 1 s and 230 MB) and shared by every recognizer instance.
On Kazakh text the Russian model is noisy (greetings tagged as places), so there we keep
only PERSON spans of two or more capitalised words.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from redaction.errors import RedactionConfigError
from redaction.recognizers.base import Candidate, CandidateRecognizer

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
            if self._strict and not _multiword_capitalised(span.text, entity):
                continue
            yield Candidate(entity, span.start, span.stop, 0.85, f"natasha {span.type}")


def _multiword_capitalised(value: str, entity: str) -> bool:
    words = value.split()
    return entity == "PERSON" and len(words) >= 2 and all(w[:1].isupper() for w in words)
