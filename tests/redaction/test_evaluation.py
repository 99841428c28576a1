"""The issue's benchmark bar, measured on the committed evaluation set."""

from __future__ import annotations

import pytest

from redaction.evalset import LANGUAGES, build, load
from redaction.evaluate import evaluate, format_table


@pytest.fixture(scope="module")
def report(analyzer):
    return evaluate()


def test_committed_jsonl_matches_sources() -> None:
    # The JSONL files are generated from data/eval/src: keep them in step.
    built = build()
    for lang in LANGUAGES:
        assert load(language=lang) == built[lang]


def test_evaluation_set_size_and_coverage() -> None:
    total = 0
    for lang in LANGUAGES:
        records = load(language=lang)
        types = {e["type"] for r in records for e in r["entities"]}
        assert len(types) == 13, (lang, types)
        for r in records:
            for e in r["entities"]:
                assert 0 <= e["start"] < e["end"] <= len(r["text"])
        total += sum(len(r["entities"]) for r in records)
    assert total >= 300


@pytest.mark.parametrize("entity", ["KZ_IIN", "PHONE_NUMBER", "IBAN_CODE", "CREDIT_CARD"])
def test_identifier_recall(report, entity: str) -> None:
    assert report.total(mode="overlap", entity=entity).recall >= 0.95, format_table(report=report)


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_person_recall(report, language: str) -> None:
    counts = report.total(mode="overlap", entity="PERSON", language=language)
    assert counts.recall >= 0.85, format_table(report=report)


def test_overall_precision(report) -> None:
    assert report.total(mode="overlap").precision >= 0.9, format_table(report=report)
