"""A scanned PDF through the pipeline (SQLite, jobs inline): OCR per page with word
boxes, a searchable PDF derivative, hits located by page."""

from __future__ import annotations

from pathlib import Path

from tests.app_kit import Api, make_team

pytest_plugins = ["tests.ingest.conftest_integration"]


def test_scanned_pdf(sqlite_api: Api, scanned_pdf: Path) -> None:
    api = sqlite_api
    team = make_team(api)
    pro, case_id = team["prosecutor"], team["case"]["id"]
    response = api.upload(case_id, pro, scanned_pdf.read_bytes(), name="скан.pdf")
    item = response.json()["id"]
    jobs = api.client.get(f"/api/v1/items/{item}/jobs", headers=pro).json()
    assert {j["stage"]: j["state"] for j in jobs} == {"detect": "done", "ocr": "done"}
    derived = api.client.get(f"/api/v1/items/{item}/derivatives", headers=pro).json()
    kinds = {d["derivative_kind"]: d for d in derived}
    assert set(kinds) == {"ocr", "searchable_pdf"}
    assert kinds["searchable_pdf"]["derivation"]["tool"] == "tesseract"
    assert kinds["searchable_pdf"]["derivation"]["parameters"]["ocr_pages"] == [1, 2]
    text = api.client.get(f"/api/v1/items/{item}/text", headers=pro).json()
    assert [p["page"] for p in text["pages"]] == [1, 2]
    assert all(p["source"] == "ocr" and p["words"] for p in text["pages"])
    hits = api.client.get(
        f"/api/v1/cases/{case_id}/search", params={"q": "хаттамасы"}, headers=pro
    ).json()["hits"]
    assert [(h["item_id"], h["locator"]) for h in hits] == [(item, {"page": 2})]
    # The searchable copy is an item like any other: its bytes are a PDF.
    content = api.client.get(f"/api/v1/items/{kinds['searchable_pdf']['id']}/content", headers=pro)
    assert content.status_code == 200 and content.content[:5] == b"%PDF-"
