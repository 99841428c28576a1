"""Words of the redaction pages that reach them as data (plan states, decisions, sources,
entity types, residual checks, a version's change), marked for the catalog tool and put
into the page's language by the template helpers below."""

from __future__ import annotations

import re
from typing import Any

from evidence import i18n
from evidence.i18n import N_

PLAN_STATUSES = [
    N_("draft"),
    N_("approved"),
    N_("superseded"),
    N_("analysing"),
    N_("rendering"),
    N_("failed"),
]
DECISIONS = {"pending": N_("undecided"), "accepted": N_("hidden"), "rejected": N_("kept")}
SOURCES = {
    "analyzer": N_("analyzer"),
    "manual": N_("by hand"),
    "face": N_("face detector"),
    "plate": N_("plate detector"),
}
# Entity types of the recognizers (custom patterns may add codes: shown as they are).
ENTITIES = {
    "PERSON": N_("person"),
    "KZ_IIN": N_("IIN"),
    "KZ_BIN": N_("BIN"),
    "PHONE_NUMBER": N_("phone number"),
    "EMAIL_ADDRESS": N_("e-mail address"),
    "IP_ADDRESS": N_("IP address"),
    "ADDRESS": N_("address"),
    "DATE_OF_BIRTH": N_("date of birth"),
    "KZ_ID_CARD": N_("identity card"),
    "KZ_PASSPORT": N_("passport"),
    "KZ_VEHICLE_PLATE": N_("vehicle plate"),
    "IBAN_CODE": N_("bank account"),
    "CREDIT_CARD": N_("bank card"),
    "LOCATION": N_("place"),
    "ORGANIZATION": N_("organisation"),
    "FACE": N_("face"),
    "PLATE": N_("vehicle plate"),
    "MANUAL": N_("marked by hand"),
}
# Why a recognizer proposed something (``RedactionProposal.explanation``); explanations
# not listed (a deployment's own patterns) are not shown on the pages.
EXPLANATIONS = {
    "checksum fails": N_("checksum fails: possibly a mistyped IIN"),
    "IIN checksum and date": N_("IIN checksum and date"),
    "BIN checksum": N_("BIN checksum"),
    "KZ phone format": N_("phone number format"),
    "KZ mobile, no prefix": N_("mobile number without a prefix"),
    "IBAN mod 97": N_("account number check digits"),
    "KZ IBAN mod 97": N_("account number check digits"),
    "Luhn": N_("card number check digit"),
    "current plate": N_("plate format"),
    "older plate": N_("older plate format"),
    "street": N_("street and house number"),
    "date + birth word": N_("date next to a birth word"),
    "name + patronymic": N_("name and patronymic"),
    "surname + initials": N_("surname and initials"),
    "initials + surname": N_("surname and initials"),
    "surname + given name": N_("surname and given name"),
    "given name + surname": N_("surname and given name"),
    "given name": N_("given name from the list"),
    "surname ending": N_("surname ending"),
    "surname ending mid-sentence": N_("surname ending"),
    "natasha PER": N_("name recognised by the language model"),
    "redact everywhere in the case": N_("searched everywhere in the case"),
    "face detector": N_("found by the face detector"),
    "plate detector": N_("found by the licence plate detector"),
}
CHECKS = {
    "text": N_("text"),
    "transcript": N_("transcript"),
    "ocr": N_("recognised text"),
    "text_layer": N_("hidden text layer"),
    "metadata": N_("metadata"),
    "audio": N_("audio"),
    "faces": N_("faces"),
}
# A version's `change` (redaction.service, .jobs, .stages and .revise write these English notes).
_CHANGES = [
    (re.compile(r"analysis queued$"), N_("analysis queued")),
    (re.compile(r"analysis$"), N_("analysis")),
    (re.compile(r"manual: (?P<n>\d+) added$"), N_("%(n)s added by hand")),
    (
        re.compile(r"redact all occurrences \((?P<n>\d+) characters\)$"),
        N_("every occurrence redacted (%(n)s characters)"),
    ),
    (re.compile(r"boxes moved: (?P<n>\d+)$"), N_("boxes of proposal %(n)s moved")),
    (re.compile(r"undo: back to version (?P<n>\d+)$"), N_("undone: back to version %(n)s")),
    (
        re.compile(r"redact everywhere in the case \((?P<n>\d+) characters\)$"),
        N_("proposed everywhere in the case (%(n)s characters)"),
    ),
]
_DECIDED = re.compile(
    r"decisions (?P<counts>[^;]*)(?:; pending → (?P<default>\w+))?"
    r"(?:; bases: (?P<bases>\d+), notes: (?P<notes>\d+))?$"
)


def word(table: dict[str, str], code: object) -> str:
    """`code` by its label in the page's language (unknown codes as they are)."""
    label = table.get(str(code))
    return i18n.gettext(label) if label else str(code)


def change(text: str | None) -> str:
    """A plan version's change note in the page's language (as stored when unknown)."""
    if not text:
        return ""
    for pattern, template in _CHANGES:
        if found := pattern.match(text):
            return i18n.gettext(template, **found.groupdict())
    if found := _DECIDED.match(text):
        parts = []
        for pair in filter(None, (p.strip() for p in found["counts"].split(","))):
            decision, _, count = pair.partition(": ")
            parts.append(f"{word(DECISIONS, decision)}: {count}")
        notes = [i18n.gettext("decisions: %(counts)s", counts=", ".join(parts))] if parts else []
        if found["default"]:
            decision = word(DECISIONS, found["default"])
            notes.append(i18n.gettext("undecided → %(decision)s", decision=decision))
        if found["bases"]:
            notes.append(
                i18n.gettext(
                    "legal bases set: %(bases)s, notes: %(notes)s",
                    bases=found["bases"],
                    notes=found["notes"],
                )
            )
        return "; ".join(notes)
    return text


def detail(problem: dict[str, Any]) -> str:
    """A residual problem's description in the page's language."""
    template = problem.get("template")
    if not template:
        return str(problem.get("detail") or "")
    try:
        return i18n.gettext(str(template), **(problem.get("params") or {}))
    except (KeyError, TypeError, ValueError):
        return str(problem.get("detail") or "")


GLOBALS = {
    "entity_label": lambda code: word(ENTITIES, code),
    "decision_label": lambda code: word(DECISIONS, code),
    "source_label": lambda code: word(SOURCES, code),
    "check_label": lambda code: word(CHECKS, code),
    "change_label": change,
    "basis_label": lambda code: _basis_label(code),
    "explanation_label": lambda code: word(EXPLANATIONS, code) if code in EXPLANATIONS else "",
    "problem_detail": detail,
}


def _basis_label(code: object) -> str:
    from redaction.exemptions import basis_label

    return basis_label(str(code))
