"""The defence's work is its own: after a lawyer reads, downloads and annotates, nothing
the prosecution, the investigator, the officer or the court can get shows the lawyer's
events in clear, or an index that resolves to them; the auditor sees them.

Every output is searched the same way: decoded leaves and events (JSON, bundle
manifests) must not have the lawyer as actor, the PDF and pages must not name the
lawyer, and every ledger index they mention is asked for through the entries endpoint.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from evidence import service
from evidence.models import Role
from evidence.service.ledger import LedgerConfig
from evidence.web.core import SESSION_COOKIE
from tests.app_kit import Api
from tests.disclosure.conftest import Material, disclose
from tests.login_form import session_cookie

NOTE = "DEFENCE-NOTE the alibi holds"


def _events(value: Any) -> Iterator[dict[str, Any]]:
    """Every custody event inside a JSON value: decoded `leaf`s and `event`s."""
    if isinstance(value, dict):
        if isinstance(value.get("leaf"), str):
            yield json.loads(base64.b64decode(value["leaf"]))
        if isinstance(value.get("event"), dict):
            yield value["event"]
        for child in value.values():
            yield from _events(child)
    elif isinstance(value, list):
        for child in value:
            yield from _events(child)


def _indexes(value: Any) -> set[int]:
    if isinstance(value, dict):
        found = {int(value["index"])} if isinstance(value.get("index"), int) else set()
        return found.union(*(_indexes(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_indexes(v) for v in value))
    return set()


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _zip_outputs(data: bytes, tmp_path: Path) -> tuple[list[Any], list[str]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    documents = [json.loads(archive.read(n)) for n in archive.namelist() if n.endswith(".json")]
    texts = [_pdf_text(archive.read(n), tmp_path) for n in archive.namelist() if n.endswith(".pdf")]
    return documents, texts


def _lawyer_acts(api: Api, team, material: Material) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """The lawyer views, downloads (a file and the bundle) and writes a private note;
    their attempts on prosecution annotations are refused. (disclosure id, served id)."""
    body = disclose(api, team, [material.original]).json()
    disclosure_id, served = body["id"], body["items"][0]["served_id"]
    lawyer = team["defence"]
    base = f"/api/v1/disclosures/{disclosure_id}"
    assert api.client.get(f"{base}/items/{served}/content", headers=lawyer).status_code == 200
    download = api.client.get(f"{base}/items/{served}/content?download=true", headers=lawyer)
    assert download.status_code == 200
    assert api.client.get(f"{base}/bundle", headers=lawyer).status_code == 200
    note = api.client.post(f"{base}/notes", json={"text": NOTE}, headers=lawyer)
    assert note.status_code == 201, note.text
    # The prosecution's notes and tags are not the defence's to read or to change.
    assert api.client.get(f"/api/v1/items/{served}/annotations", headers=lawyer).status_code == 403
    for path, payload in [("notes", {"body": "x"}), ("tags", {"tags": ["x"]})]:
        response = api.client.post(f"/api/v1/items/{served}/{path}", json=payload, headers=lawyer)
        assert response.status_code == 403, (path, response.text)
    lawyer_id = api.client.get("/api/v1/users/me", headers=lawyer).json()["id"]
    return disclosure_id, served, lawyer_id


@pytest.fixture()
def judge(api: Api, team) -> dict[str, str]:  # type: ignore[no-untyped-def]
    api.user("judge", Role.COURT)
    response = api.client.post(
        f"/api/v1/cases/{team['case']['id']}/members",
        json={"username": "judge"},
        headers=team["prosecutor"],
    )
    assert response.status_code == 201, response.text
    return api.token("judge")


def test_the_defence_work_is_sealed_to_everyone_but_the_auditor(
    api: Api, team, material: Material, judge: dict[str, str], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    disclosure_id, served, lawyer_id = _lawyer_acts(api, team, material)
    case_id = team["case"]["id"]
    viewers = {
        "prosecutor": team["prosecutor"],
        "investigator": team["investigator"],
        "officer": team["officer"],
        "judge": judge,
    }
    items = [served, material.original, material.redacted]
    for who, headers in viewers.items():
        documents: list[Any] = []
        texts: list[str] = []
        cookies = {SESSION_COOKIE: session_cookie(api.client, who)}
        for item_id in items:
            custody = api.client.get(f"/api/v1/items/{item_id}/custody", headers=headers)
            if custody.status_code == 200:
                documents.append(custody.json())
            page = api.client.get(f"/items/{item_id}", cookies=cookies)
            if page.status_code == 200:
                texts.append(page.text)
                documents.append({"page": [{"index": int(i)} for i in re.findall(
                    r'<td class="num">(\d+)</td>', page.text)]})  # fmt: skip
        for path in [f"/api/v1/cases/{case_id}/timeline", f"/api/v1/cases/{case_id}/search?q=alibi",
                     f"/api/v1/cases/{case_id}/notes?q=alibi"]:  # fmt: skip
            response = api.client.get(path, headers=headers)
            if response.status_code == 200:
                documents.append(response.json())
        texts.append(api.client.get(f"/cases/{case_id}/timeline", cookies=cookies).text)
        export = api.client.get(f"/api/v1/cases/{case_id}/court-export", headers=headers)
        if export.status_code == 200:
            more, pdfs = _zip_outputs(export.content, tmp_path)
            documents += more
            texts += pdfs
            assert pdfs, "the court export has its custody report"
        bundle = api.client.get(f"/api/v1/disclosures/{disclosure_id}/bundle", headers=headers)
        if bundle.status_code == 200:
            more, _ = _zip_outputs(bundle.content, tmp_path)
            documents += more
        with api.session() as session:
            principal = service.authenticate(
                session=session, secret=headers["Authorization"].split()[-1]
            )
            out = tmp_path / f"custody-{who}.zip"
            try:
                service.export_custody(
                    session=session, store=api.client.app.state.store,  # type: ignore[attr-defined]
                    principal=principal, ledger=LedgerConfig.from_settings(api.settings),
                    out=out, item_ids=items,
                )  # fmt: skip
            except Exception as exc:  # refused to this viewer: nothing written
                assert "may not" in str(exc), exc
            else:
                documents += _zip_outputs(out.read_bytes(), tmp_path)[0]
        clear = [e for e in _events(documents) if e.get("actor", {}).get("id") == lawyer_id]
        assert not clear, f"{who} sees the lawyer's events: {[e['action'] for e in clear]}"
        for text in texts:  # reports and pages name an event's actor as "name (role)"
            assert "(defence)" not in text and NOTE not in text, who
        indexes = _indexes(documents)
        assert indexes, f"{who} saw no custody at all: the test would prove nothing"
        for index in sorted(indexes):
            entry = api.client.get(f"/api/v1/ledger/entries/{index}", headers=headers)
            if entry.status_code == 200:
                actor = json.loads(entry.content).get("actor", {})
                assert actor.get("id") != lawyer_id, f"{who}: entry {index} resolves to the lawyer"
    # The auditor sees the lawyer's reading, and the entries resolve for them.
    audited = api.client.get(f"/api/v1/items/{served}/custody", headers=team["auditor"]).json()
    theirs = [
        e for e in audited["events"] if (e["event"] or {}).get("actor", {}).get("id") == lawyer_id
    ]
    assert {e["event"]["action"] for e in theirs} >= {"item.content.read", "item.downloaded"}
    entry = api.client.get(f"/api/v1/ledger/entries/{theirs[0]['index']}", headers=team["auditor"])
    assert entry.status_code == 200 and json.loads(entry.content)["actor"]["id"] == lawyer_id
