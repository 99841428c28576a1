"""Hypothesis: valid identifiers are found wherever and however they are written; a
changed check digit makes them disappear, except after an IIN label, where the number is
a possible typo proposed with a low score."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from redaction import numbers as n
from redaction.recognizers.finance import CardRecognizer, IbanRecognizer
from redaction.recognizers.identifiers import KzIdentifierRecognizer

seeds = st.integers(min_value=0, max_value=2**32 - 1)
words = st.sampled_from(["ИИН", "ЖСН", "IIN", "номер", "нөмірі", "счёт", "card", "карта", ""])
separators = st.sampled_from([" ", "-"])

IDS = KzIdentifierRecognizer(language="ru")
CARDS = CardRecognizer(language="ru")
IBANS = IbanRecognizer(language="ru")


def spans(recognizer, text: str) -> list[tuple[str, str]]:
    return [(c.entity, text[c.start : c.end]) for c in recognizer.candidates(text)]


def group(value: str, sizes: tuple[int, ...], sep: str) -> str:
    out, pos = [], 0
    for size in sizes:
        out.append(value[pos : pos + size])
        pos += size
    return sep.join(out)


@settings(max_examples=100, deadline=None)
@given(
    seed=seeds,
    before=words,
    after=words,
    sizes=st.sampled_from([(12,), (6, 6), (4, 4, 4), (3, 3, 3, 3), (6, 3, 3)]),
    sep=separators,
)
def test_iin_found_in_any_grouping_and_context(seed, before, after, sizes, sep) -> None:
    rng = random.Random(seed)
    value = group(n.make_iin(rng=rng), sizes, sep)
    text = f"{before} {value}, {after}"
    assert spans(IDS, text) == [("KZ_IIN", value)]
    broken = value[:-1] + str((int(value[-1]) + 1) % 10)
    typos = list(IDS.candidates(f"{before} {broken}, {after}"))
    if before in ("ИИН", "ЖСН", "IIN"):
        assert [(c.entity, c.score, c.why) for c in typos] == [("KZ_IIN", 0.45, "checksum fails")]
    else:
        assert typos == []


@settings(max_examples=100, deadline=None)
@given(seed=seeds, before=words, grouped=st.booleans())
def test_bin_found(seed, before, grouped) -> None:
    value = n.make_bin(rng=random.Random(seed))
    if grouped:
        value = group(value, (4, 4, 4), " ")
    assert spans(IDS, f"{before} {value}.") == [("KZ_BIN", value)]


@settings(max_examples=100, deadline=None)
@given(seed=seeds, before=words, sep=st.sampled_from([" ", "-", ""]))
def test_card_found(seed, before, sep) -> None:
    value = group(n.make_card(rng=random.Random(seed)), (4, 4, 4, 4), sep)
    assert spans(CARDS, f"{before} {value} ") == [("CREDIT_CARD", value)]


@settings(max_examples=100, deadline=None)
@given(seed=seeds, before=words, grouped=st.booleans())
def test_kz_iban_found(seed, before, grouped) -> None:
    value = n.make_kz_iban(rng=random.Random(seed))
    if grouped:
        value = group(value, (4, 4, 4, 4, 4), " ")
    assert spans(IBANS, f"{before} {value} в банке") == [("IBAN_CODE", value)]
