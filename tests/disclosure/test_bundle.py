"""Disclosure bundles: streamed ZIP, manifest, offline verifier, receipts."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from evidence.models import Item
from tests.app_kit import Api
from tests.disclosure.conftest import Material, disclose


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
    withheld = {w["id"]: w["commitment"] for w in manifest["withheld"]}
    assert withheld.keys() == {material.original, material.redacted}
    assert withheld[material.original] == chain[-1]["commitment"] and chain[-1]["sha256"] is None
    with api.session() as session:  # the plain hashes of what is withheld appear nowhere
        hidden = {session.get(Item, i).sha256.encode() for i in withheld}  # type: ignore[union-attr]
    assert not any(h in archive.read(n) for h in hidden for n in names)
    assert manifest["checkpoints"] and manifest["log_keys"]
    actions = [
        json.loads(__import__("base64").b64decode(e["leaf"]))["action"]
        for e in manifest["events"]
        if "leaf" in e
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


def test_every_file_of_the_bundle_is_covered_by_the_signed_statement(
    api: Api, team, material: Material, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A flipped byte in manifest.json or README.txt, or a file slipped in, fails
    verifier.py (it passed before: only bundle.json and the evidence were checked)."""
    _, data, _ = fetch_bundle(api, team, material)
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path / "bundle")
    statement = (tmp_path / "bundle" / "statement.txt").read_text()
    assert "release verify.html " in statement and "release verifier.py " in statement
    for name in ["manifest.json", "README.txt", "extra.txt"]:
        copy = tmp_path / name.replace(".", "-")
        shutil.copytree(tmp_path / "bundle", copy)
        path = copy / name
        raw = bytearray(path.read_bytes() if path.exists() else b"slipped in")
        raw[len(raw) // 2] ^= 1
        path.write_bytes(bytes(raw))
        result = run_verifier(copy)
        assert result.returncode == 1, (name, result.stdout)
        assert f"file {name}" in result.stdout and "signed statement" in result.stdout, name
