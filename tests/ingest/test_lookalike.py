"""Look-alike normalisation for identifiers read by OCR."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.media.lookalike import find_iins, iin_is_valid, normalise_plate, to_digits, to_latin

VALID_IIN = "850101300124"


def test_iin_checksum() -> None:
    assert iin_is_valid(VALID_IIN)
    assert not iin_is_valid("850101300123")
    assert not iin_is_valid("85010130012")
    assert not iin_is_valid("85010130012x")


def test_iin_found_through_ocr_confusions() -> None:
    text = "ИИН: 8501О13ОО124, телефон 87011234567, ЖСН 850101300124."
    found = find_iins(text)
    assert [(m.raw, m.iin, m.valid) for m in found] == [
        ("8501О13ОО124", VALID_IIN, True),
        (VALID_IIN, VALID_IIN, True),
    ]
    assert text[found[0].start : found[0].end] == "8501О13ОО124"
    # Ordinary words of 12 letters are not IINs.
    assert find_iins("Республикасы қаласындағы") == []


@pytest.mark.parametrize(
    ("raw", "plate"),
    [
        ("123 ABC 02", "123ABC02"),
        ("123 АВС 02", "123ABC02"),  # Cyrillic look-alikes from eng+rus+kaz OCR
        ("l23 ABC O2", "123ABC02"),
        ("777 КМ 01", "777KM01"),
        ("hello world", None),
        ("12 ABC 02", None),
    ],
)
def test_plates(raw: str, plate: str | None) -> None:
    assert normalise_plate(raw) == plate


def test_to_latin_and_digits() -> None:
    assert to_latin("ІІМ") == "IIM"
    assert to_digits("ОlЗ") == "013"


@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_digits_are_left_alone(iin: str) -> None:
    assert to_digits(iin) == iin
    assert [m.iin for m in find_iins(f"ИИН {iin}.")] == [iin]
