"""Issue 15, detection: IIN typos in context, whole values (phone prefix, Kazakh
patronymic, whole address with its settlement and number), OCR look-alikes on plates.

Each case is one the trial of the redaction studio found missed or cut short.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from redaction import numbers as n
from redaction.analyzer import analyze_text
from redaction.recognizers.identifiers import TYPO_WHY

TYPO = "900101300123"  # a date and century digit, but the check digit is wrong


def _found(text: str, entity: str | None = None) -> list:  # type: ignore[type-arg]
    return [f for f in analyze_text(text=text, language="auto") if entity in (None, f.entity_type)]


def test_the_typo_fails_the_checksum() -> None:
    assert not n.is_valid_iin(TYPO) and not n.is_valid_bin(TYPO)


@pytest.mark.parametrize(
    "text",
    [
        f"ИИН {TYPO} указан в протоколе.",
        f"Куәгердің ЖСН: {TYPO}, жауап берді.",
        f"IIN {TYPO} was entered with an error.",
        f"ИИН/БИН № {TYPO}",
        f"ЖСН нөмірі {TYPO}",
    ],
)
def test_failing_iin_in_context_is_proposed_low(analyzer, text: str) -> None:  # type: ignore[no-untyped-def]
    found = _found(text, "KZ_IIN")
    assert [f.text for f in found] == [TYPO], found
    typo = found[0]
    assert typo.explanation == TYPO_WHY == "checksum fails"
    # Low: context words do not lift it to the score of a valid IIN.
    assert typo.score < 0.5


@pytest.mark.parametrize(
    "text",
    [
        f"Номер заказа {TYPO} подтверждён.",
        f"{TYPO}",
        f"Код {TYPO} указан для примера; также не ИИН {TYPO}.",
        f"Case number {TYPO} is not an IIN {TYPO}.",
    ],
)
def test_bare_failing_number_is_not_proposed(analyzer, text: str) -> None:  # type: ignore[no-untyped-def]
    assert _found(text, "KZ_IIN") == []


def test_valid_iin_keeps_its_high_score_and_reason(analyzer) -> None:  # type: ignore[no-untyped-def]
    iin = n.make_iin(rng=random.Random(3))
    (found,) = _found(f"ИИН {iin}", "KZ_IIN")
    assert found.score >= 0.9 and found.explanation == "IIN checksum and date"


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "Мекенжайы: Шымкент қаласы, Тәуке хан даңғылы, 12-үй.",
            "Шымкент қаласы, Тәуке хан даңғылы, 12-үй",
        ),
        (
            "Тұрғылықты жері: Түркістан облысы, Сайрам ауданы, Ақсу ауылы, Төле би көшесі, 5-үй",
            "Түркістан облысы, Сайрам ауданы, Ақсу ауылы, Төле би көшесі, 5-үй",
        ),
        (
            "Тұрады: Сайрам ауданы, Ақсу ауылы, 5-үй, 3 пәтер.",
            "Сайрам ауданы, Ақсу ауылы, 5-үй, 3 пәтер",
        ),
        (
            "Алматы қаласы, Самал-2 шағын ауданы, 33 үй, 8 пәтер мекенжайында",
            "Алматы қаласы, Самал-2 шағын ауданы, 33 үй, 8 пәтер",
        ),
        (
            "проживает по адресу: г. Алматы, ул. Абая, д. 15, кв. 27.",
            "г. Алматы, ул. Абая, д. 15, кв. 27",
        ),
        (
            "Адрес: Алматинская обл., Карасайский р-н, с. Каскелен, ул. Абая, 5",
            "Алматинская обл., Карасайский р-н, с. Каскелен, ул. Абая, 5",
        ),
        ("He lives at 15 Abay Avenue, apt 27.", "15 Abay Avenue, apt 27"),
    ],
)
def test_whole_address_with_settlement_and_number(analyzer, text: str, address: str) -> None:  # type: ignore[no-untyped-def]
    assert [f.text for f in _found(text, "ADDRESS")] == [address]


def test_a_settlement_alone_is_no_address(analyzer) -> None:  # type: ignore[no-untyped-def]
    text = "Мен, Алматы қаласы Бостандық ауданы ПБ тергеушісі, куәгерден жауап алдым."
    assert _found(text, "ADDRESS") == []


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Тел. +7 701 845 23 17, хабарласыңыз.", "+7 701 845 23 17"),
        ("тел. 7 701 845 23 17", "7 701 845 23 17"),
        # OCR read the 7 of "+7" as a slash: the prefix is still part of the number.
        ("тел. +/ 701 845 23 17", "+/ 701 845 23 17"),
    ],
)
def test_phone_span_takes_its_prefix(analyzer, text: str, phone: str) -> None:  # type: ignore[no-untyped-def]
    assert [f.text for f in _found(text, "PHONE_NUMBER")] == [phone]


def test_name_with_kazakh_patronymic_stops_at_the_line_end(analyzer) -> None:  # type: ignore[no-untyped-def]
    text = "Көлік иесі Серікова Айгерім Гүлнұрқызы\nШот бойынша үзінді көшірме"
    assert [f.text for f in _found(text, "PERSON")] == ["Серікова Айгерім Гүлнұрқызы"]


@pytest.mark.parametrize("plate", ["123ABC02", "123АВСО2", "123 АВС О2", "512 BKA 05"])
def test_plate_read_with_look_alikes(analyzer, plate: str) -> None:  # type: ignore[no-untyped-def]
    assert [f.text for f in _found(f"Көлік нөмірі {plate}, қара түсті.", "KZ_VEHICLE_PLATE")] == [
        plate
    ]


def test_plate_needs_a_region(analyzer) -> None:  # type: ignore[no-untyped-def]
    assert _found("Көлік нөмірі 123ABC99.", "KZ_VEHICLE_PLATE") == []


FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.mark.skipif(not shutil.which("tesseract"), reason="tesseract missing")
def test_scanned_page_every_planted_value_gone(analyzer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The trial's misses on a PNG page: analyse the OCR text, accept all, render, OCR
    the output: no planted value is left readable, and the labels are."""
    from ingest.media.ocr import ocr_image
    from redaction.plans import pages_text, regions_for_span
    from redaction.render.dispatch import collect
    from redaction.render.image import render_image
    from redaction.residual import normalise_lookalikes

    iban = n.make_kz_iban(rng=random.Random(3))
    planted = {
        "plate": "123ABC02",
        "name": "Серікова Айгерім Гүлнұрқызы",
        "iban": iban,
        "address": "Шымкент қаласы, Тәуке хан даңғылы, 12-үй",
        "phone": "+7 701 845 23 17",
        "iin": TYPO,
    }
    lines = [
        f"Көлік нөмірі {planted['plate']}, иесі {planted['name']}",
        f"Шот {planted['iban']}",
        f"Мекенжайы: {planted['address']}",
        f"Тел. {planted['phone']}, ИИН {planted['iin']}",
    ]
    src = tmp_path / "scan.png"
    image = Image.new("RGB", (1600, 120 + 90 * len(lines)), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for i, line in enumerate(lines):
        draw.text((60, 60 + 90 * i), line, fill="black", font=font)
    image.save(src, dpi=(200, 200))

    fields = ("text", "left", "top", "width", "height", "line")
    pages = ocr_image(path=src).pages
    indexed = pages_text(
        {"page": p.number, "words": [{k: getattr(w, k) for k in fields} for w in p.words]}
        for p in pages
    )
    found = analyze_text(text=indexed.text, language="auto")
    types = {f.entity_type for f in found}
    assert {"KZ_VEHICLE_PLATE", "PERSON", "IBAN_CODE", "ADDRESS", "PHONE_NUMBER", "KZ_IIN"} <= types
    accepted = [
        {
            "number": i,
            "entity_type": f.entity_type,
            "text": f.text,
            "target": {"kind": "span", "start": f.start, "end": f.end},
            "regions": regions_for_span(words=indexed.words, start=f.start, end=f.end),
        }
        for i, f in enumerate(found, start=1)
    ]
    out = tmp_path / "out.png"
    render_image(src=src, dst=out, boxes=collect(accepted).boxes)
    read = ocr_image(path=out).text
    flat = normalise_lookalikes(read)
    for what, value in planted.items():
        assert normalise_lookalikes(value) not in flat, (what, read)
    assert "+7" not in read and "701" not in read
    assert "Мекенжайы" in read and "Шот" in read  # the labels are still readable
