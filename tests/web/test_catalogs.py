"""Every visible string of every package (templates, page code, service messages) is in
the one catalog per language and translated into Kazakh and Russian.

When a test here fails, run `python -m evidence.i18n.update`: it names each message, the
file that uses it and the table to add it to (its docstring says how to add a string).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.catalog import Catalog

from evidence import i18n
from evidence.i18n import update

ROOT = Path(__file__).resolve().parents[2]


def test_catalogs_are_complete_and_current() -> None:
    template = update.extract()
    ids = {m.id for m in template if m.id}
    assert len(ids) > 400
    # Messages of every package are extracted: templates, page code, service errors.
    for msgid in [
        "Redaction review",  # redaction template
        "Defence portal",  # disclosure template
        "no such redaction plan",  # RedactionError subclass
        "the disclosure is %(status)s",  # DisclosureError subclass
        "segment %(n)s ends before it starts",  # IngestError subclass
        "a tag is 1 to %(max)d characters",  # EvidenceError subclass
        "revoked",  # N_() marker of a status word
    ]:
        assert msgid in ids, msgid
    found = update.problems(template)
    assert not found, "\n".join(map(str, found[:20]))
    stale = update.stale(update.catalogs(template))
    assert not stale, f"run python -m evidence.i18n.update: {stale}"


def test_the_tool_names_what_is_missing_and_where() -> None:
    """The checks can fail: an untranslated message, a lost placeholder, a message
    translated twice and a translation nothing uses are each reported."""
    template = Catalog()
    template.add("Open", locations=[("disclosure/templates/portal.html", 3)])
    template.add("%(num)s files", locations=[("redaction/views.py", 9)])
    template.add("Download", locations=[("evidence/web/templates/item.html", 1)])
    tables: update.Tables = {
        "redaction.translations": {
            "%(num)s files": ("файлдар", "%(num)s файлов"),
            "Download": ("Жүктеп алу", "Скачать"),
        },
        "disclosure.translations": {
            "Download": ("Жүктеп алу", "Скачать"),
            "Gone": ("Жоқ", "Нет"),
        },
    }
    found = [str(p) for p in update.problems(template, tables)]
    assert (
        "untranslated: 'Open' (disclosure/templates/portal.html:3): add it to "
        "disclosure/translations.py" in found
    )
    assert any(p.startswith("kk placeholders differ: '%(num)s files'") for p in found)
    assert not any(p.startswith("ru placeholders") for p in found)
    assert any(p.startswith("translated twice: 'Download'") for p in found)
    assert any(p.startswith("unused: 'Gone' in disclosure.translations") for p in found)


def test_messages_built_at_run_time_are_refused(tmp_path: Path) -> None:
    """An f-string (or `%`, `+`, `.format()`) message cannot be extracted, so it would
    stay English on every page: the tool reports it with its place."""
    package = tmp_path / "redaction"
    package.mkdir()
    (package / "errors.py").write_text(
        "from evidence.errors import TranslatableError\n"
        "class RedactionError(TranslatableError): ...\n"
        "class PlanError(RedactionError): ...\n"
    )
    (package / "plans.py").write_text(
        "def f(n):\n"
        "    raise PlanError(f'no proposal {n}')\n"
        "def g(n):\n"
        "    raise PlanError('no proposal %(n)s', n=n)\n"
        "def h(n):\n"
        "    return gettext('%s items' % n)\n"
    )
    for other in update.PACKAGES:
        (tmp_path / other).mkdir(exist_ok=True)
    found = [str(p) for p in update.untranslatable(tmp_path)]
    assert len(found) == 2, found
    assert found[0].startswith("not a template: redaction/plans.py:2: PlanError(...)")
    assert found[1].startswith("not a template: redaction/plans.py:6: gettext(...)")
    assert "PlanError" in update.error_classes(tmp_path)


def test_no_package_keeps_its_own_translation_mechanism() -> None:
    """One mechanism: nothing but the catalogs translates (no per-package dictionaries
    consulted at run time, no `t("key")` helpers in templates)."""
    assert not (ROOT / "redaction/i18n.py").exists()
    assert not (ROOT / "disclosure/i18n.py").exists()
    for package in update.PACKAGES:
        for path in (ROOT / package).rglob("*.html"):
            assert not re.search(r"\bt\([\"']", path.read_text(encoding="utf-8")), path
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "translations.py" or path.match("evidence/i18n/*.py"):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module:
                    assert not node.module.endswith(".translations"), path


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
