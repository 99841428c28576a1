"""Cheap language identification for kk / ru / en by script and letter frequency."""

from __future__ import annotations

KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# Kazakh text has several percent of these letters; Russian text that merely quotes a
# Kazakh name (Бекұлы) stays well below this share.
_KAZAKH_SHARE = 0.02


def detect_language(*, text: str) -> str:
    """Return "kk", "ru" or "en" for ``text`` (default "ru" when it has no letters)."""
    cyrillic = latin = kazakh = 0
    for ch in text:
        if not ch.isalpha():
            continue
        if ch in KAZAKH_LETTERS:
            kazakh += 1
            cyrillic += 1
        elif "\u0400" <= ch <= "\u04ff":
            cyrillic += 1
        elif ch.isascii():
            latin += 1
    if cyrillic == 0 and latin == 0:
        return "ru"
    if latin > cyrillic:
        return "en"
    return "kk" if kazakh / cyrillic >= _KAZAKH_SHARE else "ru"
