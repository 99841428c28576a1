"""DOCX, ODT and ODS for `ingest.media.office`: ZIP guards and streaming XML readers.

Parts are parsed with lxml's pull parser (no DTD loading, no entity expansion, no network,
huge-tree off) and each paragraph or table row is freed once read, so a document of
any length is read in bounded memory. Word paragraphs and rows, OpenDocument
paragraphs, rows and sheets all go through `_flow`; the per-format parts are how a
paragraph's runs and a row's cells are read.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from lxml import etree

from ingest.errors import UnsupportedMedia
from ingest.media.office import MAX_COLUMNS, Limits, Pager, Para, one_line


def read_package(*, fmt: str, path: Path, limits: Limits, pager: Pager, notes: list[str]) -> None:
    """Feed a DOCX, ODT or ODS file's text to `pager` (called by `office.extract_text`)."""
    if fmt == "docx":
        _docx(path, limits, pager, notes)
    else:
        _odf(path, limits, pager, notes, sheets=fmt == "ods")


def _own_text(el: Any) -> str:
    """An element's text without its children's; entity references (XXE) give nothing."""
    return "".join([el.text or "", *(child.tail or "" for child in el)])


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


def open_zip(path: Path, limits: Limits) -> zipfile.ZipFile:
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
_CHUNK = 64 * 1024  # bytes fed to the parser at a time


def _parse(
    zf: zipfile.ZipFile, name: str, tags: list[str], handle: Handler, notes: list[str]
) -> None:
    """`handle(event, element)` over one part's tags, with lxml's network, DTD and
    entity loading off. A damaged part keeps what was read before the damage."""
    info = zf.getinfo(name)
    stream = _Capped(zf.open(info), info.file_size, name)
    # A pull parser, not iterparse: since lxml 6, iterparse raises on damage before it
    # hands out the events already parsed in the same chunk, so a small damaged part
    # lost all its text. read_events() after the error still gives them.
    parser = etree.XMLPullParser(
        events=("start", "end"),
        tag=tags,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    damage: Exception | None = None
    try:
        while chunk := stream.read(_CHUNK):
            parser.feed(chunk)
            _drain(parser, handle)
        parser.close()
    except (etree.XMLSyntaxError, zipfile.BadZipFile, EOFError) as exc:
        damage = exc
    _drain(parser, handle)
    if damage is not None:
        notes.append(f"{name}: {damage}; the text after this point is missing")


def _drain(parser: Any, handle: Handler) -> None:
    for event, el in parser.read_events():
        handle(event, el)


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
    with open_zip(path, limits) as zf:
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
    with open_zip(path, limits) as zf:
        if "content.xml" not in zf.namelist():
            raise UnsupportedMedia(f"{path.name}: no content.xml; not an OpenDocument file")
        _flow(
            zf, "content.xml", pager, notes, para_tags=_ODF_PARAS, table=_TABLE + "table",
            row=_TABLE + "table-row", runs=_odf_runs, row_cells=_odf_row,
            page_break=_TEXT + "soft-page-break", skip=(_TEXT + "tracked-changes",),
            sheets=_TABLE + "name" if sheets else None,
        )  # fmt: skip
