"""Builds the labelled evaluation set from hand-written marked-up sentences.

Source lines live in ``data/eval/src/{kk,ru,en}.txt``, one text per line:

* ``[[TYPE:literal text]]`` marks a labelled span (``P`` is short for PERSON, see
  ``SHORT``);
* ``{{KIND}}`` inserts a generated identifier with a valid checksum and labels it
  (IIN, IIN_SP, BIN, BIN_SP, CARD, CARD_SP, IBAN, IBAN_SP);
* ``{{!KIND}}`` inserts a same-shaped number with a wrong check digit, unlabelled
  (a hard negative the analyzer must not propose);
* ``{{?KIND}}`` inserts such a number labelled: a typo in IIN context («ИИН», «ЖСН»),
  which the analyzer proposes as a possible IIN with a low score.

Lines after ``# --- holdout`` were written after the recognizers were tuned on the lines
before them and were not used for tuning; records carry ``"split": "dev" | "holdout"``.

Generated numbers come from a fixed seed, so ``python -m redaction.evalset`` rewrites
identical ``data/eval/*.jsonl`` files. Nothing here is a real person's identifier.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redaction import numbers as n

EVAL_DIR = Path(__file__).parent / "data" / "eval"
LANGUAGES = ("kk", "ru", "en")
SHORT = {
    "P": "PERSON",
    "PH": "PHONE_NUMBER",
    "ADDR": "ADDRESS",
    "DOB": "DATE_OF_BIRTH",
    "ID": "KZ_ID_CARD",
    "PASS": "KZ_PASSPORT",
    "PLATE": "KZ_VEHICLE_PLATE",
    "EMAIL": "EMAIL_ADDRESS",
    "IP": "IP_ADDRESS",
    "IBAN": "IBAN_CODE",
    "CARD": "CREDIT_CARD",
    "IIN": "KZ_IIN",
    "BIN": "KZ_BIN",
}
_TOKEN = re.compile(r"\[\[([A-Z_]+):(.+?)\]\]|\{\{([!?]?)([A-Z_]+)\}\}")


def _group(value: str, sizes: tuple[int, ...]) -> str:
    parts, pos = [], 0
    for size in sizes:
        parts.append(value[pos : pos + size])
        pos += size
    return " ".join(parts)


def _bad(valid_fn: Callable[[str], bool], make_fn: Callable[[], str], rng: random.Random) -> str:
    # Mutate the check digit until the number no longer validates.
    while True:
        value = make_fn()
        bad = n.mutate_digit(number=value, position=len(value) - 1, rng=rng)
        if not valid_fn(bad):
            return bad


def generate(*, kind: str, valid: bool, rng: random.Random) -> tuple[str, str]:
    """Return ``(entity type, text)`` for a ``{{KIND}}`` placeholder."""
    makers: dict[str, tuple[str, Callable[[], str], Callable[[str], bool], tuple[int, ...]]] = {
        "IIN": ("KZ_IIN", lambda: n.make_iin(rng=rng), n.is_valid_iin, (12,)),
        "IIN_SP": ("KZ_IIN", lambda: n.make_iin(rng=rng), n.is_valid_iin, (6, 6)),
        "BIN": ("KZ_BIN", lambda: n.make_bin(rng=rng), n.is_valid_bin, (12,)),
        "BIN_SP": ("KZ_BIN", lambda: n.make_bin(rng=rng), n.is_valid_bin, (4, 4, 4)),
        "CARD": ("CREDIT_CARD", lambda: n.make_card(rng=rng), n.is_valid_card, (16,)),
        "CARD_SP": (
            "CREDIT_CARD",
            lambda: n.make_card(rng=rng, prefix=rng.choice(["4", "51", "55", "2200"])),
            n.is_valid_card,
            (4, 4, 4, 4),
        ),
        "IBAN": ("IBAN_CODE", lambda: n.make_kz_iban(rng=rng), n.is_valid_kz_iban, (20,)),
        "IBAN_SP": (
            "IBAN_CODE",
            lambda: n.make_kz_iban(rng=rng),
            n.is_valid_kz_iban,
            (4, 4, 4, 4, 4),
        ),
    }
    entity, make, check, sizes = makers[kind]
    value = make() if valid else _bad(check, make, rng)
    return entity, _group(value, sizes)


def parse_line(*, line: str, rng: random.Random, split: str = "dev") -> dict[str, Any]:
    """Turn one marked-up source line into ``{"text", "entities"}``."""
    text, entities, pos = [], [], 0
    length = 0
    for m in _TOKEN.finditer(line):
        chunk = line[pos : m.start()]
        text.append(chunk)
        length += len(chunk)
        if m.group(1):
            entity, value = SHORT.get(m.group(1), m.group(1)), m.group(2)
            labelled = True
        else:
            entity, value = generate(kind=m.group(4), valid=not m.group(3), rng=rng)
            labelled = m.group(3) != "!"
        if labelled:
            entities.append({"type": entity, "start": length, "end": length + len(value)})
        text.append(value)
        length += len(value)
        pos = m.end()
    text.append(line[pos:])
    return {"text": "".join(text), "entities": entities, "split": split}


def build(*, seed: int = 20261121) -> dict[str, list[dict[str, Any]]]:
    """Parse every source file; returns records per language."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    out = {}
    for lang in LANGUAGES:
        lines = (EVAL_DIR / "src" / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        records, split = [], "dev"
        for line in lines:
            if line.startswith("# --- holdout"):
                split = "holdout"
            if line.strip() and not line.startswith("#"):
                records.append(parse_line(line=line, rng=rng, split=split))
        out[lang] = records
    return out


def load(*, language: str) -> list[dict[str, Any]]:
    """Read the committed ``data/eval/<language>.jsonl`` records."""
    path = EVAL_DIR / f"{language}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> None:
    """Rewrite ``data/eval/*.jsonl`` from the sources."""
    for lang, records in build().items():
        with (EVAL_DIR / f"{lang}.jsonl").open("w", encoding="utf-8") as fh:
            for record in records:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        count = sum(len(r["entities"]) for r in records)
        print(f"{lang}: {len(records)} texts, {count} entities")


if __name__ == "__main__":
    main()
