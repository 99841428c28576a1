"""Rebuild the catalogs: extract messages, then write kk/ru/en `.po` files from the table
in `translations.py`. Run from the repository root: `python -m evidence.i18n.update`."""

from __future__ import annotations

import configparser
import subprocess
import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from evidence.i18n import LANGUAGES, LOCALE_DIR
from evidence.i18n.translations import T

POT = LOCALE_DIR.parent / "messages.pot"
CFG = LOCALE_DIR.parent / "babel.cfg"


def keywords() -> list[str]:
    """The `keywords` of the cfg's sections (the domain errors whose messages pages show),
    for the command line too: Babel before 2.18 reads them only from there."""
    parser = configparser.ConfigParser()
    parser.read(CFG, encoding="utf-8")
    names = [
        name
        for section in parser.sections()
        for name in parser.get(section, "keywords", fallback="").split()
    ]
    return list(dict.fromkeys(names))


def main() -> int:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(CFG),
            *(arg for name in keywords() for arg in ("-k", name)),
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(POT),
            ".",
        ],
        check=True,
        capture_output=True,
    )
    with open(POT, "rb") as handle:
        template = read_po(handle)
    missing = []
    for lang in LANGUAGES:
        catalog = Catalog(locale=lang, project="Dalel", charset="utf-8")
        for message in template:
            if not message.id:
                continue
            key = message.id
            if lang == "en":
                catalog.add(key, key if isinstance(key, str) else tuple(key))
                continue
            if key not in T:
                missing.append(key)
                catalog.add(key, "" if isinstance(key, str) else ("",) * 3)
                continue
            kk, ru = T[key]
            text = kk if lang == "kk" else ru
            if isinstance(text, tuple):  # pad to the language's number of plural forms
                text = (text + text[-1:] * catalog.num_plurals)[: catalog.num_plurals]
            catalog.add(key, text)
        target = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as handle:
            write_po(handle, catalog, omit_header=False, width=100)
    for key in dict.fromkeys(missing):
        print(f"untranslated: {key!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
