"""Each recognizer on its own: valid values found, invalid ones and look-alikes not."""

from __future__ import annotations

import random

import pytest

from redaction import numbers as n
from redaction.recognizers.address import AddressRecognizer
from redaction.recognizers.birthdate import BirthDateRecognizer
from redaction.recognizers.documents import KzIdCardRecognizer, KzPassportRecognizer
from redaction.recognizers.finance import CardRecognizer, IbanRecognizer
from redaction.recognizers.identifiers import KzIdentifierRecognizer
from redaction.recognizers.names_rules import CyrillicNameRecognizer, LatinNameRecognizer
from redaction.recognizers.phone import KzPhoneRecognizer
from redaction.recognizers.plates import KzPlateRecognizer

RNG = random.Random(2026)
IIN = n.make_iin(rng=RNG)
BIN = n.make_bin(rng=RNG)
CARD = n.make_card(rng=RNG)
IBAN = n.make_kz_iban(rng=RNG)


def found(recognizer, text: str) -> list[tuple[str, str]]:
    return [(c.entity, text[c.start : c.end]) for c in recognizer.candidates(text)]


def bad_check_digit(value: str) -> str:
    return value[:-1] + str((int(value[-1]) + 1) % 10)


@pytest.mark.parametrize(
    "written",
    [IIN, f"{IIN[:6]} {IIN[6:]}", f"{IIN[:4]} {IIN[4:8]} {IIN[8:]}", f"{IIN[:6]}-{IIN[6:]}"],
)
def test_iin_found_in_any_grouping(written: str) -> None:
    r = KzIdentifierRecognizer(language="ru")
    assert found(r, f"ИИН {written}, проживает") == [("KZ_IIN", written)]


def test_iin_with_bad_checksum_or_date_is_ignored() -> None:
    r = KzIdentifierRecognizer(language="ru")
    assert found(r, f"номер {bad_check_digit(IIN)}") == []
    assert found(r, "номер 991399300123") == []  # month 13
    # After an IIN label a failing number is a possible typo (low score, issue 15).
    assert found(r, f"ИИН {bad_check_digit(IIN)}") == [("KZ_IIN", bad_check_digit(IIN))]


def test_bin_found_and_distinguished_from_iin() -> None:
    r = KzIdentifierRecognizer(language="kk")
    assert found(r, f"БСН {BIN}") == [("KZ_BIN", BIN)]
    assert found(r, f"БСН {bad_check_digit(BIN)}") == []


def test_twelve_digits_inside_longer_numbers_are_not_identifiers() -> None:
    r = KzIdentifierRecognizer(language="ru")
    assert found(r, f"счёт 9{IIN}") == []
    assert found(r, f"{IIN}7") == []


@pytest.mark.parametrize(
    "phone",
    [
        "+7 701 845 23 17",
        "+7 (701) 845-23-17",
        "87018452317",
        "8 (747) 221-09-83",
        "+7-775-310-44-02",
        "+77013104403",
        "8 7172 55 12 34",
        "+7 600 123 45 67",
    ],
)
def test_kz_phone_formats(phone: str) -> None:
    assert found(KzPhoneRecognizer(language="ru"), f"тел. {phone}, звонил") == [
        ("PHONE_NUMBER", phone)
    ]


@pytest.mark.parametrize("text", ["+7 495 123 45 67", "8 912 345 67 89", "тел 8701845231"])
def test_non_kz_or_short_phones_ignored(text: str) -> None:
    assert found(KzPhoneRecognizer(language="ru"), text) == []


def test_iban_plain_and_grouped_and_invalid() -> None:
    r = IbanRecognizer(language="ru")
    grouped = " ".join(IBAN[i : i + 4] for i in range(0, 20, 4))
    assert found(r, f"счёт {IBAN}.") == [("IBAN_CODE", IBAN)]
    assert found(r, f"счёт {grouped} в банке") == [("IBAN_CODE", grouped)]
    broken = IBAN[:5] + str((int(IBAN[5]) + 1) % 10) + IBAN[6:]
    assert found(r, f"счёт {broken}") == []


def test_card_luhn() -> None:
    r = CardRecognizer(language="en")
    grouped = " ".join(CARD[i : i + 4] for i in range(0, 16, 4))
    assert found(r, f"14:02 card {grouped} debit") == [("CREDIT_CARD", grouped)]
    assert found(r, f"card {CARD}") == [("CREDIT_CARD", CARD)]
    assert found(r, f"card {bad_check_digit(CARD)}") == []


def test_passport_and_id_card_candidates() -> None:
    assert found(KzPassportRecognizer(language="ru"), "паспорт N12345678 выдан") == [
        ("KZ_PASSPORT", "N12345678")
    ]
    # Cyrillic Н typed instead of Latin N.
    assert found(KzPassportRecognizer(language="ru"), "паспорт Н12345678") == [
        ("KZ_PASSPORT", "Н12345678")
    ]
    candidates = list(KzIdCardRecognizer(language="ru").candidates("уд. л. № 041234567"))
    assert [(c.entity, c.score) for c in candidates] == [("KZ_ID_CARD", 0.3)]


@pytest.mark.parametrize(
    "plate", ["123 ABC 02", "777AHX02", "301 AV 01", "B 345 ABM", "123 АВС 02"]
)
def test_plates_current_old_and_cyrillic(plate: str) -> None:
    assert found(KzPlateRecognizer(language="ru"), f"г/н {plate}, водитель") == [
        ("KZ_VEHICLE_PLATE", plate)
    ]


def test_plate_with_unknown_region_ignored() -> None:
    assert found(KzPlateRecognizer(language="ru"), "номер 123 ABC 45") == []


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("проживает: ул. Абая, д. 15, кв. 27.", "ул. Абая, д. 15, кв. 27"),
        ("адрес: пр. Абая, 150/230, кв. 45", "пр. Абая, 150/230, кв. 45"),
        ("мекенжайы: Абай даңғылы, 150 үй, 27 пәтер.", "Абай даңғылы, 150 үй, 27 пәтер"),
        ("тұрады Төле би көшесі, 285 мекенжайында", "Төле би көшесі, 285"),
        ("lives at 58 Zhandosov Street, apt 112.", "58 Zhandosov Street, apt 112"),
    ],
)
def test_addresses(text: str, address: str) -> None:
    assert ("ADDRESS", address) in found(AddressRecognizer(language="ru"), text)


def test_birth_dates_need_a_birth_word() -> None:
    r = BirthDateRecognizer(language="ru")
    assert found(r, "Иванов, 12.03.1985 г.р., задержан 05.06.2024") == [
        ("DATE_OF_BIRTH", "12.03.1985")
    ]
    assert found(r, "1990 жылы 5 мамырда туған") == [("DATE_OF_BIRTH", "1990 жылы 5 мамырда")]
    assert found(r, "born 12 March 1985") == [("DATE_OF_BIRTH", "12 March 1985")]
    assert found(r, "протокол от 25.09.2024, дело от 24.09.2024") == []


@pytest.mark.parametrize(
    "name",
    [
        "Нурланов Ерлан Бекұлы",
        "Сәрсенбаева Айгерім Нұрланқызы",
        "Ахметова Бауыржана Маратовича",
        "Нурпеисов А.Б.",
        "А.Б. Нурпеисов",
        "Ерлан Нұрланұлы",
        "Омаров Аслан",
    ],
)
def test_cyrillic_names(name: str) -> None:
    assert ("PERSON", name) in found(CyrillicNameRecognizer(language="kk"), f"куәгер {name} келді")


def test_cyrillic_names_are_case_sensitive_and_skip_places() -> None:
    r = CyrillicNameRecognizer(language="ru")
    assert found(r, "нурланов ерлан бекұлы") == []
    assert [e for e, _ in found(r, "Казахстан Республики") if e == "PERSON"] == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Witness Mrs. Tatiana Ivanova said", "Tatiana Ivanova"),
        ("Detective John Miller arrived", "John Miller"),
        ("subscriber Serik Tulegenov, residing", "Serik Tulegenov"),
        ("Citizen A. Nurpeisov refused", "A. Nurpeisov"),
    ],
)
def test_latin_names(text: str, name: str) -> None:
    assert ("PERSON", name) in found(LatinNameRecognizer(language="en"), text)


def test_digits_inside_an_iban_are_not_a_card() -> None:
    assert found(CardRecognizer(language="ru"), "счёт KZ958264483909965301 в банке") == []


def test_bare_mobile_number_is_a_weak_candidate() -> None:
    candidates = list(KzPhoneRecognizer(language="ru").candidates("звони 701 123 45 67"))
    assert [(c.entity, c.score) for c in candidates] == [("PHONE_NUMBER", 0.3)]
    assert list(KzPhoneRecognizer(language="ru").candidates("договор 9011234567")) == []


def test_names_in_capitals() -> None:
    r = CyrillicNameRecognizer(language="ru")
    text = "ФИО: ИВАНОВ ПЁТР СЕРГЕЕВИЧ, ИИН указан, МВД РК"
    assert found(r, text) == [("PERSON", "ИВАНОВ ПЁТР СЕРГЕЕВИЧ")]
    assert ("PERSON", "NURLANOV YERLAN") in found(
        LatinNameRecognizer(language="en"), "Holder: NURLANOV YERLAN, passport"
    )


def test_iin_with_ocr_lookalike_letters() -> None:
    r = KzIdentifierRecognizer(language="ru")
    ocr = IIN.replace("0", "О", 1) if "0" in IIN else IIN
    assert found(r, f"ИИН {ocr} ") == [("KZ_IIN", ocr)]
    # Words made of look-alike letters are not numbers.
    assert found(r, "ООО ЗОЛОТО") == []


def test_grouped_iban_digits_are_not_a_card() -> None:
    # These four groups pass Luhn on their own.
    assert n.luhn_ok("5512524676854069")
    assert found(CardRecognizer(language="ru"), "счёт KZ56 5512 5246 7685 4069, владелец") == []
