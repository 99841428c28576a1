"""Text of office documents, per page-like unit: DOCX, XLSX, ODT, ODS (and RTF, in `rtf`).

Flowing text (DOCX, ODT, RTF) keeps paragraphs and tables in document order: one line
per paragraph, one tab-separated line per table row. A unit ends at a page break
(explicit, a section's, or one Word/LibreOffice recorded when it last laid the page
out), else at the first paragraph end past `Limits.page_chars`. Spreadsheets (XLSX,
ODS) give one unit per sheet, headed by the sheet's name, rows as tab-separated cells,
empty rows left out; a sheet longer than `Limits.max_page_chars` continues in further
units under the same heading. DOCX footnotes, endnotes and comments follow the body.

Seized files are hostile input. ZIP parts are checked before anything is read (count,
declared size, compression ratio: a zip bomb is refused as a whole) and read through a
stream that stops at the declared size. XML is parsed without DTDs, entity expansion
or network (an XXE reference comes out as nothing); openpyxl parses through
defusedxml, which refuses such a workbook outright. Text and cells read are capped;
`truncated` says so. A damaged part keeps the text before the damage, with a note.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from lxml import etree

from ingest.errors import UnsupportedMedia
from ingest.media.pages import Page

TOOL = "dalel-office"
TOOL_VERSION = "1"
FORMATS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
}
SOURCE = "document"  # TextPage.source and search source of this text
MAX_COLUMNS = 16_384  # Excel's and LibreOffice's widest sheet

# Unknown extensions, no default style...: openpyxl's notes on files it reads anyway.
warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")


@dataclass(frozen=True, slots=True)
class Limits:
    max_entries: int = 10_000  # ZIP members; more refuses the file
    max_part_bytes: int = 1 << 30  # declared uncompressed size of any XML part
    max_ratio: float = 200.0  # uncompressed / compressed, for parts over ratio_floor
    ratio_floor: int = 8 << 20  # small parts compress wildly and cost nothing
    max_rtf_bytes: int = 256 << 20  # an RTF is read whole; the rest is left unread
    max_chars: int = 16 << 20  # text kept per document
    max_cells: int = 2_000_000  # spreadsheet cell positions read (bounds the time)
    page_chars: int = 3_000  # flowing text: a unit ends at the next paragraph after this
    max_page_chars: int = 50_000  # no unit is longer


@dataclass(slots=True)
class OfficeText:
    format: str  # docx | xlsx | odt | ods | rtf
    pages: list[Page]
    truncated: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\f".join(p.text for p in self.pages)


def format_for(media_type: str) -> str | None:
    """The format this module reads for a media type, or None."""
    return FORMATS.get(media_type.split(";", 1)[0].strip().lower())


def tool_version() -> str:
    import openpyxl

    return f"{TOOL}/{TOOL_VERSION} (lxml {etree.__version__}, openpyxl {openpyxl.__version__})"


def extract_text(*, path: Path | str, media_type: str, limits: Limits | None = None) -> OfficeText:
    """Text of a DOCX/XLSX/ODT/ODS/RTF file, in units of about a page or one sheet."""
    path, limits = Path(path), limits or Limits()
    fmt = format_for(media_type)
    if fmt is None:
        raise UnsupportedMedia(f"no text extraction for {media_type}")
    pager, notes, truncated = Pager(limits), list[str](), False
    try:
        if fmt == "rtf":
            from ingest.media.rtf import read_rtf

            read_rtf(path=path, limits=limits, pager=pager)
        else:
            _READERS[fmt](path, limits, pager, notes)
    except Full as full:
        truncated = True
        notes.append(f"text cut: more than {full} in this document")
    pager.page_break()
    if not pager.pages and notes:  # damaged or hostile XML before any text
        raise UnsupportedMedia(f"{path.name}: no text could be read: {notes[0]}")
    pages = [
        Page(number=n, source=SOURCE, text=text, words=[], width=0, height=0, dpi=0)
        for n, text in enumerate(pager.pages, start=1)
    ]
    return OfficeText(format=fmt, pages=pages, truncated=truncated, notes=notes)


# ---- units ---------------------------------------------------------------------------


class Full(Exception):
    """A budget is spent (the message names it); what was collected is kept."""


class Pager:
    """Lines → units: a soft split at paragraph ends, a hard one for anything longer."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.pages: list[str] = []
        self.heading: str | None = None
        self._lines: list[str] = []
        self._size = 0
        self._chars_left = limits.max_chars
        self._cells_left = limits.max_cells

    def cells(self, count: int) -> None:
        """Account for spreadsheet cell positions read."""
        self._cells_left -= count
        if self._cells_left < 0:
            raise Full(f"{self.limits.max_cells} spreadsheet cells")

    def line(self, text: str) -> None:
        blank = not text.strip()
        if blank and (not self._lines or not self._lines[-1].strip()):
            return  # no unit starts with a blank line; one blank line stands for many
        full = len(text) >= self._chars_left
        text = text[: self._chars_left]
        self._chars_left -= len(text) + 1
        hard = self.limits.max_page_chars
        while len(text) > hard:
            cut = text.rfind(" ", hard // 2, hard)
            cut = cut if cut > 0 else hard
            self._push(text[:cut])
            self.page_break()
            text = text[cut:].lstrip(" ")
        if self._size + len(text) > hard:
            self.page_break()
        self._push(text)
        if full:
            raise Full(f"{self.limits.max_chars} characters")

    def _push(self, text: str) -> None:
        self._lines.append(text)
        self._size += len(text) + 1

    def paragraph_end(self) -> None:
        if self._size >= self.limits.page_chars:
            self.page_break()

    def page_break(self) -> None:
        while self._lines and not self._lines[-1].strip():
            self._lines.pop()
        if self._lines:
            body = "\n".join(self._lines)
            self.pages.append(f"{self.heading}\n{body}" if self.heading else body)
        self._lines, self._size = [], 0


class Para:
    """One paragraph's text as pieces separated by page breaks."""

    def __init__(self) -> None:
        self.pieces: list[list[str]] = [[]]
        self.break_after = False  # the paragraph ends a section that starts a new page

    def add(self, text: str) -> None:
        if text:
            self.pieces[-1].append(text)

    def page_break(self) -> None:
        self.pieces.append([])

    def flat(self) -> str:
        """As one line (a table cell): breaks and tabs become spaces."""
        return " ".join(one_line("".join(p)) for p in self.pieces if p).strip()

    def emit(self, pager: Pager) -> None:
        for i, piece in enumerate(self.pieces):
            if i:
                pager.page_break()
            for line in "".join(piece).split("\n"):
                pager.line(line.rstrip())
        if self.break_after:
            pager.page_break()
        else:
            pager.paragraph_end()


def one_line(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _own_text(el: Any) -> str:
    """An element's text without its children's; entity references (XXE) give nothing."""
    return "".join([el.text or "", *(child.tail or "" for child in el)])


# ---- ZIP packages and XML ------------------------------------------------------------


class _Capped:
    """A read-only stream that never gives more than `left` bytes."""

    def __init__(self, raw: IO[bytes], left: int, name: str) -> None:
        self._raw, self._left, self._name = raw, left, name

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size if size >= 0 else self._left + 1)
        self._left -= len(data)
        if self._left < 0:
            raise UnsupportedMedia(f"{self._name}: decompresses past its declared size")
        return data


def _open_zip(path: Path, limits: Limits) -> zipfile.ZipFile:
    """Open an OOXML/ODF package after checking every XML part's declared size."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsupportedMedia(f"{path.name}: not a readable ZIP package ({exc})") from exc
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        zf.close()
        raise UnsupportedMedia(f"{path.name}: {len(infos)} parts, more than {limits.max_entries}")
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue  # images and embedded files are never opened here
        ratio = info.file_size / max(info.compress_size, 1)
        big = info.file_size > limits.max_part_bytes
        if big or (info.file_size > limits.ratio_floor and ratio > limits.max_ratio):
            zf.close()
            raise UnsupportedMedia(
                f"{path.name}: part {info.filename} declares {info.file_size} bytes "
                f"(compression ratio {ratio:.0f}); refused as a possible zip bomb"
            )
    return zf


Handler = Callable[[str, Any], None]


def _parse(
    zf: zipfile.ZipFile, name: str, tags: list[str], handle: Handler, notes: list[str]
) -> None:
    """`handle(event, element)` over one part's tags, with lxml's network, DTD and
    entity loading off. A damaged part keeps what was read before the damage."""
    info = zf.getinfo(name)
    events = etree.iterparse(
        _Capped(zf.open(info), info.file_size, name),
        events=("start", "end"),
        tag=tags,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for event, el in events:
            handle(event, el)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, EOFError) as exc:
        notes.append(f"{name}: {exc}; the text after this point is missing")


def _drop(el: Any) -> None:
    """Free a processed element and the processed siblings before it."""
    el.clear(keep_tail=True)
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _cells(row: Any, cell_tags: tuple[str, ...]) -> Iterator[Any]:
    """A row's cells, also those wrapped in content controls (w:sdt, w:customXml)."""
    for child in row:
        if child.tag in cell_tags:
            yield child
        elif isinstance(child.tag, str) and child.tag.endswith(("sdt", "sdtContent", "customXml")):
            yield from _cells(child, cell_tags)


def _paragraphs(cell: Any, tags: tuple[str, ...]) -> Iterator[Any]:
    """A cell's paragraphs, nested tables' included, text boxes' left to their paragraph."""
    for p in cell.iter(*tags):
        if not any(a.tag in tags for a in p.iterancestors() if a is not cell):
            yield p


def _flow(
    zf: zipfile.ZipFile,
    name: str,
    pager: Pager,
    notes: list[str],
    *,
    para_tags: tuple[str, ...],
    table: str,
    row: str,
    runs: Callable[[Any, Para], None],
    row_cells: Callable[[Any], tuple[list[str], int]],
    page_break: str | None = None,
    skip: tuple[str, ...] = (),
    sheets: str | None = None,
) -> None:
    """Paragraphs and table rows of one part, in order, into the pager.

    `sheets` names the attribute holding a top-level table's name: each table is then
    a unit (a spreadsheet) headed by its name."""
    depth = {"p": 0, "table": 0, "skip": 0}
    kinds = {**dict.fromkeys(para_tags, "p"), table: "table", **dict.fromkeys(skip, "skip")}

    def handle(event: str, el: Any) -> None:
        kind = kinds.get(el.tag)
        if event == "start":
            if kind:
                depth[kind] += 1
            if sheets and kind == "table" and depth["table"] == 1:
                pager.page_break()
                pager.heading = one_line(el.get(sheets) or "").strip() or None
            return
        if kind:
            depth[kind] -= 1
        outside = depth["p"] == depth["table"] == depth["skip"] == 0
        if kind == "p" and outside:
            para = Para()
            runs(el, para)
            para.emit(pager)
            _drop(el)
        elif el.tag == row and depth["table"] == 1 and depth["p"] == depth["skip"] == 0:
            cells, repeat = row_cells(el)
            if any(c.strip() for c in cells):
                line = "\t".join(cells)
                for _ in range(repeat):
                    pager.cells(len(cells))
                    pager.line(line)  # a sheet's unit ends only at its size cap
                    if not sheets:
                        pager.paragraph_end()
            _drop(el)
        elif kind == "table" and outside:
            if sheets:
                pager.page_break()
                pager.heading = None
            _drop(el)
        elif el.tag == page_break and outside:
            pager.page_break()

    tags = [*para_tags, table, row, *skip, *([page_break] if page_break else [])]
    _parse(zf, name, tags, handle, notes)


# ---- DOCX ----------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_SKIP = {_W + n for n in ("rPr", "delText", "instrText", "del", "moveFrom")} | {
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"  # a copy
}


def _docx_runs(el: Any, para: Para) -> None:
    for child in el:
        tag = child.tag
        if tag == _W + "t":
            para.add(_own_text(child))
        elif tag == _W + "tab":
            para.add("\t")
        elif tag in (_W + "br", _W + "cr"):
            if child.get(_W + "type") == "page":
                para.page_break()
            else:
                para.add("\n")
        elif tag == _W + "lastRenderedPageBreak":
            para.page_break()
        elif tag == _W + "noBreakHyphen":
            para.add("-")
        elif tag == _W + "pPr":
            sect = child.find(_W + "sectPr")
            kind = sect.find(_W + "type") if sect is not None else None
            para.break_after = sect is not None and (
                kind is None or kind.get(_W + "val") != "continuous"
            )
        elif tag == _W + "p":  # a text box's paragraph inside this one
            para.add("\n")
            _docx_runs(child, para)
            para.add("\n")
        elif isinstance(tag, str) and tag not in _W_SKIP:
            _docx_runs(child, para)


def _docx_row(row: Any) -> tuple[list[str], int]:
    cells = []
    for cell in _cells(row, (_W + "tc",)):
        texts = []
        for p in _paragraphs(cell, (_W + "p",)):
            para = Para()
            _docx_runs(p, para)
            texts.append(para.flat())
        cells.append(" ".join(t for t in texts if t))
    while cells and not cells[-1]:
        cells.pop()
    return cells, 1


def _docx(path: Path, limits: Limits, pager: Pager, notes: list[str]) -> None:
    with _open_zip(path, limits) as zf:
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            raise UnsupportedMedia(f"{path.name}: no word/document.xml; not a Word document")
        for part in ("word/document.xml", "word/footnotes.xml", "word/endnotes.xml",
                     "word/comments.xml"):  # fmt: skip
            if part in names:
                pager.page_break()
                _flow(
                    zf, part, pager, notes, para_tags=(_W + "p",), table=_W + "tbl",
                    row=_W + "tr", runs=_docx_runs, row_cells=_docx_row,
                )  # fmt: skip


# ---- ODT / ODS -----------------------------------------------------------------------

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODF_PARAS = (_TEXT + "p", _TEXT + "h")
_ODF_SKIP = {
    _TEXT + "tracked-changes",  # deleted text kept for change tracking
    "{http://purl.org/dc/elements/1.1/}creator",  # an annotation's author and date
    "{http://purl.org/dc/elements/1.1/}date",
}
_SPACES = re.compile(r"[ \t\r\n]+")


def _count(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 1 << 20))
    except ValueError:
        return 1


def _odf_runs(el: Any, para: Para) -> None:
    para.add(_SPACES.sub(" ", el.text or ""))
    for child in el:
        tag = child.tag
        if tag == _TEXT + "s":
            para.add(" " * min(_count(child.get(_TEXT + "c")), 100))
        elif tag == _TEXT + "tab":
            para.add("\t")
        elif tag == _TEXT + "line-break":
            para.add("\n")
        elif tag == _TEXT + "soft-page-break":
            para.page_break()
        elif tag in _ODF_PARAS:  # in a frame, a note or a comment
            para.add("\n")
            _odf_runs(child, para)
            para.add("\n")
        elif tag in (_TEXT + "note-body", _OFFICE + "annotation"):
            inner = Para()  # a footnote or comment: one bracketed line in its place
            _odf_runs(child, inner)
            para.add(f" [{inner.flat()}]")
        elif isinstance(tag, str) and tag not in _ODF_SKIP:
            _odf_runs(child, para)
        para.add(_SPACES.sub(" ", child.tail or ""))


def _odf_row(row: Any) -> tuple[list[str], int]:
    """Cells with their column repeats expanded; trailing empty cells left out."""
    cells: list[str] = []
    pending = 0
    for cell in row:
        if cell.tag not in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
            continue
        repeat = _count(cell.get(_TABLE + "number-columns-repeated"))
        texts = []
        for p in _paragraphs(cell, _ODF_PARAS):
            para = Para()
            _odf_runs(p, para)
            texts.append(para.flat())
        text = " ".join(t for t in texts if t)
        if not text:
            pending += repeat
            continue
        if len(cells) + pending >= MAX_COLUMNS:
            break
        cells.extend([""] * pending)
        cells.extend([text] * min(repeat, MAX_COLUMNS - len(cells)))
        pending = 0
    return cells, _count(row.get(_TABLE + "number-rows-repeated"))


def _odf(path: Path, limits: Limits, pager: Pager, notes: list[str], *, sheets: bool) -> None:
    with _open_zip(path, limits) as zf:
        if "content.xml" not in zf.namelist():
            raise UnsupportedMedia(f"{path.name}: no content.xml; not an OpenDocument file")
        _flow(
            zf, "content.xml", pager, notes, para_tags=_ODF_PARAS, table=_TABLE + "table",
            row=_TABLE + "table-row", runs=_odf_runs, row_cells=_odf_row,
            page_break=_TEXT + "soft-page-break", skip=(_TEXT + "tracked-changes",),
            sheets=_TABLE + "name" if sheets else None,
        )  # fmt: skip


# ---- XLSX ----------------------------------------------------------------------------


def _xlsx_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format(value, ".15g")  # Excel shows 15 significant digits
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return one_line(str(value))


def _xlsx(path: Path, limits: Limits, pager: Pager, notes: list[str]) -> None:
    import openpyxl
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    if not openpyxl.DEFUSEDXML:
        raise UnsupportedMedia("openpyxl is not using defusedxml (OPENPYXL_DEFUSEDXML=False)")
    _open_zip(path, limits).close()  # the guards; openpyxl opens the package itself
    # What openpyxl raises on a malformed package (xml.etree's ParseError is a SyntaxError).
    broken = (
        InvalidFileException, DefusedXmlException, zipfile.BadZipFile, etree.LxmlError,
        SyntaxError, KeyError, ValueError, TypeError, IndexError, AttributeError,
    )  # fmt: skip
    with path.open("rb") as fh:
        try:
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
        except broken as exc:
            cause = exc.__cause__ or exc
            if isinstance(cause, DefusedXmlException):
                raise UnsupportedMedia(f"{path.name}: XML entities refused ({cause})") from exc
            raise UnsupportedMedia(f"{path.name}: not a readable workbook ({cause!r})") from exc
        try:
            for sheet in book.worksheets:
                if not hasattr(sheet, "reset_dimensions"):
                    continue  # a chart sheet
                pager.page_break()
                pager.heading = one_line(sheet.title).strip() or None
                sheet.reset_dimensions()  # trust the cells, not the declared size
                try:
                    for index, values in enumerate(sheet.iter_rows(values_only=True)):
                        if index >= 1 << 20:
                            notes.append(f"sheet {sheet.title}: rows past 1048576 left out")
                            break
                        pager.cells(max(len(values), 1))
                        cells = [_xlsx_value(v) for v in values[:MAX_COLUMNS]]
                        while cells and not cells[-1]:
                            cells.pop()
                        if any(c.strip() for c in cells):
                            pager.line("\t".join(cells))
                except broken as exc:
                    notes.append(f"sheet {sheet.title}: {exc!r}; the rows after it are missing")
            pager.page_break()
            pager.heading = None
        finally:
            book.close()


_READERS: dict[str, Callable[[Path, Limits, Pager, list[str]], None]] = {
    "docx": _docx,
    "xlsx": _xlsx,
    "odt": lambda path, limits, pager, notes: _odf(path, limits, pager, notes, sheets=False),
    "ods": lambda path, limits, pager, notes: _odf(path, limits, pager, notes, sheets=True),
}
