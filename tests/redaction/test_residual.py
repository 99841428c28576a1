"""Residual check units: what counts as still readable."""

from __future__ import annotations

import numpy as np

from redaction.residual import Report, check_text, leaked_values, residual_dbfs

VALUES = [
    {"number": 1, "entity_type": "KZ_IIN", "text": "870412300415"},
    {"number": 2, "entity_type": "PERSON", "text": "Иванов Пётр"},
    {"number": 3, "entity_type": "PHONE_NUMBER", "text": "+7 (701) 123-45-67"},
]


def test_numbers_found_whatever_the_separators() -> None:
    leaks = leaked_values(text="ИИН 8704 1230 0415\nтел 8-701-123-45-67", values=VALUES)
    assert {leak["number"] for leak in leaks} == {1, 3}


def test_names_found_case_and_spacing_insensitive_but_whole_words() -> None:
    assert leaked_values(text="гр. ИВАНОВ\nпётр пришёл", values=VALUES)[0]["number"] == 2
    assert leaked_values(text="Ивановка Пётровская", values=VALUES) == []
    assert leaked_values(text="[ЛИЦО 1] пришёл, [ИИН]", values=VALUES) == []


def test_digits_split_over_lines_are_not_a_leak_of_a_number() -> None:
    assert leaked_values(text="8704123\n00415", values=VALUES[:1]) == []


def test_text_report_blocks_and_warns() -> None:
    report = Report()
    check_text(report, text="Свидетель Иванов Пётр пришёл.", values=VALUES, language="ru")
    result = report.as_dict()
    assert not result["passed"] and result["blocking"][0]["check"] == "text"


def test_residual_level_ignores_the_tone_but_not_speech() -> None:
    rate = 16000
    t = np.arange(rate) / rate
    tone = 0.25 * np.sin(2 * np.pi * 1000 * t + 0.3)
    assert residual_dbfs(tone, rate) < -100
    noise = np.random.default_rng(1).normal(0, 0.05, rate)
    assert residual_dbfs(tone + noise, rate) > -30
    assert residual_dbfs(np.zeros(0), rate) == -200.0
