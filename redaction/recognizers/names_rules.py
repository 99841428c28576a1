"""Rule-based person names for Kazakh and Russian (Cyrillic) and for Latin script.

Kazakh names follow a few productive shapes that a statistical model trained on Russian
news misses: patronymics in -ұлы/-қызы, surnames in -ов/-ев/-баев/-бекова, and Kazakh
case endings glued to the surname (Ахметовтің, Нұрлановқа). Every rule requires a
capital letter, so these patterns must run without IGNORECASE (see ``redaction.engine``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from redaction.config import load_data
from redaction.recognizers.base import CYR_LOWER, CYR_UPPER, Candidate, CandidateRecognizer

# Kazakh case endings that attach to a surname or given name (genitive, dative,
# accusative, locative, ablative, instrumental), with or without a hyphen.
_KK_CASE = (
    r"(?:-?(?:тың|тің|дың|дің|ның|нің|қа|ке|ға|ге|ка|та|те|ты|ті|ды|ді|ны|ні|"
    r"да|де|нан|нен|дан|ден|тан|тен|пен|бен|мен|ға|ге))?"
)


def _declined_patronymics(suffixes: list[str]) -> list[str]:
    # Russian patronymics decline: -ович/-овича/-овичу/-овичем, -овна/-овны/-овне/-овной.
    out = []
    for suffix in suffixes:
        if suffix.endswith("ч"):
            out += [suffix + e for e in ("", "а", "у", "ем", "е")]
        elif suffix.endswith("на"):
            out += [suffix[:-1] + e for e in ("а", "ы", "е", "у", "ой")]
        else:
            out.append(suffix)
    return out


_CAPS_RUN = re.compile(
    rf"(?<![\w])[{CYR_UPPER}A-Z]{{2,}}(?:[ ]+[{CYR_UPPER}A-Z]{{2,}}){{1,2}}(?![\w])"
)


def title_case_caps_runs(text: str) -> str:
    """Title-case runs of 2-3 ALL-CAPS words ("ИВАНОВ ИВАН ИВАНОВИЧ"), same length.

    Official forms print names in capitals; the case-sensitive rules then see them as
    ordinary names. Single capitalised acronyms (ИИН, МВД) are left alone.
    """
    return _CAPS_RUN.sub(lambda m: " ".join(w.capitalize() for w in m.group().split(" ")), text)


def _mid_sentence(text: str, start: int) -> bool:
    """True when the word at ``start`` follows a lower-case word, digit or comma.

    A capitalised word there is capitalised because it is a name, not because a
    sentence begins.
    """
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i >= 0 and i < start - 1 and (text[i].islower() or text[i].isdigit() or text[i] in ",;")


def _company_quote(text: str, start: int, end: int) -> bool:
    """True for «Арман Трейд» / "Arman Trade": a given name opening a quoted company name."""
    opens = start > 0 and text[start - 1] in '«"“'
    rest = text[end : end + 2]
    return opens and len(rest) == 2 and rest[0] == " " and rest[1].isupper()


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


class CyrillicNameRecognizer(CandidateRecognizer):
    """Kazakh and Russian names by surname/patronymic endings and given-name lists."""

    ENTITIES = ("PERSON",)

    def __init__(self, *, language: str) -> None:
        data = load_data("names.yaml")
        context = list((load_data("context.yaml").get("PERSON") or {}).get(language) or [])
        super().__init__(language=language, context=context)
        self._not_names = set(data["not_names"])
        cap = rf"[{CYR_UPPER}][{CYR_LOWER}]+"
        stem = rf"[{CYR_UPPER}][{CYR_LOWER}]+?"
        sur = rf"{stem}(?:{_alt(data['surname_suffixes'])}){_KK_CASE}"
        patr_suffixes = data["patronymic_suffixes"] + _declined_patronymics(
            data["ru_patronymic_suffixes"]
        )
        patr = rf"{stem}(?:{_alt(patr_suffixes)})"
        given = rf"(?:{_alt(data['kk_given_names'] + data['ru_given_names'])}){_KK_CASE}"
        initial = rf"[{CYR_UPPER}]\.\s?"
        b, e = rf"(?<![{CYR_UPPER}{CYR_LOWER}\w])", rf"(?![{CYR_LOWER}\w])"
        self._strong = re.compile(rf"{stem}(?:{_alt(data['strong_surname_suffixes'])})")
        self._rules: list[tuple[re.Pattern[str], float, str]] = [
            (re.compile(rf"{b}(?:{sur}\s)?{cap}\s{patr}{_KK_CASE}{e}"), 0.85, "name + patronymic"),
            (re.compile(rf"{b}{sur}\s{initial}(?:{initial})?"), 0.85, "surname + initials"),
            (re.compile(rf"{b}{initial}(?:{initial})?{sur}{e}"), 0.85, "initials + surname"),
            (re.compile(rf"{b}{sur}\s{given}{e}"), 0.8, "surname + given name"),
            (re.compile(rf"{b}{given}\s{sur}{e}"), 0.8, "given name + surname"),
            (re.compile(rf"{b}{given}{e}"), 0.5, "given name"),
            # A lone surname is weak evidence; context words (свидетель, куәгер) lift it.
            (re.compile(rf"{b}{sur}{e}"), 0.35, "surname ending"),
        ]

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield name spans; longer rules first, shorter ones only where nothing matched."""
        text = title_case_caps_runs(text)
        taken: list[tuple[int, int]] = []
        for rx, score, why in self._rules:
            for m in rx.finditer(text):
                start, end = m.start(), m.end()
                value = m.group().rstrip()
                end = start + len(value)
                if any(s < end and start < t for s, t in taken):
                    continue
                words = [w for w in re.split(r"[\s.]+", value) if len(w) > 1]
                if not words or any(w in self._not_names for w in words):
                    continue
                if why == "given name" and _company_quote(text, start, end):
                    continue
                if (
                    why == "surname ending"
                    and _mid_sentence(text, start)
                    and self._strong.fullmatch(value)
                ):
                    score, why = 0.5, "surname ending mid-sentence"
                taken.append((start, end))
                yield Candidate("PERSON", start, end, score, why)


class LatinNameRecognizer(CandidateRecognizer):
    """English-text names: title + capitalised words, given-name list, surname endings."""

    ENTITIES = ("PERSON",)

    def __init__(self, *, language: str) -> None:
        data = load_data("names.yaml")
        super().__init__(language=language, context=[])
        self._not_names = set(data["not_names"]) | set(data["en_titles"])
        cap = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
        sur = rf"[A-Z][a-z]+?(?:{_alt(data['latin_surname_suffixes'])})"
        given = rf"(?:{_alt(data['en_given_names'])})"
        titles = _alt(data["en_titles"])
        strong = rf"[A-Z][a-z]+?(?:{_alt(data['latin_strong_surname_suffixes'])})"
        b, e = r"(?<![\w])", r"(?![\w])"
        self._rules: list[tuple[re.Pattern[str], float, str]] = [
            (
                re.compile(rf"{b}(?:(?:{titles})\.?\s)+({cap}(?:\s{cap}){{0,2}}){e}"),
                0.85,
                "title",
            ),
            (re.compile(rf"{b}({cap}\s{cap}(?:uly|kyzy|ovich|evich|ovna|evna)){e}"), 0.85, "patr"),
            (re.compile(rf"{b}({given}\s(?:[A-Z]\.\s)?{cap}){e}"), 0.8, "given + surname"),
            (re.compile(rf"{b}({sur}\s{given}){e}"), 0.8, "surname + given"),
            (re.compile(rf"{b}({cap}\s{sur}){e}"), 0.7, "name + surname ending"),
            (re.compile(rf"{b}([A-Z]\.\s?(?:[A-Z]\.\s?)?{sur}){e}"), 0.8, "initials"),
            (re.compile(rf"{b}({given}){e}"), 0.5, "given name"),
            (re.compile(rf"{b}({strong}){e}"), 0.5, "surname ending mid-sentence"),
        ]

    def candidates(self, text: str) -> Iterator[Candidate]:
        """Yield name spans (group 1 of each rule, so titles stay visible)."""
        text = title_case_caps_runs(text)
        taken: list[tuple[int, int]] = []
        for rx, score, why in self._rules:
            for m in rx.finditer(text):
                start, end = m.span(1)
                if any(s < end and start < t for s, t in taken):
                    continue
                if any(w in self._not_names for w in m.group(1).split()):
                    continue
                if why == "given name" and _company_quote(text, start, end):
                    continue
                if why.startswith("surname ending") and not _mid_sentence(text, start):
                    continue
                taken.append((start, end))
                yield Candidate("PERSON", start, end, score, why)
