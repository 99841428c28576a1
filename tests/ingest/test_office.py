"""Text of office documents (ingest.media.office): DOCX, XLSX, ODT, ODS, RTF, made in
the test with python-docx, openpyxl or by hand, in Kazakh and Russian."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.media.office import Limits, extract_text, format_for
from tests.ingest.office_kit import DOCX, ODS, ODT, XLSX, docx_from_body, odf


def texts(path: Path, media_type: str, **limits: int) -> list[str]:
    result = extract_text(path=path, media_type=media_type, limits=Limits(**limits))
    return [p.text for p in result.pages]


def test_formats() -> None:
    assert format_for(DOCX) == "docx" and format_for("text/rtf; charset=x") == "rtf"
    assert format_for("application/msword") is None  # legacy binary Word: not read here


def test_docx_paragraphs_tables_and_breaks_in_order(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("Протокол допроса", 1)
    d.add_paragraph("Қарағанды облысы, Теміртау қаласы")
    table = d.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ["ФИО", "ИИН", "Роль"], strict=True):
        cell.text = value
    table.cell(1, 0).text = "Иванов Иван"
    table.cell(1, 1).text = "950101300123"
    table.cell(1, 2).add_paragraph("вторая строка ячейки")
    p = d.add_paragraph("Конец первой страницы.")
    p.add_run().add_break(WD_BREAK.PAGE)
    p.add_run("Начало второй")
    d.add_paragraph("Куәгер жауабын растады.")
    d.add_section(WD_SECTION.NEW_PAGE)  # the previous paragraph ends a section
    d.add_paragraph("Раздел второй")
    rendered = d.add_paragraph("Word laid this out on a new page")
    rendered.runs[0]._r.insert(0, OxmlElement("w:lastRenderedPageBreak"))
    path = tmp_path / "протокол.docx"
    d.save(str(path))
    result = extract_text(path=path, media_type=DOCX)
    assert result.format == "docx" and not result.truncated and not result.notes
    assert [p.text for p in result.pages] == [
        "Протокол допроса\nҚарағанды облысы, Теміртау қаласы\nФИО\tИИН\tРоль\n"
        "Иванов Иван\t950101300123\tвторая строка ячейки\nКонец первой страницы.",
        "Начало второй\nКуәгер жауабын растады.",
        "Раздел второй",
        "Word laid this out on a new page",
    ]
    assert [p.number for p in result.pages] == [1, 2, 3, 4]
    assert {p.source for p in result.pages} == {"document"}


def test_docx_comments_follow_the_body(tmp_path: Path) -> None:
    d = docx.Document()
    if not hasattr(d, "add_comment"):
        pytest.skip("python-docx < 1.2 cannot write comments")
    p = d.add_paragraph("Показания свидетеля")
    d.add_comment(p.runs, text="Проверить алиби", author="Aigerim")
    d.save(str(tmp_path / "c.docx"))
    assert texts(tmp_path / "c.docx", DOCX) == ["Показания свидетеля", "Проверить алиби"]


def test_docx_without_breaks_is_split_at_paragraph_ends(tmp_path: Path) -> None:
    d = docx.Document()
    sentence = "Заявитель сообщил о краже телефона на рынке «Шығыс». "
    paragraphs = [f"{i:03d} {sentence * 2}" for i in range(200)]
    for text in paragraphs:
        d.add_paragraph(text)
    d.save(str(tmp_path / "long.docx"))
    pages = texts(tmp_path / "long.docx", DOCX, page_chars=3000)
    assert len(pages) > 5
    assert all(len(p) < 3000 + 120 for p in pages)  # a unit ends at the first paragraph past it
    assert "\n".join(pages).split("\n") == [p.rstrip() for p in paragraphs]


paragraph_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs"),
        blacklist_characters="\u0085\u2028\u2029",
        whitelist_characters="\t",
    ),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() != "")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(paragraphs=st.lists(paragraph_text, min_size=1, max_size=40))
def test_docx_paragraphs_round_trip_across_units(tmp_path: Path, paragraphs: list[str]) -> None:
    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    d.save(str(tmp_path / "p.docx"))
    pages = texts(tmp_path / "p.docx", DOCX, page_chars=200)
    assert "\n".join(pages).split("\n") == [p.rstrip() for p in paragraphs]
    assert all(len(page) < 200 + 61 for page in pages)


def test_docx_deleted_text_and_fallback_copies_left_out(tmp_path: Path) -> None:
    body = (
        "<w:p><w:r><w:t>Подозреваемый </w:t></w:r>"
        "<w:del><w:r><w:delText>не </w:delText></w:r></w:del>"
        "<w:r><w:t>признал</w:t><w:tab/><w:t>вину</w:t></w:r>"
        "<w:r><w:instrText>PAGE</w:instrText></w:r></w:p>"
        "<w:p><w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:t>в рамке</w:t>"
        "</mc:Choice><mc:Fallback><w:t>в рамке</w:t></mc:Fallback></mc:AlternateContent>"
        "</w:r></w:p>"
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>поле формы</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    path = docx_from_body(tmp_path / "x.docx", body)
    assert texts(path, DOCX) == ["Подозреваемый признал\tвину\nв рамке\nполе формы"]


def test_xlsx_one_unit_per_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Выписка"
    sheet.append(["Дата", "Сумма", "Валюта", None, "Назначение"])
    sheet.append([])
    sheet.append([datetime(2024, 3, 1), 1500.5, "KZT", None, "перевод\nКарагандинский филиал"])
    sheet.append([datetime(2024, 3, 2, 14, 30), 0.1 + 0.2, True, None, None])
    sheet["A7"] = 950101300123
    hidden = book.create_sheet("Қарағанды облысы")
    hidden["C3"] = "Протокол допроса"
    hidden.sheet_state = "hidden"  # hidden sheets are evidence too
    book.create_sheet("Пустой")
    book.save(tmp_path / "выписка.xlsx")
    result = extract_text(path=tmp_path / "выписка.xlsx", media_type=XLSX)
    assert [p.text for p in result.pages] == [
        "Выписка\nДата\tСумма\tВалюта\t\tНазначение\n"
        "2024-03-01\t1500.5\tKZT\t\tперевод Карагандинский филиал\n"
        "2024-03-02 14:30:00\t0.3\tTRUE\n950101300123",
        "Қарағанды облысы\n\t\tПротокол допроса",
    ]
    assert not result.truncated


def test_xlsx_cell_cap_and_long_sheets(tmp_path: Path) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Звонки")
    for i in range(5000):
        sheet.append([i, f"+7 701 {i:07d}", "входящий", "Алматы"])
    book.save(tmp_path / "calls.xlsx")
    capped = extract_text(
        path=tmp_path / "calls.xlsx", media_type=XLSX, limits=Limits(max_cells=1000)
    )
    assert capped.truncated and "1000 spreadsheet cells" in capped.notes[0]
    rows = capped.text.split("\n")[1:]
    assert 200 <= len(rows) <= 250 and rows[0] == "0\t+7 701 0000000\tвходящий\tАлматы"
    # A long sheet continues in further units, each under the sheet's name.
    units = texts(tmp_path / "calls.xlsx", XLSX, max_page_chars=20_000)
    assert len(units) > 5 and all(u.startswith("Звонки\n") and len(u) <= 20_010 for u in units)
    assert sum(len(u.split("\n")) - 1 for u in units) == 5000


cell_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs"),
        blacklist_characters="\u0085\u2028\u2029",
        whitelist_characters="\t\n",
    ),
    max_size=20,
).filter(lambda s: not s.startswith("=") and s.strip() != "")  # "=" would be a formula


row = st.lists(st.one_of(st.none(), cell_text), min_size=1, max_size=6)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(row, min_size=1, max_size=8))
def test_xlsx_cells_round_trip(tmp_path: Path, rows: list[list[str | None]]) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Data"
    for row in rows:
        book.active.append(row)
    path = tmp_path / "r.xlsx"
    book.save(path)
    expected = []
    for row in rows:
        cells = [(c or "").replace("\t", " ").replace("\n", " ") for c in row]
        while cells and not cells[-1]:
            cells.pop()
        if any(c.strip() for c in cells):
            expected.append("\t".join(cells))
    pages = extract_text(path=path, media_type=XLSX).pages
    assert len(pages) == (1 if expected else 0)
    assert (pages[0].text.split("\n")[1:] if pages else []) == expected


def test_odt_paragraphs_tables_and_soft_page_breaks(tmp_path: Path) -> None:
    body = (
        "<office:text>"
        "<text:tracked-changes><text:changed-region><text:deletion>"
        "<text:p>удалённый текст</text:p></text:deletion></text:changed-region>"
        "</text:tracked-changes>"
        "<text:h>Протокол   осмотра</text:h>"
        "<text:p>Қарағанды<text:s text:c='2'/>облысы<text:tab/>Абай к-сі"
        "<office:annotation><dc:creator>Aigerim</dc:creator><text:p>проверить</text:p>"
        "</office:annotation></text:p>"
        "<table:table table:name='T'><table:table-row><table:table-cell><text:p>Марка</text:p>"
        "</table:table-cell><table:table-cell table:number-columns-repeated='2'/>"
        "<table:table-cell><text:p>Toyota</text:p></table:table-cell></table:table-row>"
        "</table:table>"
        "<text:soft-page-break/>"
        "<text:list><text:list-item><text:p>пункт<text:line-break/>первый</text:p>"
        "</text:list-item></text:list>"
        "</office:text>"
    )
    path = odf(tmp_path / "осмотр.odt", ODT, body)
    assert texts(path, ODT) == [
        "Протокол осмотра\nҚарағанды  облысы\tАбай к-сі [проверить]\nМарка\t\t\tToyota",
        "пункт\nпервый",
    ]


def test_ods_sheets_with_repeated_rows_and_columns(tmp_path: Path) -> None:
    body = (
        "<office:spreadsheet>"
        "<table:table table:name='Лист1'>"
        "<table:table-row><table:table-cell><text:p>ИИН</text:p></table:table-cell>"
        "<table:table-cell table:number-columns-repeated='3'><text:p>x</text:p>"
        "</table:table-cell></table:table-row>"
        "<table:table-row table:number-rows-repeated='2'><table:table-cell>"
        "<text:p>повтор</text:p></table:table-cell></table:table-row>"
        "<table:table-row table:number-rows-repeated='1048000'>"
        "<table:table-cell table:number-columns-repeated='16384'/></table:table-row>"
        "</table:table>"
        "<table:table table:name='Қорытынды'><table:table-row>"
        "<table:table-cell table:number-columns-repeated='1000'/>"
        "<table:table-cell><text:p>соңы</text:p></table:table-cell>"
        "</table:table-row></table:table>"
        "</office:spreadsheet>"
    )
    path = odf(tmp_path / "a.ods", ODS, body)
    assert texts(path, ODS) == [
        "Лист1\nИИН\tx\tx\tx\nповтор\nповтор",
        "Қорытынды\n" + "\t" * 1000 + "соңы",
    ]


def test_rtf_code_pages_unicode_and_tables(tmp_path: Path) -> None:
    rtf = (
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fcharset0 Arial;}{\f1\fcharset204 "
        rb"Times;}}{\colortbl;\red0\green0\blue0;}{\*\generator Msftedit;}"
        rb"{\info{\author Officer}}\pard\f1\'cf\'f0\'ee\'f2\'ee\'ea\'ee\'eb \'e4\'ee\'EF"
        rb"\'f0\'ee\'f1\'e0\par\uc1\u1178?\u1072?\u1088?\u1072?\u1171?\u1072?\u1085?"
        rb"\u1076?\u1099? \f0 caf\'e9\line next\par\page"
        rb"{\field{\*\fldinst HYPERLINK \"x\"}{\fldrslt \f1\'f1\'f1\'fb\'eb\'EA\'e0}}\par"
        rb"\trowd\intbl \f1\'c8\'cd\'cd\cell 950101300123\cell\row"
        rb"{\pict\pngblip 89504e470d0a}\sect end \emdash\~ok\par}"
    )
    path = tmp_path / "справка.rtf"
    path.write_bytes(rtf)
    assert texts(path, "text/rtf") == [
        "Протокол допроса\nҚарағанды café\nnext",
        "ссылка\nИНН\t950101300123",
        "end — ok",
    ]
