"""A purged item in a custody bundle: the offline verifier reports it as purged on its
date under the approvals, from its chain's `item.purged` event, not as a failure; a
bundle that claims a purge its chain does not show fails; fsck counts it, not missing."""

from __future__ import annotations

import io
import json
import os
import zipfile
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from custody import verifier
from evidence import service
from evidence.models import Role
from tests.app_kit import Api

LONG_AGO = "2015-03-10T09:00:00+05:00"


def _verify(path: Path) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = verifier.main([str(path)])
    return code, out.getvalue()


def _purged_case(api: Api, team) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    case_id = team["case"]["id"]
    api.user("second", Role.PROSECUTOR)
    team["second"] = api.token("second")
    api.client.post(
        f"/api/v1/cases/{case_id}/members", json={"username": "second"},
        headers=team["prosecutor"],
    )  # fmt: skip
    old = api.upload(case_id, team["officer"], os.urandom(1500), collected_at=LONG_AGO).json()
    kept = api.upload(case_id, team["officer"], os.urandom(1500)).json()
    api.client.put(
        f"/api/v1/cases/{case_id}/retention", json={"category": "administrative"},
        headers=team["prosecutor"],
    )  # fmt: skip
    proposed = api.client.post(
        f"/api/v1/cases/{case_id}/purges", json={"reason": "period over", "items": [old["id"]]},
        headers=team["prosecutor"],
    ).json()  # fmt: skip
    approved = api.client.post(f"/api/v1/purges/{proposed['id']}/approve", headers=team["second"])
    assert approved.status_code == 200, approved.text
    done = api.client.get(f"/api/v1/purges/{proposed['id']}", headers=team["prosecutor"]).json()
    assert done["state"] == "done", done
    return case_id, old["id"], kept["id"]


@pytest.mark.usefixtures("purge_jobs")
def test_verifier_reports_a_purged_item_by_its_chain(api: Api, team, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, purged, kept = _purged_case(api, team)
    out = tmp_path / "case.zip"
    with api.session() as session:
        service.export_custody(
            session=session,
            store=api.client.app.state.store,  # type: ignore[attr-defined]
            principal=None,
            ledger=service.LedgerConfig.from_settings(api.settings),
            out=out,
            case_number="202611210000001",
        )
    code, text = _verify(out)
    assert code == 0, text
    line = next(x for x in text.splitlines() if purged in x)
    assert line.startswith(f"OK    item {purged}: purged on ")
    assert "under approvals prosecutor (proposed) and second (approved)" in line
    assert f"OK    item {kept}\n" in text + "\n" or f"OK    item {kept}" in text
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("bundle.json"))
        names = archive.namelist()
    entry = next(i for i in manifest["items"] if i["id"] == purged)
    assert entry["file"] is None and entry["purged"] is True
    assert not any(purged in name for name in names)  # no bytes travel

    # A bundle claiming a purge that its chain does not show fails that item.
    folder = tmp_path / "forged"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(folder)
    forged = json.loads((folder / "bundle.json").read_text())
    for item in forged["items"]:
        if item["id"] == kept:
            item["purged"], item["file"] = True, None
    (folder / "bundle.json").write_text(json.dumps(forged))
    code, text = _verify(folder)
    assert code == 1
    assert f"FAIL  item {kept}: listed as purged, but its chain does not end" in text

    with api.session() as session:
        report = service.fsck(session=session, store=api.client.app.state.store)  # type: ignore[attr-defined]
    assert report.ok and report.purged == 1, report.findings


@pytest.mark.usefixtures("purge_jobs")
def test_custody_report_shows_basis_purpose_and_purge(api: Api, team, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    case_id, purged, _ = _purged_case(api, team)
    api.client.put(
        f"/api/v1/cases/{case_id}/retention",
        json={"category": "administrative", "legal_basis": "administrative-code",
              "legal_basis_text": "art. 803", "purpose": "investigation"},
        headers=team["prosecutor"],
    )  # fmt: skip
    response = api.client.get(
        f"/api/v1/cases/{case_id}/court-export?language=en", headers=team["prosecutor"]
    )
    assert response.status_code == 200, response.text
    (tmp_path / "court.zip").write_bytes(response.content)
    with zipfile.ZipFile(tmp_path / "court.zip") as archive:
        (tmp_path / "r.pdf").write_bytes(archive.read("custody-report.pdf"))
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Code of Administrative Offences — art. 803" in text
    assert "Pre-trial investigation" in text
    assert "purged after retention on" in text and "retained until" in text
    code, out = _verify(tmp_path / "court.zip")
    assert code == 0, out
    assert f"OK    item {purged}: purged on" in out
