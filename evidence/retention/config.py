"""The retention table: categories, legal bases and purposes, from YAML.

The operator edits `$DALEL_DATA_DIR/retention.yaml` (a copy of the shipped `default.yaml`).
A table with any error is refused as a whole, with a message naming the entry; nothing
of it is applied. A loaded table is kept in the database (`retention_config`), so every
process and host applies the same one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from evidence.errors import InvalidInput
from evidence.retention.periods import INDEFINITE, Clock, Period

DEFAULT_PATH = Path(__file__).with_name("default.yaml")
FILE_NAME = "retention.yaml"
LANGUAGES = ("kk", "ru", "en")
MAX_YEARS = 200
_CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")


class RetentionConfigError(InvalidInput):
    """The retention table is malformed; nothing of it was applied."""

    title = "Invalid retention table"


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    names: dict[str, str]
    originals: Period
    derivatives: Period

    def period(self, *, original: bool) -> Period:
        return self.originals if original else self.derivatives


@dataclass(frozen=True, slots=True)
class RetentionConfig:
    categories: dict[str, Category]
    default_category: str
    legal_bases: dict[str, dict[str, str]]
    purposes: dict[str, dict[str, str]]

    def category(self, code: str | None) -> Category:
        """The named category, or the default one for None (or a code no longer known)."""
        return self.categories.get(code or "", self.categories[self.default_category])

    def as_json(self) -> dict[str, Any]:
        """Plain JSON of the table, in the shape `parse` reads."""
        return {
            "version": 1,
            "default_category": self.default_category,
            "categories": {
                c.code: {
                    "name": c.names,
                    "originals": c.originals.as_json(),
                    "derivatives": c.derivatives.as_json(),
                }
                for c in self.categories.values()
            },
            "legal_bases": self.legal_bases,
            "purposes": self.purposes,
        }

    @property
    def digest(self) -> str:
        raw = json.dumps(self.as_json(), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(raw).hexdigest()


def _fail(template: str, **params: Any) -> RetentionConfigError:
    return RetentionConfigError(template, **params)


def _code(value: Any, where: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64 or set(value) - _CODE_CHARS:
        raise _fail(
            "%(where)s: a code is 1–64 lower-case letters, digits, '-', '_' or '.'", where=where
        )
    return value


def _names(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _fail("%(where)s needs a name in kk, ru and en", where=where)
    names = {}
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip() or len(text) > 300:
            raise _fail(
                "%(where)s: the %(language)s name is missing or too long",
                where=where,
                language=language,
            )
        names[language] = text.strip()
    return names


def parse_period(value: Any, where: str) -> Period:
    """A period from its YAML form (`indefinite` or {years, months, days, from})."""
    if value == "indefinite":
        return INDEFINITE
    if not isinstance(value, dict):
        raise _fail(
            "%(where)s: a period is 'indefinite' or {years, months, days, from}", where=where
        )
    unknown = set(value) - {"years", "months", "days", "from"}
    if unknown:
        raise _fail(
            "%(where)s: unknown period fields %(fields)s", where=where, fields=sorted(unknown)
        )
    amounts = {}
    for unit in ("years", "months", "days"):
        amount = value.get(unit, 0)
        if type(amount) is not int:
            raise _fail("%(where)s: %(unit)s must be a whole number", where=where, unit=unit)
        if amount < 0:
            raise _fail(
                "%(where)s: %(unit)s is negative (%(amount)d); a period is never negative",
                where=where,
                unit=unit,
                amount=amount,
            )
        amounts[unit] = amount
    if amounts["years"] + amounts["months"] // 12 + amounts["days"] // 366 > MAX_YEARS:
        raise _fail("%(where)s: a period longer than %(max)d years", where=where, max=MAX_YEARS)
    try:
        clock = Clock(str(value.get("from")))
    except ValueError:
        raise _fail(
            "%(where)s: 'from' is one of %(clocks)s", where=where, clocks=[str(c) for c in Clock]
        ) from None
    return Period(clock=clock, **amounts)


def _code_table(value: Any, where: str) -> dict[str, dict[str, str]]:
    if not isinstance(value, dict) or not value:
        raise _fail("%(where)s: at least one entry with names in kk, ru and en", where=where)
    return {_code(code, where): _names(names, f"{where} {code}") for code, names in value.items()}


def parse(data: Any) -> RetentionConfig:
    """Validate a table (parsed YAML or JSON); RetentionConfigError names the first error."""
    if not isinstance(data, dict):
        raise _fail("the retention table is not a mapping")
    if data.get("version", 1) != 1:
        raise _fail("unsupported retention table version %(version)s", version=data.get("version"))
    raw = data.get("categories")
    if not isinstance(raw, dict) or not raw:
        raise _fail("the retention table has no categories")
    categories = {}
    for code, entry in raw.items():
        where = f"category {code}"
        _code(code, where)
        if not isinstance(entry, dict):
            raise _fail("%(where)s is not a mapping", where=where)
        originals = parse_period(entry.get("originals"), f"{where} originals")
        derivatives = (
            parse_period(entry["derivatives"], f"{where} derivatives")
            if "derivatives" in entry
            else originals
        )
        categories[code] = Category(code, _names(entry.get("name"), where), originals, derivatives)
    default = data.get("default_category")
    if default not in categories:
        raise _fail("default_category must name one of the categories")
    return RetentionConfig(
        categories=categories,
        default_category=str(default),
        legal_bases=_code_table(data.get("legal_bases"), "legal_bases"),
        purposes=_code_table(data.get("purposes"), "purposes"),
    )


def parse_yaml(text: str) -> RetentionConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _fail("the retention table is not valid YAML: %(error)s", error=str(exc)) from exc
    return parse(data)


def shipped_default() -> RetentionConfig:
    return parse_yaml(DEFAULT_PATH.read_text(encoding="utf-8"))


def table_path(data_dir: Path) -> Path:
    """Where the operator's table lives."""
    return data_dir / FILE_NAME


def read_table(data_dir: Path) -> tuple[RetentionConfig, str]:
    """The operator's table (or the shipped default when there is none) and its source."""
    path = table_path(data_dir)
    if path.is_file():
        return parse_yaml(path.read_text(encoding="utf-8")), str(path)
    return shipped_default(), "shipped default"
