"""Normalise OCR look-alike letters in identifiers (IINs, licence plates).

Tesseract with eng+rus+kaz readily reads "IIN" as Cyrillic "ІІМ", "ABC" as "АВС",
and a smudged "0" as "O". Searching and PII detection need the canonical form, so
these helpers rewrite only inside tokens that already look like the identifier;
ordinary words are never touched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TO_DIGIT = str.maketrans(
    {
        "O": "0", "o": "0", "О": "0", "о": "0", "Q": "0", "D": "0",
        "I": "1", "l": "1", "|": "1", "І": "1", "і": "1", "i": "1", "!": "1",
        "Z": "2", "z": "2",
        "З": "3", "з": "3",
        "Ч": "4", "ч": "4",
        "S": "5", "s": "5",
        "Б": "6", "б": "6", "b": "6", "G": "6",
        "T": "7", "Т": "7",
        "B": "8", "В": "8",
        "g": "9", "q": "9",
    }
)  # fmt: skip
_TO_LATIN = str.maketrans(
    {
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ү": "Y",
        "а": "A", "в": "B", "е": "E", "к": "K", "м": "M", "н": "H", "о": "O", "р": "P",
        "с": "C", "т": "T", "х": "X", "у": "Y", "і": "I",
        "0": "O", "8": "B", "1": "I", "5": "S",
    }
)  # fmt: skip
_DIGITISH = "0-9OoОоQDIl|ІіiZzЗзЧчSsБбbGTТBВgq!"
# 12 characters of which at least 8 are real digits; spaces inside are not allowed.
_IIN_CANDIDATE = re.compile(rf"(?<![{_DIGITISH}\w])[{_DIGITISH}]{{12}}(?![{_DIGITISH}\w])")
_PLATE = re.compile(r"^(\d{3})([A-Z]{2,3})(\d{2})$")


def to_digits(text: str) -> str:
    """Replace letters that OCR confuses with digits ('O'→'0', 'І'→'1', 'З'→'3')."""
    return text.translate(_TO_DIGIT)


def to_latin(text: str) -> str:
    """Upper-case, with Cyrillic look-alikes mapped to the Latin letters they resemble."""
    return text.translate(_TO_LATIN).upper()


def iin_is_valid(iin: str) -> bool:
    """Kazakhstan IIN/BIN control digit (weights 1..11, then 3..11,1,2 when the sum is 10)."""
    if not re.fullmatch(r"\d{12}", iin):
        return False
    digits = [int(c) for c in iin]
    check = sum(d * w for d, w in zip(digits[:11], range(1, 12), strict=True)) % 11
    if check == 10:
        weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        check = sum(d * w for d, w in zip(digits[:11], weights, strict=True)) % 11
        if check == 10:
            return False
    return check == digits[11]


@dataclass(frozen=True, slots=True)
class IinMatch:
    start: int
    end: int
    raw: str
    iin: str
    valid: bool


def find_iins(text: str, *, min_real_digits: int = 8) -> list[IinMatch]:
    """12-character tokens that read as IINs once look-alikes are mapped to digits."""
    out = []
    for m in _IIN_CANDIDATE.finditer(text):
        raw = m.group(0)
        if sum(c.isdigit() for c in raw) < min_real_digits:
            continue
        iin = to_digits(raw)
        out.append(IinMatch(m.start(), m.end(), raw, iin, iin_is_valid(iin)))
    return out


def normalise_plate(text: str) -> str | None:
    """Kazakhstan plate '123 АВС 02' / '123ABC02' → '123ABC02'; None when not a plate.

    Digit positions get `to_digits`, letter positions `to_latin`, so a Cyrillic
    'АВС' and a misread 'O2' region both come out canonical.
    """
    groups = re.split(r"[\s\-]+", text.strip())
    if len(groups) == 3:
        # Spaced as printed: the groups are the parts, whatever OCR did to them.
        head, mid, tail = groups
    else:
        compact = "".join(groups)
        if not 7 <= len(compact) <= 8:
            return None
        letters = len(compact) - 5
        head, mid, tail = compact[:3], compact[3 : 3 + letters], compact[3 + letters :]
    candidate = to_digits(head) + to_latin(mid) + to_digits(tail)
    return candidate if _PLATE.match(candidate) else None
