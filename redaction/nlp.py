"""A Presidio NLP engine on blank spaCy pipelines (tokens only, nothing downloaded).

spaCy ships no Kazakh language class, so Kazakh uses the multilingual ``xx`` tokenizer.
Blank pipelines leave ``lemma_`` empty, which silently disables Presidio's context
words; we fill it with the lower-cased token so substring context matching works.
"""

from __future__ import annotations

import spacy
from presidio_analyzer.nlp_engine import NlpArtifacts, SlimSpacyNlpEngine

# Presidio language code → spaCy blank pipeline.
SPACY_LANG = {"kk": "xx", "ru": "ru", "en": "en"}


class BlankSpacyNlpEngine(SlimSpacyNlpEngine):
    """Tokenisation-only engine for kk/ru/en with lemmas set to the lower-cased token."""

    def __init__(self, *, languages: tuple[str, ...] = ("kk", "ru", "en")) -> None:
        super().__init__(models=[], auto_download=False)
        self._languages = languages

    def load(self) -> None:
        """Create the blank pipelines; no model files are read."""
        self.nlp = {lang: spacy.blank(SPACY_LANG[lang]) for lang in self._languages}

    def _doc_to_nlp_artifact(self, doc, language: str) -> NlpArtifacts:
        return NlpArtifacts(
            entities=[],
            tokens=doc,
            tokens_indices=[token.idx for token in doc],
            lemmas=[token.lower_ for token in doc],
            nlp_engine=self,
            language=language,
            scores=[],
        )
