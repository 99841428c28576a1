"""Court export of a case, and the public verification endpoint and page."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile

from evidence.models import Role
from tests.disclosure.conftest import Material, png_bytes
from tests.evidence.conftest import Api


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


def test_public_verify_says_held_with_proof_and_nothing_else(
    api: Api, team, material: Material
) -> None:  # type: ignore[no-untyped-def]
    api.client.get("/api/v1/ledger/checkpoint")  # nothing signed yet is fine
    with api.session() as session:
        from evidence.service import LedgerConfig, checkpoint

        assert api.settings.ledger_key_dir is not None
        checkpoint(
            session=session,
            ledger=LedgerConfig(
                key_dir=api.settings.ledger_key_dir, origin=api.settings.ledger_origin
            ),
        )
    data = png_bytes("red")
    digest = hashlib.sha256(data).hexdigest()
    by_hash = api.client.post("/api/v1/verify", json={"sha256": digest})  # no sign-in
    assert by_hash.status_code == 200, by_hash.text
    result = by_hash.json()
    assert result["held"] and result["proofs"] and result["checkpoint"]
    text = json.dumps(result)
    assert "202611210000001" not in text and team["case"]["id"] not in text
    assert "officer" not in text and material.original not in text and "photo" not in text
    by_file = api.client.post("/api/v1/verify", files={"file": ("x.png", data, "image/png")})
    assert by_file.json()["held"] and by_file.json()["sha256"] == digest
    raw = api.client.post(
        "/api/v1/verify", content=data, headers={"Content-Type": "application/octet-stream"}
    )
    assert raw.json()["sha256"] == digest
    unknown = api.client.post("/api/v1/verify", json={"sha256": "0" * 64}).json()
    assert unknown == {"sha256": "0" * 64, "held": False}
    assert api.client.post("/api/v1/verify", json={"sha256": "xyz"}).status_code == 400
    # The proof checks against the signed checkpoint with the verifier's own functions.
    from custody.verifier import verify_inclusion

    note_root = __import__("base64").b64decode(result["checkpoint"].split("\n")[2])
    proof = result["proofs"][0]
    verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        proof["index"],
        result["tree_size"],
        [__import__("base64").b64decode(h) for h in proof["inclusion_proof"]],
        note_root,
    )
    page = api.client.get("/verify")
    assert page.status_code == 200 and "SHA-256" in page.text
    bundle_page = api.client.get("/verify/bundle")
    assert bundle_page.status_code == 200 and "crypto.subtle" in bundle_page.text
