"""Office documents through the API, jobs inline, on SQLite and PostgreSQL: Word, Excel,
OpenDocument and RTF files get their text per page or sheet, searchable in the case."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.enum.text import WD_BREAK

from tests.app_kit import PASSWORD, Api, make_team
from tests.ingest.conftest_integration import build_api, ingest_settings
from tests.ingest.office_kit import ODT, odf
from tests.login_form import post_login

pytest_plugins = ["tests.ingest.conftest_integration"]


@pytest.fixture(params=["sqlite", "postgresql"])
def office_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    yield from build_api(request, tmp_path, request.param, ingest_settings(None))


def _word() -> bytes:
    d = docx.Document()
    d.add_heading("Протокол допроса свидетеля", 1)
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Место"
    table.cell(0, 1).text = "Қарағанды облысы, Теміртау"
    d.add_paragraph("Свидетель опознал автомобиль.").add_run().add_break(WD_BREAK.PAGE)
    d.add_paragraph("Куәгер хаттамамен танысты.")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _excel() -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Сводка"
    book.active.append(["Счёт", "Сумма"])
    sheet = book.create_sheet("Выписка")
    sheet.append(["KZ86125KZT5004100100", 250000, "перевод Жезқазған"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _get(api: Api, path: str, headers: dict[str, str], **params: str) -> Any:
    response = api.client.get(path, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _upload(api: Api, team: dict[str, Any], data: bytes, name: str) -> str:
    response = api.upload(team["case"]["id"], team["prosecutor"], data, name=name)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_office_documents_become_searchable_text(office_api: Api, tmp_path: Path) -> None:
    api = office_api
    team = make_team(api)
    pro, case_id = team["prosecutor"], team["case"]["id"]
    word = _upload(api, team, _word(), "протокол.docx")
    excel = _upload(api, team, _excel(), "выписка.xlsx")
    content = "<office:text><text:p>Справка о судимости</text:p></office:text>"
    writer = _upload(api, team, odf(tmp_path / "a.odt", ODT, content).read_bytes(), "справка.odt")
    rtf = rb"{\rtf1\ansi\ansicpg1251{\fonttbl{\f0\fcharset204 Arial;}}\f0 \'d0\'e0\'ef\'ee\'f0\'f2}"
    report = _upload(api, team, rtf, "рапорт.rtf")

    for item in (word, excel, writer, report):
        jobs = {j["stage"]: j for j in _get(api, f"/api/v1/items/{item}/jobs", pro)}
        assert {s: j["state"] for s, j in jobs.items()} == {"detect": "done", "office": "done"}
        assert _get(api, f"/api/v1/items/{item}/metadata", pro)["kind"] == "document"
        [derived] = _get(api, f"/api/v1/items/{item}/derivatives", pro)
        assert derived["derivative_kind"] == "text"
        assert derived["derivation"]["tool"] == "dalel-office"

    text = _get(api, f"/api/v1/items/{word}/text", pro)
    assert [p["page"] for p in text["pages"]] == [1, 2]
    assert text["pages"][0]["text"] == (
        "Протокол допроса свидетеля\nМесто\tҚарағанды облысы, Теміртау\n"
        "Свидетель опознал автомобиль."
    )
    assert all(p["source"] == "document" and p["words"] == [] for p in text["pages"])
    sheets = _get(api, f"/api/v1/items/{excel}/text", pro)["pages"]
    assert [p["text"] for p in sheets] == [
        "Сводка\nСчёт\tСумма",
        "Выписка\nKZ86125KZT5004100100\t250000\tперевод Жезқазған",
    ]
    assert _get(api, f"/api/v1/items/{report}/text", pro)["text"] == "Рапорт"
    # The item page has its text section, filled from /text by the page's script.
    signed_in = post_login(api.client, {"username": "prosecutor", "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    for item in (word, excel, report):
        page = api.client.get(f"/items/{item}")
        assert page.status_code == 200 and 'id="text"' in page.text

    def hits(q: str) -> list[tuple[str, str, dict[str, Any]]]:
        found = _get(api, f"/api/v1/cases/{case_id}/search", pro, q=q)["hits"]
        return [(h["item_id"], h["kind"], h["locator"]) for h in found]

    assert hits("допроса") == [(word, "document", {"page": 1})]
    assert hits("хаттамамен") == [(word, "document", {"page": 2})]
    assert hits("Жезқазған") == [(excel, "document", {"page": 2})]
    assert hits("судимости") == [(writer, "document", {"page": 1})]
    assert hits("Рапорт") == [(report, "document", {"page": 1})]
    # Who may not read the case's content finds nothing in it either.
    outsider = api.client.get(
        f"/api/v1/cases/{case_id}/search", params={"q": "допроса"}, headers=team["outsider"]
    )
    assert outsider.status_code in {403, 404}


def test_a_zip_named_docx_is_unpacked_not_read_as_word(office_api: Api) -> None:
    api = office_api
    team = make_team(api)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "Протокол допроса")
    item = _upload(api, team, buf.getvalue(), "протокол.docx")
    pro = team["prosecutor"]
    jobs = {j["stage"]: j["state"] for j in _get(api, f"/api/v1/items/{item}/jobs", pro)}
    assert jobs == {"detect": "done", "unpack": "done"}
    meta = _get(api, f"/api/v1/items/{item}/metadata", pro)
    assert (meta["kind"], meta["extension_mismatch"]) == ("archive", True)
