"""Assembly of the Presidio ``AnalyzerEngine`` with our recognizers (built once, cached)."""

from __future__ import annotations

import functools
import re

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry

from redaction.config import load_data
from redaction.nlp import BlankSpacyNlpEngine, FastLemmaContextAwareEnhancer
from redaction.recognizers.address import AddressRecognizer
from redaction.recognizers.birthdate import BirthDateRecognizer
from redaction.recognizers.contact import contact_recognizers
from redaction.recognizers.custom import custom_recognizers
from redaction.recognizers.documents import KzIdCardRecognizer, KzPassportRecognizer
from redaction.recognizers.finance import CardRecognizer, IbanRecognizer
from redaction.recognizers.identifiers import KzIdentifierRecognizer
from redaction.recognizers.names_rules import CyrillicNameRecognizer, LatinNameRecognizer
from redaction.recognizers.natasha_ner import NatashaRecognizer
from redaction.recognizers.phone import KzPhoneRecognizer
from redaction.recognizers.plates import KzPlateRecognizer

LANGUAGES = ("kk", "ru", "en")
# No IGNORECASE: name rules depend on capital letters. Recognizers that want
# case-insensitive markers say so inline with (?i:...).
REGEX_FLAGS = re.DOTALL | re.MULTILINE


def build_recognizers(*, language: str, use_natasha: bool = True) -> list[EntityRecognizer]:
    """Return every recognizer for ``language``."""
    recognizers = [
        KzIdentifierRecognizer(language=language),
        KzPhoneRecognizer(language=language),
        IbanRecognizer(language=language),
        CardRecognizer(language=language),
        KzIdCardRecognizer(language=language),
        KzPassportRecognizer(language=language),
        KzPlateRecognizer(language=language),
        AddressRecognizer(language=language),
        BirthDateRecognizer(language=language),
        CyrillicNameRecognizer(language=language),
        LatinNameRecognizer(language=language),
        *contact_recognizers(language=language),
        *custom_recognizers(language=language),
    ]
    if use_natasha and language in ("ru", "kk"):
        recognizers.append(NatashaRecognizer(language=language))
    return recognizers


def build_analyzer(*, use_natasha: bool = True) -> AnalyzerEngine:
    """Build a new engine for kk/ru/en (slow: prefer ``get_analyzer``)."""
    recognizers = [
        r for lang in LANGUAGES for r in build_recognizers(language=lang, use_natasha=use_natasha)
    ]
    registry = RecognizerRegistry(
        recognizers=recognizers,
        supported_languages=list(LANGUAGES),
        global_regex_flags=REGEX_FLAGS,
    )
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=BlankSpacyNlpEngine(languages=LANGUAGES),
        supported_languages=list(LANGUAGES),
        # Look a little further back than Presidio's default (5 tokens): protocols put
        # "удостоверение личности №" and similar several tokens before the number.
        context_aware_enhancer=FastLemmaContextAwareEnhancer(
            context_prefix_count=6, context_suffix_count=2
        ),
    )
    for recognizer in recognizers:
        recognizer.load()
    return engine


@functools.cache
def get_analyzer() -> AnalyzerEngine:
    """Return the process-wide engine, building it on first use."""
    return build_analyzer()


def reset() -> None:
    """Forget the cached engine and data files (after changing DALEL_REDACTION_DATA_DIR)."""
    get_analyzer.cache_clear()
    load_data.cache_clear()
