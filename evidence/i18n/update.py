"""Rebuild the interface catalogs: one `.po` per language (kk, ru, en) for every package.

    python -m evidence.i18n.update          # extract, write the catalogs, report problems
    python -m evidence.i18n.update --check  # write nothing; fail when anything is stale

How a string is translated (one mechanism for evidence, ingest, redaction and disclosure):

1. Write it in English where it is shown: `{{ _("Upload") }}` in a template,
   `i18n.gettext("...")` in Python that renders, `N_("...")` for a word that reaches a
   page as data (a state, a role, an action), or the template of a package error
   (`InvalidInput("a tag is 1 to %(max)d characters", max=64)`). Never an f-string:
   Babel cannot extract one.
2. Add the Kazakh and Russian to the translation table of the package that shows it,
   `<package>/translations.py` (evidence's service messages: `evidence/service_
   translations.py`; see `TABLES`): `T[msgid] = (kk, ru)`; plurals: `T[(singular,
   plural)] = ((kk,), (ru one, few, many))`. Use the words of `evidence/i18n/TERMS.md`.
3. Run this tool. It fails (exit 1) and names each message with the file that uses it
   when a message has no translation, a translation loses or invents a placeholder, two
   tables translate one message, a table keeps a message nothing uses, a translation
   does not use the terminology's words, or a custody action or job stage has no label
   in `evidence/web/labels.py`.

The tables are the edited source of truth (each package edits its own, so concurrent
work merges like ordinary code); the `.pot` and `.po` files are generated and carry no
dates, so on a merge conflict in them take either side and run the tool again.
"""

from __future__ import annotations

import ast
import importlib
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import write_po
from babel.util import pathmatch

from evidence.i18n import LANGUAGES, LOCALE_DIR, terms

ROOT = LOCALE_DIR.parents[2]
POT = LOCALE_DIR.parent / "messages.pot"
CFG = LOCALE_DIR.parent / "babel.cfg"
# Each package's translation table(s): module → the package whose strings it holds.
TABLES = {
    "evidence.translations": "evidence",
    "evidence.service_translations": "evidence",
    "evidence.retention_translations": "evidence",
    "evidence.workspace_translations": "evidence",
    "evidence.citizen_translations": "evidence",
    "evidence.batch_translations": "evidence",
    "ingest.translations": "ingest",
    "redaction.translations": "redaction",
    "disclosure.translations": "disclosure",
    "redaction.workspace_translations": "redaction",
    "disclosure.workspace_translations": "disclosure",
}
PACKAGES = ("evidence", "ingest", "redaction", "disclosure")
# The error bases whose subclasses' first argument is a message template (a msgid).
ERROR_ROOTS = {"TranslatableError"}
_FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
_PLACEHOLDER = re.compile(r"%\((\w+)\)")

Key = str | tuple[str, ...]
Text = str | tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    """One reason the catalogs are not complete, as a line a developer can act on."""

    text: str

    def __str__(self) -> str:
        return self.text


def error_classes(root: Path = ROOT) -> set[str]:
    """Names of every class deriving (by name, through any depth) from `ERROR_ROOTS` in
    the packages: the extraction keywords, so a new error class needs no listing."""
    bases: dict[str, set[str]] = {}
    for path in python_files(root):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
    names = set(ERROR_ROOTS)
    grown = True
    while grown:
        grown = False
        for name, parents in bases.items():
            if name not in names and parents & names:
                names.add(name)
                grown = True
    return names


def python_files(root: Path = ROOT) -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((root / package).rglob("*.py"))


@cache
def _mapping() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """babel.cfg's (pattern, method) map and options."""
    with open(CFG, encoding="utf-8") as handle:
        method_map, options = parse_mapping_cfg(handle, str(CFG))  # type: ignore[no-untyped-call]
    return list(method_map), dict(options)


def _extracted(path: Path, root: Path) -> bool:
    """Whether babel.cfg's map extracts this Python file (its first matching section)."""
    relative = path.relative_to(root).as_posix()
    method_map, _options = _mapping()
    method = next((m for pattern, m in method_map if pathmatch(pattern, relative)), "ignore")
    return method == "python"


def untranslatable(root: Path = ROOT) -> Iterator[Problem]:
    """Messages Babel cannot extract: an error or gettext call whose message is built at
    run time (an f-string, `%` or `+`, `.format()`) instead of being a template."""
    callers = error_classes(root) | {"_", "gettext", "ngettext", "N_"}
    for path in python_files(root):
        if not _extracted(path, root):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            first = node.args[0]
            built = isinstance(first, ast.JoinedStr | ast.BinOp) or (
                isinstance(first, ast.Call) and getattr(first.func, "attr", "") == "format"
            )
            if name in callers and built:
                yield Problem(
                    f"not a template: {path.relative_to(root)}:{node.lineno}: {name}(...) "
                    "builds its message; write the English template with %(name)s "
                    'parameters: InvalidInput("no item %(item)s here", item=item_id)'
                )


def keywords(root: Path = ROOT) -> dict[str, object]:
    """Babel's default keywords (`_`, `gettext`, `ngettext`, `N_`, ...) plus every error
    class (first argument: the template)."""
    return {**DEFAULT_KEYWORDS, **dict.fromkeys(sorted(error_classes(root)))}


def extract(root: Path = ROOT) -> Catalog:
    """Every message of the packages' code and templates, with where each is used."""
    method_map, options_map = _mapping()
    template = Catalog(project="Dalel", creation_date=_FIXED_DATE, charset="utf-8")
    found = extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=keywords(root),  # type: ignore[arg-type]
    )
    for filename, lineno, message, _comments, context in found:
        template.add(message, locations=[(filename, lineno)], context=context)
    return template


Tables = dict[str, dict[Key, tuple[Text, Text]]]


def read_tables() -> Tables:
    """Each table module's `T`, by module name."""
    return {module: importlib.import_module(module).T for module in TABLES}


def load_tables(
    tables: Tables | None = None,
) -> tuple[dict[Key, tuple[Text, Text]], dict[Key, list[str]]]:
    """The tables merged, and for each msgid the table(s) that translate it."""
    merged: dict[Key, tuple[Text, Text]] = {}
    owners: dict[Key, list[str]] = {}
    for module, table in (read_tables() if tables is None else tables).items():
        for key, pair in table.items():
            merged.setdefault(key, pair)
            owners.setdefault(key, []).append(module)
    return merged, owners


def _names(text: Text) -> list[set[str]]:
    forms = text if isinstance(text, tuple) else (text,)
    return [set(_PLACEHOLDER.findall(form)) for form in forms]


def _placeholders_fit(key: Key, text: Text) -> bool:
    """Each form uses the message's placeholders; a plural form may leave out the count
    (Russian "одно"), nothing else, and invents none."""
    wanted = set().union(*_names(key))
    needed = wanted - {"num"} if isinstance(key, tuple) else wanted
    return all(needed <= got <= wanted for got in _names(text))


def _table_for(locations: Iterable[tuple[str, int | None]]) -> str:
    for filename, _line in locations:
        package = Path(filename).parts[0]
        if package == "evidence" and not filename.startswith("evidence/web/"):
            return "evidence/service_translations.py"
        for module, owner in TABLES.items():
            if owner == package:
                return module.replace(".", "/") + ".py"
    return "evidence/translations.py"


def problems(template: Catalog, tables: Tables | None = None, root: Path = ROOT) -> list[Problem]:
    """What keeps the catalogs from being complete and consistent (empty: all good)."""
    table, owners = load_tables(tables)
    found: list[Problem] = list(untranslatable(root))
    used = {message.id for message in template if message.id}
    for message in template:
        if not message.id:
            continue
        where = ", ".join(f"{f}:{n}" for f, n in message.locations[:3])
        if message.id not in table:
            found.append(
                Problem(
                    f"untranslated: {message.id!r} ({where}): add it to "
                    f"{_table_for(message.locations)}"
                )
            )
            continue
        for lang, text in zip(("kk", "ru"), table[message.id], strict=True):
            if not text or (isinstance(text, tuple) and not all(text)):
                found.append(Problem(f"empty {lang} translation: {message.id!r}"))
            elif not _placeholders_fit(message.id, text):
                found.append(Problem(f"{lang} placeholders differ: {message.id!r} → {text!r}"))
    found += list(repeated_keys())
    if tables is None:  # the real tables: the terminology and the data labels too
        found += [Problem(m) for m in terms.mismatches(terms.read_terms(), table)]
        found += list(missing_labels())
    for key, modules in owners.items():
        if len(modules) > 1:
            found.append(Problem(f"translated twice: {key!r} in {', '.join(modules)}"))
        if key not in used:
            found.append(Problem(f"unused: {key!r} in {modules[0]} (nothing shows it)"))
    return found


def missing_labels() -> Iterator[Problem]:
    """Codes the pages show by a label (custody actions, job stages) that have none."""
    from custody.events import Action
    from evidence.app import install_domains
    from evidence.web import labels
    from ingest.runtime.stages import stages

    install_domains()
    for code in sorted({a.value for a in Action} - set(labels.ACTIONS)):
        yield Problem(
            f"no label: custody action {code!r}: add it to evidence/web/labels.py ACTIONS"
        )
    for name in sorted(set(stages()) - set(labels.STAGES)):
        yield Problem(f"no label: job stage {name!r}: add it to evidence/web/labels.py STAGES")


def repeated_keys() -> Iterator[Problem]:
    """A msgid written twice in one table (Python keeps the last one silently, which is
    what a merge of two engineers' additions can leave behind)."""
    for module in TABLES:
        path = ROOT / (module.replace(".", "/") + ".py")
        seen: set[object] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for key in node.keys:
                    if key is None:
                        continue
                    value = ast.literal_eval(key)
                    if value in seen:
                        yield Problem(
                            f"translated twice: {value!r} in {module} (line {key.lineno})"
                        )
                    seen.add(value)


def catalogs(template: Catalog, tables: Tables | None = None) -> dict[Path, bytes]:
    """The `.pot` and each language's `.po`, as the bytes to commit."""
    table, _owners = load_tables(tables)
    out = {POT: _po_bytes(template, locations=False)}
    for lang in LANGUAGES:
        catalog = Catalog(
            locale=lang, project="Dalel", creation_date=_FIXED_DATE,
            revision_date=_FIXED_DATE, charset="utf-8", fuzzy=False,
        )  # fmt: skip
        for message in template:
            if not message.id:
                continue
            key: Key = message.id if isinstance(message.id, str) else tuple(message.id)
            text: Text = key
            if lang != "en":
                pair = table.get(key)
                text = (
                    ("" if isinstance(message.id, str) else ("",))
                    if pair is None
                    else pair[LANGUAGES.index(lang)]
                )
            if isinstance(message.id, tuple):  # pad to the language's number of forms
                forms = text if isinstance(text, tuple) else (text,)
                text = (forms + forms[-1:] * catalog.num_plurals)[: catalog.num_plurals]
            catalog.add(message.id, text, context=message.context)
        out[LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"] = _po_bytes(catalog)
    return out


def _po_bytes(catalog: Catalog, locations: bool = False) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer, catalog, omit_header=False, width=100, sort_output=True,
        no_location=not locations,
    )  # fmt: skip
    # No dates or tool versions: regenerating must not change a file nothing changed.
    lines = buffer.getvalue().splitlines(keepends=True)
    skip = (b'"POT-Creation-Date', b'"PO-Revision-Date', b'"Generated-By', b"# Copyright")
    return b"".join(line for line in lines if not line.startswith(skip))


def stale(built: dict[Path, bytes]) -> list[Path]:
    """Catalog files whose committed bytes differ from what the tool writes."""
    return [path for path, data in built.items() if not path.exists() or path.read_bytes() != data]


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    template = extract()
    built = catalogs(template)
    if check:
        for path in stale(built):
            print(f"stale: {path.relative_to(ROOT)}: run python -m evidence.i18n.update")
    else:
        for path, data in built.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    found = problems(template)
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found or (check and stale(built)) else 0


if __name__ == "__main__":
    raise SystemExit(main())
