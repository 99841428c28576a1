"""HTTP byte ranges as RFC 9110 §14 says: one range served, the rest per the rules.

`parse_range` reads a `Range` header into a `ByteRange`, or None when the header is
absent or must be ignored (another unit, several ranges, bad syntax: the whole
representation is served with 200). `ByteRange.resolve` fits it to a size, raising
`RangeNotSatisfiable` (416, with `Content-Range: bytes */size`) when nothing of the
file is in it — e.g. a first byte past the end, or the empty suffix `bytes=-0`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.errors import EvidenceError

_SINGLE = re.compile(r"bytes=(\d{0,30})-(\d{0,30})")


class RangeNotSatisfiable(EvidenceError):
    """No byte of the file is inside the requested range."""

    title = "Range not satisfiable"

    def __init__(self, template: str = "", /, *, size: int, **params: object) -> None:
        super().__init__(template, **params)
        self.headers = {"Content-Range": f"bytes */{size}"}


@dataclass(frozen=True, slots=True)
class ByteRange:
    """`first`-`last` inclusive; `first` None is a suffix of `last` bytes."""

    first: int | None
    last: int | None

    def resolve(self, size: int) -> tuple[int, int]:
        """(start, end inclusive) within a file of `size` bytes."""
        if self.first is None:
            length = self.last or 0
            if length == 0 or size == 0:
                raise RangeNotSatisfiable("the requested range is outside the file", size=size)
            return max(0, size - length), size - 1
        if self.first >= size:
            raise RangeNotSatisfiable("the requested range is outside the file", size=size)
        last = size - 1 if self.last is None else min(self.last, size - 1)
        return self.first, last


def parse_range(header: str | None) -> ByteRange | None:
    """The single byte range of a `Range` header, or None to serve the whole file."""
    if not header:
        return None
    match = _SINGLE.fullmatch(header.strip().replace(" ", ""))
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        return ByteRange(first=None, last=int(last))
    if last and int(last) < int(first):
        return None  # an invalid range-spec: the header is ignored
    return ByteRange(first=int(first), last=int(last) if last else None)
