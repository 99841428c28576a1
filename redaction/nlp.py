"""A Presidio NLP engine on blank spaCy pipelines (tokens only, nothing downloaded).

spaCy ships no Kazakh language class, so Kazakh uses the multilingual ``xx`` tokenizer.
Blank pipelines leave ``lemma_`` empty, which silently disables Presidio's context
words; we fill it with the lower-cased token so substring context matching works.
"""

from __future__ import annotations

from bisect import bisect_right

import spacy
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, SlimSpacyNlpEngine
from spacy.tokens import Doc

# Presidio language code → spaCy blank pipeline.
SPACY_LANG = {"kk": "xx", "ru": "ru", "en": "en"}


class BlankSpacyNlpEngine(SlimSpacyNlpEngine):
    """Tokenisation-only engine for kk/ru/en with lemmas set to the lower-cased token."""

    def __init__(self, *, languages: tuple[str, ...] = ("kk", "ru", "en")) -> None:
        super().__init__(models=[], auto_download=False)
        self._languages = languages

    def load(self) -> None:
        """Create the blank pipelines; no model files are read."""
        # Presidio's __init__ sets ``self.nlp = None`` unannotated, so mypy types the
        # attribute as None; its own load() assigns a dict the same way.
        self.nlp = {lang: spacy.blank(SPACY_LANG[lang]) for lang in self._languages}  # type: ignore[assignment]

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        return NlpArtifacts(
            entities=[],
            tokens=doc,
            tokens_indices=[token.idx for token in doc],
            lemmas=[token.lower_ for token in doc],
            nlp_engine=self,
            language=language,
            scores=[],
        )


class FastLemmaContextAwareEnhancer(LemmaContextAwareEnhancer):
    """Presidio's lemma context enhancer with a binary search for the match's token.

    The stock version walks the token list from the start for every result, which is
    quadratic in the chunk size and was half of the analyzer's time on dense texts.
    Tokens are sorted and do not overlap, so the first token that ends after ``start``
    can be found with bisect; the result is the same index.
    """

    @staticmethod
    def _find_index_of_match_token(
        word: str, start: int, tokens: Doc, tokens_indices: list[int]
    ) -> int:
        j = bisect_right(tokens_indices, start) - 1
        if j >= 0 and (tokens_indices[j] == start or start < tokens_indices[j] + len(tokens[j])):
            return j
        if j + 1 < len(tokens_indices):
            return j + 1
        raise ValueError(f"Did not find word {word!r} in the list of tokens")
