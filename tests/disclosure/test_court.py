"""Court export of a case (public verification: test_verify_public.py)."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile

from evidence.models import Role
from tests.app_kit import Api
from tests.disclosure.conftest import Material


def test_court_member_receives_a_court_export(api: Api, team, material: Material, tmp_path) -> None:  # type: ignore[no-untyped-def]
    api.user("judge", Role.COURT)
    judge = api.token("judge")
    url = f"/api/v1/cases/{team['case']['id']}/court-export"
    assert api.client.get(url, headers=judge).status_code == 403  # not yet a member
    api.client.post(
        f"/api/v1/cases/{team['case']['id']}/members",
        json={"username": "judge"},
        headers=team["prosecutor"],
    )
    for who in ["defence", "officer", "auditor"]:
        assert api.client.get(url, headers=team[who]).status_code == 403
    response = api.client.get(url, headers=judge)
    assert response.status_code == 200, response.text
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"bundle.json", "verifier.py", "custody-report.pdf"} <= names
    assert archive.read("custody-report.pdf").startswith(b"%PDF")
    manifest = json.loads(archive.read("bundle.json"))
    ids = {item["id"] for item in manifest["items"]}
    assert {material.original, material.redacted, material.proxy} <= ids
    for item in manifest["items"]:
        assert hashlib.sha256(archive.read(item["file"])).hexdigest() == item["sha256"]
    # The court runs the offline verifier that travels in the export.
    archive.extractall(tmp_path / "export")
    result = subprocess.run(
        [sys.executable, "verifier.py", "."], cwd=tmp_path / "export", capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    downloads = [e for e in api.events("item.downloaded") if e[2] == material.original]
    assert downloads  # recorded for the court user before the export was written
