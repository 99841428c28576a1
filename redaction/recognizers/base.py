"""A small base for recognizers that find candidates with regexes and then check them.

Presidio's ``PatternRecognizer`` scores one whole regex match; our identifiers need a
normalised value (spaces removed, look-alike letters mapped), a checksum, and sometimes
a span narrower than the match (a title before a name). Subclasses yield ``Candidate``s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from redaction.config import load_data

# Upper-case Cyrillic letters that look like Latin ones on plates, IBANs and passports
# (OCR and typists mix them freely). Mapping is one character to one, so offsets hold.
CYR_TO_LAT = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")

CYR_UPPER = "А-ЯЁӘҒҚҢӨҰҮҺІ"
CYR_LOWER = "а-яёәғқңөұүһі"


# Key of the recognizer's reason in a result's ``recognition_metadata``.
EXPLANATION_KEY = "explanation"
ENHANCED = RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY


@dataclass(frozen=True, slots=True)
class Candidate:
    """One proposed span before it becomes a Presidio ``RecognizerResult``."""

    entity: str
    start: int
    end: int
    score: float
    why: str
    # A final score is not raised by context words (Presidio's enhancer would lift a
    # deliberately low score such as a failing IIN's next to its «ИИН» label).
    final: bool = False


def context_words(entity: str, language: str) -> list[str]:
    """Return the configured context words for ``entity`` in ``language``."""
    table = load_data("context.yaml") or {}
    return list((table.get(entity) or {}).get(language) or [])


class CandidateRecognizer(EntityRecognizer):
    """Base: subclasses implement ``candidates(text)``; this turns them into results."""

    ENTITIES: tuple[str, ...] = ()
    # Presidio first assigns ``name`` in a branch mypy deems unreachable (``name: str =
    # None``), so mypy never infers its type; declared here, set by Presidio's __init__.
    name: str

    def __init__(self, *, language: str, context: list[str] | None = None) -> None:
        if context is None:
            context = [w for e in self.ENTITIES for w in context_words(e, language)]
        super().__init__(
            supported_entities=list(self.ENTITIES),
            supported_language=language,
            name=type(self).__name__,
            context=context,
        )

    def load(self) -> None:
        pass

    def candidates(self, text: str) -> Iterable[Candidate]:  # pragma: no cover - abstract
        """Yield candidate spans found in ``text``."""
        raise NotImplementedError

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        return list(self._results(text, set(entities)))

    def _results(self, text: str, wanted: set[str]) -> Iterator[RecognizerResult]:
        for c in self.candidates(text):
            if c.entity not in wanted:
                continue
            explanation = AnalysisExplanation(
                recognizer=self.name, original_score=c.score, textual_explanation=c.why
            )
            yield RecognizerResult(
                entity_type=c.entity,
                start=c.start,
                end=c.end,
                score=c.score,
                analysis_explanation=explanation,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    # Presidio drops the explanation object from its answer; this stays.
                    EXPLANATION_KEY: c.why,
                    **({ENHANCED: True} if c.final else {}),
                },
            )
