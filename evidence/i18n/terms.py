"""The terminology table (`TERMS.md`) as data, and the check that the translation tables
use it: a headword message gets exactly its row's words, and every message that uses a
term carries the row's Kazakh and Russian stem (so inflected forms pass)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

TERMS = Path(__file__).parent / "TERMS.md"
# What is not prose in a message: paths, `code`, placeholders, setting names.
_CODE = re.compile(r"`[^`]*`|/\S+|%\(\w+\)\w|\bDALEL_\w+")


@dataclass(frozen=True)
class Term:
    """One row: English forms (headword first), the words and the stems to find."""

    forms: tuple[str, ...]
    kk: str
    ru: str
    kk_stem: str
    ru_stem: str

    def used_in(self, english: str) -> bool:
        prose = _CODE.sub(" ", english)
        return any(re.search(rf"\b{re.escape(f)}\b", prose, re.I) for f in self.forms)


def read_terms(path: Path = TERMS) -> list[Term]:
    """The rows of the table (after its header and |---| lines)."""
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    terms = []
    for line in rows[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        forms = tuple(f.strip() for f in cells[0].split(","))
        terms.append(Term(forms, cells[1], cells[2], cells[3], cells[4]))
    return terms


def _forms(text: object) -> tuple[str, ...]:
    return tuple(str(t) for t in text) if isinstance(text, tuple) else (str(text),)


def mismatches(terms: list[Term], table: dict[object, tuple[object, object]]) -> list[str]:
    """Each message whose translation does not use its terms' words."""
    found = []
    for key, (kk, ru) in table.items():
        english = " ".join(_forms(key))
        for term in terms:
            if english == term.forms[0]:  # the word itself (a label, a button)
                for lang, text, word in (("kk", kk, term.kk), ("ru", ru, term.ru)):
                    if str(text).lower() != word.lower():
                        found.append(f"{lang}: {key!r} is the headword: {word!r}, not {text!r}")
            if not term.used_in(english):
                continue
            for lang, text, stem in (("kk", kk, term.kk_stem), ("ru", ru, term.ru_stem)):
                for form in _forms(text):
                    if stem.lower() not in form.lower():
                        found.append(
                            f"{lang}: {key!r} uses {term.forms[0]!r} (TERMS.md): "
                            f"{form!r} lacks {stem!r}"
                        )
    return found
