"""analyze_text end to end: languages, policy, excluded officials, chunks, data files."""

from __future__ import annotations

import random

import pytest

from redaction import numbers as n
from redaction.analyzer import analyze_text, default_entities, reason_code, split_chunks
from redaction.config import load_data
from redaction.errors import RedactionError, UnsupportedLanguageError
from redaction.language import detect_language

RNG = random.Random(99)
IIN = n.make_iin(rng=RNG)
CARD = n.make_card(rng=RNG)

RU = (
    f"Допрошенный Иванов Пётр Сергеевич, 12.03.1985 г.р., ИИН {IIN}, проживающий по адресу "
    "ул. Абая, д. 15, кв. 27, тел. +7 (701) 123-45-67. Следователь Ахметов Ерлан Маратович."
)
KK = (
    f"Куәгер Сәрсенбаева Айгерім Нұрланқызы, ЖСН {IIN}, Абай даңғылы, 15 үй, 27 пәтер "
    "мекенжайында тұрады. Тел: 8 777 123 4567."
)
EN = f"Witness Mr. John Smith, born 12 March 1985, card {CARD}, email john.smith@mail.kz."


def pairs(findings) -> set[tuple[str, str]]:
    return {(f.entity_type, f.text) for f in findings}


def test_russian_protocol(analyzer) -> None:
    found = pairs(analyze_text(text=RU, language="ru"))
    assert ("PERSON", "Иванов Пётр Сергеевич") in found
    assert ("KZ_IIN", IIN) in found
    assert ("DATE_OF_BIRTH", "12.03.1985") in found
    assert ("ADDRESS", "ул. Абая, д. 15, кв. 27") in found
    assert ("PHONE_NUMBER", "+7 (701) 123-45-67") in found
    # The street is named after Abai: no PERSON inside the address.
    assert not any(e == "PERSON" and "Абая" in t for e, t in found)


def test_kazakh_protocol(analyzer) -> None:
    found = pairs(analyze_text(text=KK, language="kk"))
    assert ("PERSON", "Сәрсенбаева Айгерім Нұрланқызы") in found
    assert ("KZ_IIN", IIN) in found
    assert ("ADDRESS", "Абай даңғылы, 15 үй, 27 пәтер") in found
    assert ("PHONE_NUMBER", "8 777 123 4567") in found
    # The role word "Куәгер" (witness) stays readable.
    assert not any("Куәгер" in t for _, t in found)


def test_english_text(analyzer) -> None:
    found = pairs(analyze_text(text=EN, language="en"))
    assert {
        ("PERSON", "John Smith"),
        ("DATE_OF_BIRTH", "12 March 1985"),
        ("CREDIT_CARD", CARD),
        ("EMAIL_ADDRESS", "john.smith@mail.kz"),
    } <= found


def test_findings_carry_offsets_reason_and_recognizer(analyzer) -> None:
    for f in analyze_text(text=RU, language="ru"):
        assert RU[f.start : f.end] == f.text
        assert f.reason == reason_code(entity_type=f.entity_type)
        assert f.recognizer
        assert 0 < f.score <= 1


def test_excluded_officials_not_proposed(analyzer) -> None:
    found = pairs(analyze_text(text=RU, language="ru", exclude_names=["Ахметов Ерлан"]))
    assert not any("Ахметов" in t for e, t in found if e == "PERSON")
    assert ("PERSON", "Иванов Пётр Сергеевич") in found


def test_excluded_name_matches_declined_forms(analyzer) -> None:
    text = "Материалы переданы следователю Ахметову Ерлану, свидетель Петров Иван."
    found = pairs(analyze_text(text=text, language="ru", exclude_names=["Ахметов Ерлан"]))
    persons = {t for e, t in found if e == "PERSON"}
    assert not any("Ахметов" in t for t in persons)
    assert any("Петров" in t for t in persons)


def test_entities_policy_narrows_output(analyzer) -> None:
    found = analyze_text(text=RU, language="ru", entities=["KZ_IIN"])
    assert {f.entity_type for f in found} == {"KZ_IIN"}
    assert "LOCATION" not in default_entities()
    assert "KZ_IIN" in default_entities()


def test_auto_language(analyzer) -> None:
    assert detect_language(text=KK) == "kk"
    assert detect_language(text=RU) == "ru"
    assert detect_language(text=EN) == "en"
    assert pairs(analyze_text(text=KK, language="auto")) == pairs(
        analyze_text(text=KK, language="kk")
    )


def test_unsupported_language() -> None:
    with pytest.raises(UnsupportedLanguageError):
        analyze_text(text="hello", language="de")
    assert issubclass(UnsupportedLanguageError, RedactionError)


def test_hard_negatives(analyzer) -> None:
    bad_iin = IIN[:-1] + str((int(IIN[-1]) + 1) % 10)
    text = (
        f"Номер {bad_iin} не найден. Протокол от 25.09.2024. Сумма 150000000 тенге. "
        "Уголовный кодекс Республики Казахстан. ЕРДР № 247500131000845."
    )
    assert analyze_text(text=text, language="ru") == []


def test_long_text_is_chunked_with_correct_offsets(analyzer) -> None:
    text = ("Обычный текст без данных. " * 400) + f"ИИН {IIN}. " + ("Ещё текст. " * 900)
    chunks = list(split_chunks(text=text, size=3000))
    assert "".join(c for _, c in chunks) == text
    assert all(len(c) <= 3000 for _, c in chunks)
    found = analyze_text(text=text, language="ru")
    assert [(f.entity_type, text[f.start : f.end]) for f in found] == [("KZ_IIN", IIN)]


def test_extra_data_dir_extends_lists(tmp_path) -> None:
    (tmp_path / "names.yaml").write_text("kk_given_names: [Зейнолла]\n", encoding="utf-8")
    merged = load_data("names.yaml", tmp_path)
    assert "Зейнолла" in merged["kk_given_names"]
    assert "Ерлан" in merged["kk_given_names"]
    assert "Зейнолла" not in load_data("names.yaml")["kk_given_names"]


def test_missing_extra_dir_is_a_config_error(tmp_path) -> None:
    with pytest.raises(RedactionError):
        load_data("names.yaml", tmp_path / "nope")


def test_exclusion_needs_two_words_for_long_names() -> None:
    from redaction.overlaps import is_excluded_name

    assert is_excluded_name(value="Ахметов Ерлан Маратович", exclude_names=["Ахметов Ерлан"])
    assert is_excluded_name(value="Ахметову Е.М.", exclude_names=["Ахметов Ерлан"])
    assert not is_excluded_name(value="Ахметова Динара", exclude_names=["Ахметов Ерлан"])
    assert not is_excluded_name(value="Петров Иван", exclude_names=["Ахметов Ерлан"])


def test_deployment_extends_names_and_patterns(tmp_path, monkeypatch) -> None:
    from redaction import engine

    (tmp_path / "names.yaml").write_text("kk_given_names: [Зейнолла]\n", encoding="utf-8")
    (tmp_path / "patterns.yaml").write_text(
        "custom_patterns:\n"
        "  - entity: KZ_ERDR_NUMBER\n"
        "    regex: '(?<!\\d)\\d{15}(?!\\d)'\n"
        "    score: 0.3\n"
        "    context: [ердр]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DALEL_REDACTION_DATA_DIR", str(tmp_path))
    engine.reset()
    try:
        text = (
            "ЕРДР № 247500131000845. Зейнолла позвонил вечером и долго рассказывал о погоде "
            "в горах и в городе. Номер 247500131000846 без слова."
        )
        found = pairs(analyze_text(text=text, language="ru", entities=["PERSON", "KZ_ERDR_NUMBER"]))
        assert ("PERSON", "Зейнолла") in found
        # The context word lifts the first number over the threshold, not the second.
        assert ("KZ_ERDR_NUMBER", "247500131000845") in found
        assert ("KZ_ERDR_NUMBER", "247500131000846") not in found
    finally:
        monkeypatch.delenv("DALEL_REDACTION_DATA_DIR")
        engine.reset()


def test_invalid_custom_pattern_is_a_config_error(tmp_path, monkeypatch) -> None:
    from redaction.recognizers.custom import custom_recognizers

    (tmp_path / "patterns.yaml").write_text(
        "custom_patterns:\n  - entity: X\n    regex: '(unclosed'\n", encoding="utf-8"
    )
    monkeypatch.setenv("DALEL_REDACTION_DATA_DIR", str(tmp_path))
    load_data.cache_clear()
    try:
        with pytest.raises(RedactionError):
            custom_recognizers(language="ru")
    finally:
        monkeypatch.delenv("DALEL_REDACTION_DATA_DIR")
        load_data.cache_clear()


def test_natasha_on_kazakh_keeps_only_multiword_persons() -> None:
    from redaction.recognizers.natasha_ner import NatashaRecognizer

    text = "Сәлеметсіз бе! Куәгер Нұрланов Ерлан Бекұлы Алматыда тұрады. Марат келді."
    kk = [
        (c.entity, text[c.start : c.end]) for c in NatashaRecognizer(language="kk").candidates(text)
    ]
    assert all(e == "PERSON" and " " in t for e, t in kk)
    assert not any("Куәгер" in t for _, t in kk)


def test_bare_mobile_needs_context(analyzer) -> None:
    with_context = pairs(analyze_text(text="мой номер 701 123 45 67", language="ru"))
    assert ("PHONE_NUMBER", "701 123 45 67") in with_context
    without = pairs(analyze_text(text="Код операции 701 123 45 67 принят.", language="ru"))
    assert not any(e == "PHONE_NUMBER" for e, _ in without)


LEGAL_RU = (
    "Согласно Уголовно-процессуальному кодексу Республики Казахстан, следователь вправе "
    "поручить органу дознания производство отдельных следственных действий. Приговор может "
    "быть обжалован в Алматинский городской суд в течение 15 суток. Номер дела "
    "241500031000777. Решение вступает в силу 01.01.2025. Телефон доверия 102."
)


def test_legal_boilerplate_has_no_findings(analyzer) -> None:
    assert analyze_text(text=LEGAL_RU, language="ru") == []


def test_auto_language_per_chunk_and_as_dict(analyzer) -> None:
    from redaction.analyzer import Finding

    found = analyze_text(text=RU + "\n" + KK, language="auto")
    texts = {f.text for f in found}
    assert "Иванов Пётр Сергеевич" in texts
    assert "Сәрсенбаева Айгерім Нұрланқызы" in texts
    d = found[0].as_dict()
    assert set(d) == set(Finding.__slots__)


def test_configured_officials_excluded(tmp_path, monkeypatch) -> None:
    from redaction import engine

    (tmp_path / "policy.yaml").write_text("exclude_names: [Ахметов Ерлан]\n", encoding="utf-8")
    monkeypatch.setenv("DALEL_REDACTION_DATA_DIR", str(tmp_path))
    engine.reset()
    try:
        found = pairs(analyze_text(text=RU, language="ru"))
        assert not any("Ахметов" in t for e, t in found if e == "PERSON")
    finally:
        monkeypatch.delenv("DALEL_REDACTION_DATA_DIR")
        engine.reset()


def test_resolve_overlaps_rules() -> None:
    from redaction.overlaps import resolve_overlaps

    text = "x" * 60
    spans = [
        ("IBAN_CODE", 0, 24, 0.95, None),
        ("CREDIT_CARD", 5, 24, 0.9, None),  # digits inside the IBAN: coincidence
        ("ORGANIZATION", 30, 55, 0.85, None),
        ("KZ_BIN", 40, 52, 0.9, None),  # identifier inside an organisation name: kept
        ("PERSON", 26, 29, 0.5, None),
        ("PERSON", 27, 31, 0.85, None),  # same type, overlapping: merged
    ]
    kept = [(e, s, t) for e, s, t, _, _ in resolve_overlaps(spans=spans, text=text)]
    assert kept == [
        ("IBAN_CODE", 0, 24),
        ("PERSON", 26, 31),
        ("ORGANIZATION", 30, 55),
        ("KZ_BIN", 40, 52),
    ]


def test_natasha_trim_keeps_surnames_that_start_like_role_words() -> None:
    from redaction.recognizers.natasha_ner import NatashaRecognizer

    r = NatashaRecognizer(language="ru")
    assert r._trim("Сотников Иван", 0, 13) == (0, 13)
    assert r._trim("Свидетель Исламов Марат", 0, 23) == (10, 23)
