"""Every visible string is in the catalogs and translated into Kazakh and Russian."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from evidence import i18n

ROOT = Path(__file__).resolve().parents[2]


def _ids(path: Path) -> set[object]:
    with open(path, "rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_catalogs_cover_the_templates(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
            str(ROOT / "evidence/i18n/babel.cfg"), "--no-location", "-o", str(pot), ".",
        ],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    wanted = _ids(pot)
    assert len(wanted) > 150
    for lang in i18n.LANGUAGES:
        po = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
        with open(po, "rb") as handle:
            catalog = read_po(handle)
        have = {m.id: m.string for m in catalog if m.id}
        missing = wanted - have.keys()
        assert not missing, (
            f"{lang}: run `python -m evidence.i18n.update`: {sorted(map(str, missing))[:5]}"
        )
        empty = [k for k, v in have.items() if not v or (isinstance(v, tuple) and not all(v))]
        assert not empty, f"{lang}: untranslated {empty[:5]}"


def test_translations_keep_placeholders() -> None:
    for lang in ["kk", "ru"]:
        translations = i18n.translations(lang)
        i18n.activate(lang)
        assert i18n.gettext("Sign in") != "Sign in"
        assert "%(reason)s" in translations.gettext(
            "The request could not be completed: %(reason)s"
        )
        for n in [1, 3, 11]:
            assert str(n) in i18n.ngettext("%(num)s item", "%(num)s items", n)
    i18n.activate("ru")
    assert i18n.ngettext("%(num)s item", "%(num)s items", 3) == "3 материала"
    assert i18n.format_size(1536) == "1,5 КиБ"
    i18n.activate("en")
    assert i18n.format_number(1234567) == "1,234,567"
    assert i18n.format_duration(3725) == "1:02:05"


def test_negotiation() -> None:
    assert i18n.negotiate("ru", "en") == "ru"
    assert i18n.negotiate(None, "en-GB,en;q=0.9,ru;q=0.8") == "en"
    assert i18n.negotiate(None, "de, ru;q=0.5") == "ru"
    assert i18n.negotiate("xx", None) == "kk"
