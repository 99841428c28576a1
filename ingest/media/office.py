"""Text of office documents, per page-like unit: DOCX, XLSX, ODT, ODS and RTF.

The readers: `office_xml` (DOCX, ODT, ODS), `rtf`, and openpyxl's read-only mode here
(XLSX); all of them write lines into one `Pager`, which cuts the units.

Flowing text (DOCX, ODT, RTF) keeps paragraphs and tables in document order: one line
per paragraph, one tab-separated line per table row. A unit ends at a page break
(explicit, a section's, or one Word/LibreOffice recorded when it last laid the page
out), else at the first paragraph end past `Limits.page_chars`. Spreadsheets (XLSX,
ODS) give one unit per sheet, headed by the sheet's name, rows as tab-separated cells,
empty rows left out; a sheet longer than `Limits.max_page_chars` continues in further
units under the same heading. DOCX footnotes, endnotes and comments follow the body.

Seized files are hostile input. ZIP parts are checked before anything is read (count,
declared size, compression ratio: a zip bomb is refused as a whole) and read through a
stream that stops at the declared size. XML is parsed without DTD loading, entity
expansion or network (an XXE reference comes out as nothing; libxml2 stops at an entity
bomb's declarations); openpyxl parses through defusedxml, which refuses any entity
declaration. Text and cells read are capped; `truncated` says so. A damaged part keeps
the text before the damage, with a note; one with no text before it is refused.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

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
        elif fmt == "xlsx":
            _xlsx(path, limits, pager, notes)
        else:
            from ingest.media.office_xml import read_package

            read_package(fmt=fmt, path=path, limits=limits, pager=pager, notes=notes)
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

    from ingest.media.office_xml import open_zip

    if not openpyxl.DEFUSEDXML:
        raise UnsupportedMedia("openpyxl is not using defusedxml (OPENPYXL_DEFUSEDXML=False)")
    open_zip(path, limits).close()  # the guards; openpyxl opens the package itself
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
