"""``analyze_text``: find personal data in a text and propose it for redaction.

Long texts are analysed in chunks of at most ``CHUNK_CHARS`` characters cut at line or
sentence ends: natasha has a fixed cost per call and Presidio's context step grows with
the token count, so 5-10 KB pieces are the fast path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

from redaction.config import load_data
from redaction.engine import LANGUAGES, get_analyzer
from redaction.errors import UnsupportedLanguageError
from redaction.language import detect_language
from redaction.overlaps import drop_excluded_names, resolve_overlaps

CHUNK_CHARS = 8000


@dataclass(frozen=True, slots=True)
class Finding:
    """One proposed redaction: what, where, how sure, who found it and why it may go."""

    entity_type: str
    start: int
    end: int
    score: float
    text: str
    recognizer: str
    reason: str
    # Why the recognizer proposed it ("IIN checksum and date", "checksum fails").
    explanation: str = ""

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready mapping (for redaction plans and API responses)."""
        return {
            "entity_type": self.entity_type,
            "start": self.start,
            "end": self.end,
            "score": self.score,
            "text": self.text,
            "recognizer": self.recognizer,
            "reason": self.reason,
            "explanation": self.explanation,
        }


def default_entities() -> list[str]:
    """Entity types proposed when the caller does not choose (``data/policy.yaml``)."""
    return list(load_data("policy.yaml")["default_entities"])


def reason_code(*, entity_type: str) -> str:
    """Legal-basis code for an entity type (``data/reasons.yaml``)."""
    reasons = load_data("reasons.yaml")
    return cast(str, reasons["codes"].get(entity_type, reasons["default"]))


def split_chunks(*, text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Yield ``(offset, chunk)`` pieces of at most ``size`` characters.

    Cuts after the last newline, else the last sentence end, else the last space in the
    window, so that no entity is cut in two unless a single line is a run of ``size``
    characters without spaces.
    """
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            window = text[start:end]
            cut = max(window.rfind("\n"), window.rfind(". "))
            if cut < size // 2:
                cut = max(cut, window.rfind(" "))
            if cut > 0:
                end = start + cut + 1
        yield start, text[start:end]
        start = end


def analyze_text(
    *,
    text: str,
    language: str,
    entities: Iterable[str] | None = None,
    exclude_names: Iterable[str] = (),
    score_threshold: float | None = None,
) -> list[Finding]:
    """Return redaction proposals for ``text``, sorted by position.

    ``language`` is "kk", "ru", "en" or "auto" (decided per chunk, so a Russian
    protocol quoting a Kazakh statement gets both treatments). ``entities`` narrows the
    proposed types (default: ``default_entities()``). Names in ``exclude_names``, plus
    those configured in ``policy.yaml`` (officials acting in their role: the
    investigator, the judge), are not proposed, in any grammatical case the simple
    stemming in ``redaction.overlaps`` recognises.
    """
    if language != "auto" and language not in LANGUAGES:
        raise UnsupportedLanguageError(
            "language %(language)r is not one of %(languages)s",
            language=language,
            languages=", ".join(LANGUAGES),
        )
    wanted = set(entities) if entities is not None else set(default_entities())
    threshold = (
        score_threshold
        if score_threshold is not None
        else float(load_data("policy.yaml")["score_threshold"])
    )
    engine = get_analyzer()
    raw = []
    for offset, chunk in split_chunks(text=text):
        # Every type is detected, not only the wanted ones, so that a street named after
        # a person (ул. Абая) is resolved as ADDRESS before the policy filter runs.
        chunk_language = detect_language(text=chunk) if language == "auto" else language
        for r in engine.analyze(text=chunk, language=chunk_language):
            if r.score >= threshold:
                raw.append((r.entity_type, r.start + offset, r.end + offset, r.score, r))
    kept = resolve_overlaps(spans=raw, text=text)
    excluded = [*exclude_names, *(load_data("policy.yaml").get("exclude_names") or [])]
    kept = drop_excluded_names(spans=kept, text=text, exclude_names=excluded)
    findings = []
    for entity, start, end, score, result in kept:
        if entity not in wanted:
            continue
        metadata = result.recognition_metadata or {}
        recognizer = metadata.get("recognizer_name", "")
        explanation = str(metadata.get("explanation") or "")
        findings.append(
            Finding(
                entity_type=entity,
                start=start,
                end=end,
                score=round(score, 3),
                text=text[start:end],
                recognizer=recognizer,
                reason=reason_code(entity_type=entity),
                explanation=explanation[:200],
            )
        )
    return findings
