"""The terminology table (`evidence/i18n/TERMS.md`) is what every package's catalog says:
a headword message gets exactly its row's words, and every message that uses a term
carries the row's Kazakh and Russian stem."""

from __future__ import annotations

import pytest

from evidence import i18n
from evidence.i18n import update
from evidence.i18n.terms import mismatches, read_terms


def test_the_table_has_the_core_terms() -> None:
    terms = {t.forms[0]: t for t in read_terms()}
    assert (terms["Disclosure"].kk, terms["Disclosure"].ru) == ("Ашып көрсету", "Раскрытие")
    assert (terms["Open"].kk, terms["Open"].ru) == ("Ашу", "Открыть")
    assert terms["Upload"].kk == "Жүктеп салу" and terms["Download"].kk == "Жүктеп алу"
    for word in ["Case", "Item", "Evidence", "Custody", "Ledger", "Checkpoint", "Redaction",
                 "Tranche", "Receipt", "Derivative", "Transcript", "Prosecutor", "Investigator",
                 "Defence", "Court", "Auditor"]:  # fmt: skip
        assert word in terms, word
    # One word per meaning: no two rows share a Kazakh or a Russian headword.
    for column in ("kk", "ru"):
        words = [getattr(t, column).lower() for t in terms.values()]
        assert len(words) == len(set(words)), column


def test_every_catalog_uses_the_terms() -> None:
    table, _owners = update.load_tables()
    found = mismatches(read_terms(), table)
    assert not found, "\n".join(found[:30])
    # The clashes that used to be: Upload/Download and Disclosure/Open each had one word.
    i18n.activate("kk")
    assert i18n.gettext("Upload") == "Жүктеп салу" and i18n.gettext("Download") == "Жүктеп алу"
    assert i18n.gettext("Disclosure") == "Ашып көрсету" and i18n.gettext("Open") == "Ашу"
    i18n.activate("ru")
    assert i18n.gettext("Disclosure") == "Раскрытие" and i18n.gettext("Open") == "Открыть"


@pytest.mark.parametrize(
    ("message", "kk", "ru", "problem"),
    [
        ("Upload", "Жүктеу", "Загрузить", "is the headword"),
        ("Download original", "Түпнұсқаны жүктеу", "Скачать оригинал", "lacks 'жүктеп ал'"),
        ("Open the disclosure", "Ашуды ашу", "Открыть раскрытие", "lacks 'ашып көрсет'"),
    ],
)
def test_a_wrong_word_is_caught(message: str, kk: str, ru: str, problem: str) -> None:
    found = mismatches(read_terms(), {message: (kk, ru)})
    assert any(problem in f for f in found), found


def test_code_is_not_a_term() -> None:
    found = mismatches(read_terms(), {"register a key: POST /receipts/keys": ("кілт", "ключ")})
    assert not found
