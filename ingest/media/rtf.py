"""RTF → text for `ingest.media.office`: paragraphs, table rows, page breaks.

Old registries and court systems in Kazakhstan still export RTF, mostly in Windows-1251:
bytes written as `\\'hh` are decoded with the document's `\\ansicpg` or the current
font's `\\fcharset`; `\\uN` escapes (with their `\\ucN` fallbacks skipped) carry
Unicode. Font and colour tables, pictures, embedded objects, headers and field codes
are skipped; a field's shown result is kept.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.errors import UnsupportedMedia
from ingest.media.office import Limits, Pager, Para

_TOKEN = re.compile(
    rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?"  # control word, its parameter, one space eaten
    rb"|\\'([0-9a-fA-F]{2})"  # a byte in the current code page
    rb"|\\([^a-zA-Z'])"  # control symbol: \\ \{ \} \~ \- \_ \* \<newline>
    rb"|([{}])"
    rb"|[\r\n]+"  # line ends in the file are not text
    rb"|([^\\{}\r\n]+)",
    re.DOTALL,
)
_SKIP = {
    b"fonttbl", b"colortbl", b"stylesheet", b"info", b"pict", b"object", b"nonshppict",
    b"header", b"headerl", b"headerr", b"headerf", b"footer", b"footerl", b"footerr",
    b"footerf", b"listtable", b"listoverridetable", b"revtbl", b"rsidtbl", b"xmlnstbl",
    b"themedata", b"colorschememapping", b"datastore", b"latentstyles", b"fldinst",
    b"generator", b"filetbl", b"pgdsctbl", b"mmathPr", b"bkmkstart", b"bkmkend",
}  # fmt: skip
_SYMBOLS = {
    b"emdash": "\u2014", b"endash": "\u2013", b"bullet": "\u2022", b"lquote": "\u2018",
    b"rquote": "\u2019", b"ldblquote": "\u201c", b"rdblquote": "\u201d", b"tab": "\t",
    b"line": "\n", b"cell": "\t", b"emspace": " ", b"enspace": " ", b"qmspace": " ",
}  # fmt: skip
_ESCAPES = {b"\\": "\\", b"{": "{", b"}": "}", b"~": " ", b"_": "-", b"-": ""}
# \fcharset → code page (Windows charsets; 0 and 1 follow \ansicpg).
_CHARSETS = {
    77: "mac_roman", 128: "cp932", 129: "cp949", 130: "cp1361", 134: "gbk", 136: "big5",
    161: "cp1253", 162: "cp1254", 163: "cp1258", 177: "cp1255", 178: "cp1256",
    186: "cp1257", 204: "cp1251", 222: "cp874", 238: "cp1250", 255: "cp437",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Group:
    skip: bool = False
    uc: int = 1  # fallback characters after \uN
    codepage: str | None = None  # from the group's font, else the document's
    fonttbl: bool = False


def _codepage(name: str | None, default: str) -> str:
    if not name:
        return default
    try:
        codecs.lookup(name)
    except LookupError:
        return default
    return name


class _Reader:
    def __init__(self, pager: Pager) -> None:
        self.pager = pager
        self.para = Para()
        self.default = "cp1252"
        self.fonts: dict[int, str] = {}
        self.font_defined: int | None = None
        self.pending = bytearray()
        self.high: int | None = None  # a UTF-16 high surrogate waiting for its pair
        self.fallback = 0

    def flush(self, group: _Group) -> None:
        if self.pending:
            self.para.add(bytes(self.pending).decode(group.codepage or self.default, "replace"))
            self.pending.clear()

    def text(self, value: str) -> None:
        if self.high is not None:
            self.para.add("\ufffd")
            self.high = None
        self.para.add(value)

    def unicode(self, number: int) -> None:
        code = number + 0x10000 if number < 0 else number
        if 0xD800 <= code < 0xDC00:
            self.high = code
        elif 0xDC00 <= code < 0xE000 and self.high is not None:
            self.para.add(chr(0x10000 + ((self.high - 0xD800) << 10) + (code - 0xDC00)))
            self.high = None
        else:
            self.text("\ufffd" if 0xD800 <= code < 0xE000 else chr(code))

    def paragraph(self, *, section: bool = False) -> None:
        self.para.break_after = section
        self.para.emit(self.pager)
        self.para = Para()

    def word(self, group: _Group, name: bytes, param: int | None) -> _Group:
        """Apply a control word; returns the group state it leaves."""
        if name in _SKIP or group.fonttbl:
            if name == b"fonttbl":
                return replace(group, skip=True, fonttbl=True)
            if group.fonttbl and name == b"f" and param is not None:
                self.font_defined = param
            elif group.fonttbl and name in (b"fcharset", b"cpg") and param is not None:
                page = _CHARSETS.get(param) if name == b"fcharset" else f"cp{param}"
                if page and self.font_defined is not None:
                    self.fonts[self.font_defined] = page
            return replace(group, skip=True) if name in _SKIP else group
        if name == b"ansicpg" and param is not None:
            self.default = _codepage(f"cp{param}", self.default)
        elif name == b"uc" and param is not None:
            return replace(group, uc=max(0, param))
        elif name == b"f" and param is not None:
            return replace(group, codepage=_codepage(self.fonts.get(param), self.default))
        if group.skip:
            return group
        if name == b"u" and param is not None:
            self.unicode(param)
            self.fallback = group.uc
        elif name in _SYMBOLS:
            self.text(_SYMBOLS[name])
        elif name in (b"par", b"row"):
            self.paragraph()
        elif name == b"sect":
            self.paragraph(section=True)
        elif name == b"page":
            self.para.page_break()
        return group


def read_rtf(*, path: Path, limits: Limits, pager: Pager) -> None:
    """Feed an RTF file's text to `pager` (called by `office.extract_text`)."""
    with path.open("rb") as fh:
        data = fh.read(limits.max_rtf_bytes)
    if not data.lstrip().startswith(b"{\\rtf"):
        raise UnsupportedMedia(f"{path.name}: not an RTF document")
    reader, stack, group = _Reader(pager), [], _Group()
    pos, end = 0, len(data)
    while pos < end:
        m = _TOKEN.match(data, pos)
        if m is None:  # a lone backslash at the very end
            break
        pos = m.end()
        word, hexbyte, symbol, brace, text = m.group(1, 3, 4, 5, 6)
        if hexbyte is not None:
            if group.skip:
                continue
            if reader.fallback:
                reader.fallback -= 1
            else:
                reader.pending.append(int(hexbyte, 16))
            continue
        reader.flush(group)
        if text is not None:
            if not group.skip:
                skip, reader.fallback = min(reader.fallback, len(text)), 0
                reader.text(text[skip:].decode(group.codepage or reader.default, "replace"))
        elif word is not None:
            reader.fallback = 0 if word != b"u" else reader.fallback
            param = int(m.group(2)) if m.group(2) else None
            if word == b"bin" and param:
                pos += max(0, param)  # raw bytes follow: never text
                continue
            group = reader.word(group, word, param)
        elif brace == b"{":
            stack.append(group)
            if len(stack) > 1000:
                raise UnsupportedMedia(f"{path.name}: RTF groups nested too deep")
        elif brace == b"}":
            group = stack.pop() if stack else group
        elif symbol is not None:
            if symbol == b"*":
                group = replace(group, skip=True)
            elif symbol in (b"\n", b"\r"):
                if not group.skip:
                    reader.paragraph()
            elif not group.skip and symbol in _ESCAPES:
                reader.text(_ESCAPES[symbol])
    reader.flush(group)
    reader.paragraph()
