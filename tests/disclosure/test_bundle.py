"""Disclosure bundles: streamed ZIP, manifest, offline verifier, receipts."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.disclosure.conftest import Material, disclose
from tests.evidence.conftest import Api


def fetch_bundle(api: Api, team, material: Material) -> tuple[dict, bytes, str]:  # type: ignore[no-untyped-def,type-arg]
    body = disclose(api, team, [material.original]).json()
    response = api.client.get(f"/api/v1/disclosures/{body['id']}/bundle", headers=team["defence"])
    assert response.status_code == 200, response.text
    return body, response.content, response.headers["X-Receipt-Id"]


def test_bundle_holds_files_manifest_and_verifiers(
    api: Api, team, material: Material, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    body, data, _ = fetch_bundle(api, team, material)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert {"manifest.json", "bundle.json", "verifier.py", "verify.html", "README.txt"} <= names
    manifest = json.loads(archive.read("manifest.json"))
    (item,) = manifest["items"]
    served = body["items"][0]["served_id"]
    assert item["id"] == served
    content = archive.read(item["file"])
    assert hashlib.sha256(content).hexdigest() == item["sha256"] and len(content) == item["size"]
    chain = item["derivation_chain"]
    assert [step["derivative_kind"] for step in chain] == ["watermarked", "redacted", None]
    assert chain[-1]["id"] == material.original and item["redaction_plans"] == ["p1"]
    withheld = {w["id"]: w["sha256"] for w in manifest["withheld"]}
    assert withheld.keys() == {material.original, material.redacted}
    assert withheld[material.original] == chain[-1]["sha256"]
    assert manifest["checkpoints"] and manifest["log_keys"]
    actions = [
        json.loads(__import__("base64").b64decode(e["leaf"]))["action"] for e in manifest["events"]
    ]
    assert "item.derived" in actions and "item.downloaded" in actions  # its own delivery
    assert not any(name.startswith("files/") and material.original in name for name in names)


def run_verifier(folder: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "verifier.py", "."], cwd=folder, capture_output=True, text=True, timeout=60
    )
    return result


def test_offline_verifier_py_accepts_intact_and_rejects_flipped_byte(
    api: Api, team, material: Material, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _, data, _ = fetch_bundle(api, team, material)
    archive = zipfile.ZipFile(io.BytesIO(data))
    item = json.loads(archive.read("manifest.json"))["items"][0]
    archive.extractall(tmp_path / "bundle")
    result = run_verifier(tmp_path / "bundle")
    assert result.returncode == 0, result.stdout + result.stderr
    path = tmp_path / "bundle" / item["file"]
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 1
    path.write_bytes(bytes(raw))
    result = run_verifier(tmp_path / "bundle")
    assert result.returncode == 1 and "altered" in result.stdout
