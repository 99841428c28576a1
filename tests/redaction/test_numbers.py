"""Checksums for IIN, BIN, IBAN and cards: fixed examples and Hypothesis properties."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from redaction import numbers as n

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def test_check_digit_first_pass() -> None:
    # 1*8+2*5+3*0+4*3+5*1+6*2+7*3+8*0+9*0+10*1+11*2 = 100 → 100 mod 11 = 1
    assert n.kz_check_digit("85031230012") == 1
    assert n.kz_checksum_ok("850312300121")
    assert not n.kz_checksum_ok("850312300122")


def test_check_digit_second_pass_and_impossible() -> None:
    rng = random.Random(7)
    second_pass = impossible = 0
    for _ in range(5000):
        first11 = "".join(str(rng.randrange(10)) for _ in range(11))
        digits = [int(c) for c in first11]
        first = sum(d * w for d, w in zip(digits, range(1, 12), strict=True)) % 11
        check = n.kz_check_digit(first11)
        if first != 10:
            assert check == first
            continue
        weights = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
        second = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if second == 10:
            impossible += 1
            assert check is None
        else:
            second_pass += 1
            assert check == second
    assert second_pass and impossible


def test_iin_structure() -> None:
    iin = n.make_iin(rng=random.Random(1), born=dt.date(1985, 3, 12), male=True)
    assert iin.startswith("8503123")
    assert n.iin_birth_date(iin) == dt.date(1985, 3, 12)
    assert n.is_valid_iin(iin)
    assert n.is_valid_iin(f"{iin[:6]} {iin[6:]}")
    assert not n.is_valid_bin(iin)


def test_iin_rejects_bad_date_and_century() -> None:
    assert n.iin_birth_date("851312300121") is None  # month 13
    assert n.iin_birth_date("850230300121") is None  # 30 February
    assert n.iin_birth_date("850312700121") is None  # century digit 7
    assert n.iin_birth_date("000229500121") == dt.date(2000, 2, 29)


def test_bin_structure() -> None:
    value = n.make_bin(rng=random.Random(3))
    assert n.is_valid_bin(value)
    assert value[4] in "456"
    assert not n.is_valid_iin(value)


def test_iban_examples() -> None:
    assert n.iban_ok("GB82 WEST 1234 5698 7654 32")
    assert not n.iban_ok("GB82 WEST 1234 5698 7654 33")
    assert n.is_valid_kz_iban(n.make_kz_iban(rng=random.Random(5)))
    assert not n.is_valid_kz_iban("GB82WEST12345698765432")


def test_luhn_examples() -> None:
    assert n.luhn_ok("4111 1111 1111 1111")
    assert not n.luhn_ok("4111 1111 1111 1112")
    assert not n.is_valid_card("0000000000000000")  # passes Luhn, never a card
    assert not n.is_valid_card("4111111")


@settings(max_examples=300, deadline=None)
@given(seed=seeds)
def test_generated_iin_valid_and_single_digit_mutation_rejected(seed: int) -> None:
    rng = random.Random(seed)
    iin = n.make_iin(rng=rng)
    assert n.is_valid_iin(iin)
    position = rng.randrange(12)
    mutated = n.mutate_digit(number=iin, position=position, rng=rng)
    assert _detected(iin, mutated)
    if _first_pass(iin) != 10 and _first_pass(mutated) != 10 and position != 10:
        assert not n.is_valid_iin(mutated)


@settings(max_examples=300, deadline=None)
@given(seed=seeds)
def test_generated_bin_valid_and_mutation_rejected(seed: int) -> None:
    rng = random.Random(seed)
    value = n.make_bin(rng=rng)
    assert n.is_valid_bin(value)
    mutated = n.mutate_digit(number=value, position=rng.randrange(12), rng=rng)
    assert _detected(value, mutated)


def _first_pass(number: str) -> int:
    return sum(int(d) * w for d, w in zip(number[:11], range(1, 12), strict=True)) % 11


def _detected(original: str, mutated: str) -> bool:
    """The IIN/BIN scheme's guarantee for one changed digit.

    Weights 1..10 are coprime to 11, so while both numbers stay in the first pass a
    change in digits 1-10 or in the check digit always shows. The 11th digit has weight
    11 ≡ 0 (mod 11): the first pass cannot see it at all. A change can also slip through
    when it moves the number into or out of the second pass (first-pass remainder 10).
    """
    if not n.kz_checksum_ok(mutated):
        return True
    changed = next(i for i, (a, b) in enumerate(zip(original, mutated, strict=True)) if a != b)
    both_first_pass = _first_pass(original) != 10 and _first_pass(mutated) != 10
    if both_first_pass:
        return changed == 10
    return (_first_pass(original) == 10) != (_first_pass(mutated) == 10)


def test_single_digit_errors_are_mostly_caught() -> None:
    # About 11 in 12: every position except the 11th (weight 11 ≡ 0) in the usual case.
    rng = random.Random(11)
    caught = total = 0
    for _ in range(3000):
        iin = n.make_iin(rng=rng)
        for position in range(12):
            total += 1
            caught += not n.kz_checksum_ok(n.mutate_digit(number=iin, position=position, rng=rng))
    assert 0.88 < caught / total < 0.95


@settings(max_examples=300, deadline=None)
@given(seed=seeds)
def test_generated_iban_valid_and_mutation_rejected(seed: int) -> None:
    rng = random.Random(seed)
    iban = n.make_kz_iban(rng=rng)
    assert n.is_valid_kz_iban(iban)
    digit_positions = [i for i, ch in enumerate(iban) if ch.isdigit() and i >= 2]
    mutated = n.mutate_digit(number=iban, position=rng.choice(digit_positions), rng=rng)
    # mod 97 detects every single-character substitution.
    assert not n.is_valid_kz_iban(mutated)


@settings(max_examples=300, deadline=None)
@given(seed=seeds, length=st.integers(min_value=13, max_value=19))
def test_generated_card_valid_and_mutation_rejected(seed: int, length: int) -> None:
    rng = random.Random(seed)
    card = n.make_card(rng=rng, length=length)
    assert n.luhn_ok(card)
    mutated = n.mutate_digit(number=card, position=rng.randrange(length), rng=rng)
    # Luhn detects every single-digit substitution.
    assert not n.luhn_ok(mutated)
