"""Hostile office files: zip bombs, lying sizes, XXE and entity bombs, damaged XML, and
detection by parts (a renamed ZIP is no Word document; a Word document is one even
when libmagic cannot tell)."""

from __future__ import annotations

import re
import struct
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from ingest.errors import UnsupportedMedia
from ingest.media.detect import Kind, detect
from ingest.media.office import Limits, extract_text
from tests.ingest.office_kit import DOCX, ODS, ODT, XLSX, docx_from_body, odf

SECRET = "TOP-SECRET-Ш7"


def _rewrite(source: Path, target: Path, parts: dict[str, bytes], *, first: str = "") -> Path:
    """A copy of a ZIP with some parts replaced (and `first` written first)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        if first:
            dst.writestr(first, parts[first])
        for info in src.infolist():
            if info.filename != first:
                dst.writestr(info.filename, parts.get(info.filename, src.read(info)))
        for name, data in parts.items():
            if name not in src.namelist() and name != first:
                dst.writestr(name, data)
    return target


def _word(tmp_path: Path, text: str = "Протокол допроса") -> Path:
    d = docx.Document()
    d.add_paragraph(text)
    d.save(str(tmp_path / "plain.docx"))
    return tmp_path / "plain.docx"


def _excel(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    book.active["A1"] = "Қарағанды облысы"
    book.save(tmp_path / "plain.xlsx")
    return tmp_path / "plain.xlsx"


def _bomb(path: Path, name: str, size: int = 64 << 20) -> None:
    """Add `name` as `size` bytes of spaces (a ratio near deflate's 1000:1)."""
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open(name, "w", force_zip64=True) as out,
    ):
        chunk = b" " * (1 << 20)
        for _ in range(size >> 20):
            out.write(chunk)


def _package(tmp_path: Path, media_type: str) -> Path:
    if media_type == DOCX:
        return _word(tmp_path)
    if media_type == XLSX:
        return _excel(tmp_path)
    return odf(tmp_path / "a.odt", ODT, "<office:text><text:p>Протокол</text:p></office:text>")


@pytest.mark.parametrize(
    ("media_type", "part"),
    [(DOCX, "word/document.xml"), (XLSX, "xl/worksheets/sheet1.xml"), (ODT, "content.xml")],
)
def test_zip_bomb_is_refused_before_reading(tmp_path: Path, media_type: str, part: str) -> None:
    source, path = _package(tmp_path, media_type), tmp_path / "bomb"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info, src.read(info))
    _bomb(path, part)
    assert path.stat().st_size < 1 << 20  # 64 MiB inside, well under 1 MiB on disk
    started = time.perf_counter()
    with pytest.raises(UnsupportedMedia, match="zip bomb"):
        extract_text(path=path, media_type=media_type)
    assert time.perf_counter() - started < 1.0


def _patch_declared_size(path: Path, name: str, size: int) -> None:
    """Overwrite a member's uncompressed size in the central directory."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == encoded:
            struct.pack_into("<I", data, at + 24, size)
            path.write_bytes(bytes(data))
            return
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{name} not in the central directory")


def test_huge_declared_size_is_refused(tmp_path: Path) -> None:
    path = _word(tmp_path)
    _patch_declared_size(path, "word/document.xml", 0xFFFF_FFF0)
    with pytest.raises(UnsupportedMedia, match="4294967280 bytes"):
        extract_text(path=path, media_type=DOCX)


def test_a_part_larger_than_declared_is_cut_at_the_declared_size(tmp_path: Path) -> None:
    body = "".join(f"<w:p><w:r><w:t>Абзац {i}</w:t></w:r></w:p>" for i in range(4000))
    path = docx_from_body(tmp_path / "lie.docx", body)
    _patch_declared_size(path, "word/document.xml", 70_000)
    result = extract_text(path=path, media_type=DOCX)
    assert "word/document.xml: Bad CRC-32" in result.notes[0]
    lines = result.text.split("\n")
    assert lines[:2] == ["Абзац 0", "Абзац 1"] and len(lines) < 70_000 / 40
    # Cut inside the first block read: nothing to keep, the file is refused.
    _patch_declared_size(path, "word/document.xml", 4000)
    with pytest.raises(UnsupportedMedia, match="no text could be read"):
        extract_text(path=path, media_type=DOCX)


def test_too_many_parts_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedMedia, match="more than 5"):
        extract_text(path=_word(tmp_path), media_type=DOCX, limits=Limits(max_entries=5))


def _xxe_prolog(tmp_path: Path, root: str, *, laughs: bool = False) -> str:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    bomb = "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "ha"}">' for i in range(10)
    )  # a billion laughs: 10^9 "ha" if expanded
    return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{secret.as_uri()}">{bomb if laughs else ""}]>'


def test_xxe_is_ignored_in_word_and_opendocument(tmp_path: Path) -> None:
    body = "<w:p><w:r><w:t>Протокол &xxe; допроса</w:t></w:r></w:p>"
    word = docx_from_body(tmp_path / "x.docx", body, prolog=_xxe_prolog(tmp_path, "w:document"))
    prolog = _xxe_prolog(tmp_path, "office:document-content")
    content = "<office:text><text:p>Қарағанды &xxe;облысы</text:p></office:text>"
    writer = odf(tmp_path / "x.odt", ODT, content, prolog=prolog)
    assert extract_text(path=word, media_type=DOCX).text == "Протокол  допроса"
    assert extract_text(path=writer, media_type=ODT).text == "Қарағанды облысы"


def test_entity_bomb_is_refused_quickly(tmp_path: Path) -> None:
    prolog = _xxe_prolog(tmp_path, "w:document", laughs=True)
    body = "<w:p><w:r><w:t>Протокол &l9;</w:t></w:r></w:p>"
    path = docx_from_body(tmp_path / "laughs.docx", body, prolog=prolog)
    started = time.perf_counter()
    with pytest.raises(UnsupportedMedia, match="no text could be read"):
        extract_text(path=path, media_type=DOCX)
    assert time.perf_counter() - started < 1.0


def test_xxe_in_a_workbook_is_refused(tmp_path: Path) -> None:
    source = _excel(tmp_path)
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(source) as zf:
        xml = zf.read(sheet).decode()
    head, rest = xml.split("?>", 1) if xml.startswith("<?xml") else ("", xml)
    evil = (head + "?>" if head else "") + _xxe_prolog(tmp_path, "worksheet") + rest
    evil = re.sub(r"<t>[^<]*</t>", "<t>&xxe;</t>", evil, count=1)  # the cell's text
    path = _rewrite(source, tmp_path / "x.xlsx", {sheet: evil.encode()})
    with pytest.raises(UnsupportedMedia, match="XML entities refused") as refused:
        extract_text(path=path, media_type=XLSX)
    assert SECRET not in str(refused.value)


def test_damaged_xml_keeps_the_text_before_the_damage(tmp_path: Path) -> None:
    body = "<w:p><w:r><w:t>Первый абзац</w:t></w:r></w:p><w:p><w:r><w:t>Второй</w:t></w:r></w:p>"
    path = docx_from_body(tmp_path / "cut.docx", body + "<w:p><w:r><w:t>обрыв")
    result = extract_text(path=path, media_type=DOCX)
    assert result.text == "Первый абзац\nВторой"
    assert "word/document.xml" in result.notes[0]


@pytest.mark.parametrize("media_type", [DOCX, XLSX, ODS, "application/rtf"])
def test_not_the_format_it_claims(tmp_path: Path, media_type: str) -> None:
    path = tmp_path / "random.bin"
    path.write_bytes(b"MZ\x90\x00" + bytes(range(256)) * 10)
    with pytest.raises(UnsupportedMedia):
        extract_text(path=path, media_type=media_type)


def test_detection_by_parts(tmp_path: Path) -> None:
    import os

    # A Word document starting with a large thumbnail: libmagic alone says octet-stream.
    thumb = os.urandom(200_000)
    late = _rewrite(_word(tmp_path), tmp_path / "late.docx", {"docProps/thumbnail.jpeg": thumb},
                    first="docProps/thumbnail.jpeg")  # fmt: skip
    found = detect(path=late)
    assert (found.kind, found.mismatch) == (Kind.DOCUMENT, False)
    assert found.media_type == DOCX and found.detector.endswith("+zip-parts")
    # A ZIP named .docx, and a ZIP with a word/ folder but no Word document, are ZIPs.
    for members in ({"notes.txt": b"x"}, {"word/document.txt": b"x", "word/a.xml": b"<a/>"}):
        fake = tmp_path / "fake.docx"
        with zipfile.ZipFile(fake, "w") as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        found = detect(path=fake)
        assert (found.kind, found.mismatch, found.media_type) == (
            Kind.ARCHIVE, True, "application/zip"
        )  # fmt: skip
    # Spreadsheets and OpenDocument files by content, whatever their name.
    assert detect(path=_excel(tmp_path), original_name="выписка.bin").kind is Kind.DOCUMENT
    for media_type, name in ((ODT, "a.odt"), (ODS, "a.ods")):
        found = detect(path=odf(tmp_path / name, media_type, "<office:text/>"))
        assert (found.media_type, found.kind, found.mismatch) == (media_type, Kind.DOCUMENT, False)
    rtf = tmp_path / "справка.rtf"
    rtf.write_bytes(rb"{\rtf1\ansi\ansicpg1251 \'cf\'f0\'ee\'f2\'ee\'ea\'ee\'eb\par}")
    assert detect(path=rtf).kind is Kind.DOCUMENT
