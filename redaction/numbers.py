"""Checksums and structure checks for Kazakhstan identifiers, IBANs and card numbers.

Pure functions on digit strings, shared by the recognizers, the evaluation-set builder and
the tests. The ``make_*`` helpers build valid numbers from a ``random.Random`` so the
evaluation set and property tests never contain real people's identifiers.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
# 7th IIN digit: century and sex (odd = male). 1/2 → 1800s, 3/4 → 1900s, 5/6 → 2000s.
_CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}
# 5th BIN digit: 4 resident legal entity, 5 non-resident, 6 individual entrepreneur.
_BIN_KINDS = frozenset("456")
_NON_DIGITS = re.compile(r"\D")


def only_digits(text: str) -> str:
    """Return ``text`` with every non-digit removed (spaces, hyphens, dots)."""
    return _NON_DIGITS.sub("", text)


def kz_check_digit(first11: str) -> int | None:
    """Return the IIN/BIN check digit for 11 digits, or None when no digit is possible.

    Weights 1..11 mod 11; a remainder of 10 triggers a second pass with weights
    3..11,1,2; a second 10 means no valid number starts with these digits.
    """
    if len(first11) != 11 or not first11.isdigit():
        return None
    digits = [int(c) for c in first11]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if rest != 10:
            return rest
    return None


def kz_checksum_ok(number: str) -> bool:
    """True when a 12-digit string carries a correct IIN/BIN check digit."""
    if len(number) != 12 or not number.isdigit():
        return False
    return kz_check_digit(number[:11]) == int(number[11])


def iin_birth_date(number: str) -> dt.date | None:
    """Return the birth date encoded in an IIN, or None when digits 1-7 are not a date."""
    if len(number) != 12 or not number.isdigit():
        return None
    century = _CENTURY.get(int(number[6]))
    if century is None:
        return None
    try:
        return dt.date(century + int(number[:2]), int(number[2:4]), int(number[4:6]))
    except ValueError:
        return None


def is_valid_iin(number: str) -> bool:
    """True for a valid IIN: 12 digits, birth date, century/sex digit and checksum."""
    number = only_digits(number)
    return iin_birth_date(number) is not None and kz_checksum_ok(number)


def is_valid_bin(number: str) -> bool:
    """True for a valid BIN: registration month, entity-kind digit and checksum."""
    number = only_digits(number)
    if len(number) != 12 or not number.isdigit():
        return False
    if not 1 <= int(number[2:4]) <= 12 or number[4] not in _BIN_KINDS:
        return False
    return kz_checksum_ok(number)


def luhn_ok(number: str) -> bool:
    """True when a digit string passes the Luhn check (bank cards)."""
    number = only_digits(number)
    if not number:
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_valid_card(number: str) -> bool:
    """True for 13-19 digits passing Luhn that do not consist of one repeated digit."""
    digits = only_digits(number)
    return 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_ok(digits)


def iban_ok(iban: str) -> bool:
    """True when an IBAN passes the ISO 13616 mod-97 check (any country)."""
    compact = re.sub(r"[\s-]", "", iban).upper()
    if len(compact) < 15 or not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    as_digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(as_digits) % 97 == 1


def is_valid_kz_iban(iban: str) -> bool:
    """True for a 20-character Kazakhstan IBAN (KZ, 2 check digits, 16 BBAN) with mod 97 = 1."""
    compact = re.sub(r"[\s-]", "", iban).upper()
    return len(compact) == 20 and compact.startswith("KZ") and iban_ok(compact)


# --- generators (tests and the evaluation set) --------------------------------------------


def _with_check(rng: random.Random, prefix_fn: Callable[[], str]) -> str:
    while True:
        first11 = prefix_fn()
        check = kz_check_digit(first11)
        if check is not None:
            return first11 + str(check)


def make_iin(*, rng: random.Random, born: dt.date | None = None, male: bool | None = None) -> str:
    """Build a valid IIN for ``born`` (random date 1940-2015 when None)."""
    if born is None:
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(27_000))
    if male is None:
        male = rng.random() < 0.5
    century_digit = {1800: 1, 1900: 3, 2000: 5}[born.year // 100 * 100] + (0 if male else 1)
    head = f"{born:%y%m%d}{century_digit}"
    return _with_check(rng, lambda: head + f"{rng.randrange(10_000):04d}")


def make_bin(*, rng: random.Random) -> str:
    """Build a valid BIN (random registration year/month, resident legal entity)."""

    def prefix() -> str:
        return (
            f"{rng.randrange(100):02d}{rng.randint(1, 12):02d}"
            f"{rng.choice('4456')}{rng.choice('0012')}{rng.randrange(100_000):05d}"
        )

    return _with_check(rng, prefix)


def make_card(*, rng: random.Random, length: int = 16, prefix: str = "4") -> str:
    """Build a Luhn-valid card number of ``length`` digits starting with ``prefix``."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        if luhn_ok(body + check):
            return body + check
    raise AssertionError("unreachable: one Luhn digit always fits")


def make_kz_iban(*, rng: random.Random, bank: str | None = None) -> str:
    """Build a valid KZ IBAN: 3-digit bank code and 13-character account."""
    bank = bank or rng.choice(["722", "601", "998", "949", "826", "551", "914", "965"])
    bban = bank + "".join(rng.choice("0123456789" * 3 + "ABCKTSZ") for _ in range(13))
    rearranged = bban + "KZ00"
    check = 98 - int("".join(str(int(ch, 36)) for ch in rearranged)) % 97
    return f"KZ{check:02d}{bban}"


def mutate_digit(*, number: str, position: int, rng: random.Random) -> str:
    """Return ``number`` with the digit at ``position`` replaced by a different digit."""
    old = number[position]
    new = rng.choice([d for d in "0123456789" if d != old])
    return number[:position] + new + number[position + 1 :]
