"""verify.html in Chromium (Playwright, Debian's /usr/bin/chromium), opened from file://
with no server and no network: it accepts an intact bundle and rejects a flipped byte."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.disclosure.conftest import Material, disclose
from tests.evidence.conftest import Api

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _verify(browser, folder: Path) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    try:
        page.goto((folder / "verify.html").as_uri())
        page.set_input_files("#folder", str(folder))
        # A selector wait, not wait_for_function: the page's CSP forbids eval.
        page.wait_for_selector(
            '#result[data-status="verified"], #result[data-status="failed"]', timeout=30_000
        )
        status = page.get_attribute("#result", "data-status") or ""
        return status, page.inner_text("#log")
    finally:
        page.close()


@pytest.mark.parametrize("api", ["sqlite"], indirect=True)
def test_verify_html_accepts_intact_bundle_and_rejects_flipped_byte(  # type: ignore[no-untyped-def]
    browser, api: Api, team, material: Material, tmp_path: Path
) -> None:
    api.client.post(
        f"/api/v1/items/{material.unredacted}/disclosure-flags",
        json={"disclosable_original": True},
        headers=team["prosecutor"],
    )
    body = disclose(api, team, [material.original, material.unredacted]).json()
    response = api.client.get(f"/api/v1/disclosures/{body['id']}/bundle", headers=team["defence"])
    assert response.status_code == 200
    folder = tmp_path / "bundle"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(folder)
    status, log = _verify(browser, folder)
    assert status == "verified", log
    assert "checkpoint signatures: OK" in log and log.count("OK    item") == 2
    # One flipped byte in one file: rejected, naming the file.
    tampered = tmp_path / "tampered"
    shutil.copytree(folder, tampered)
    item = json.loads((folder / "manifest.json").read_text())["items"][1]
    path = tampered / item["file"]
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    status, log = _verify(browser, tampered)
    assert status == "failed" and "altered" in log and item["id"] in log
    # A forged event leaf (its proof no longer matches the signed root) is rejected too.
    forged = tmp_path / "forged"
    shutil.copytree(folder, forged)
    manifest = json.loads((forged / "manifest.json").read_text())
    leaf = bytearray(__import__("base64").b64decode(manifest["events"][0]["leaf"]))
    leaf[-2] ^= 0x01
    manifest["events"][0]["leaf"] = __import__("base64").b64encode(bytes(leaf)).decode()
    (forged / "manifest.json").write_text(json.dumps(manifest))
    status, log = _verify(browser, forged)
    assert status == "failed" and "does not match the root" in log
    # A manifest that lies about the derivation (another parent) is rejected.
    lying = tmp_path / "lying"
    shutil.copytree(folder, lying)
    manifest = json.loads((lying / "manifest.json").read_text())
    chain = next(i for i in manifest["items"] if len(i["derivation_chain"]) > 1)
    chain["derivation_chain"][1]["sha256"] = "0" * 64
    chain["derivation_chain"][1]["id"] = "someone-else"
    (lying / "manifest.json").write_text(json.dumps(manifest))
    status, log = _verify(browser, lying)
    assert status == "failed" and "derivation chain does not match the ledger" in log
    assert "completeness: 2 item heads signed by the log" in _verify(browser, folder)[1]
    # An item's newest event left out keeps its chain intact: the signed heads catch it.
    cut = tmp_path / "cut"
    shutil.copytree(folder, cut)
    manifest = json.loads((cut / "manifest.json").read_text())
    manifest["events"].sort(key=lambda e: e["index"])
    manifest["events"].pop()
    (cut / "manifest.json").write_text(json.dumps(manifest))
    status, log = _verify(browser, cut)
    assert status == "failed" and "history incomplete" in log, log
    # Without the statement nothing can show the histories are complete: not verified.
    del manifest["heads"]
    (cut / "manifest.json").write_text(json.dumps(manifest))
    status, log = _verify(browser, cut)
    assert status == "failed" and "no signed heads" in log, log


def test_verify_html_streaming_sha256_matches_hashlib(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Files over 64 MB are hashed in slices by the page's own SHA-256: check it."""
    import hashlib

    shutil.copy(Path(__file__).parents[2] / "disclosure/static/verify.html", tmp_path)
    page = browser.new_page()
    page.goto((tmp_path / "verify.html").as_uri())
    for size in [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000, 3_000_001]:
        data = bytes((i * 31 + 7) & 255 for i in range(size))
        for step in [1, 7, 64, 1_000_000]:
            if step < 64 and size > 2000:
                continue
            got = page.evaluate(
                """([size, step]) => {
                    const data = new Uint8Array(size);
                    for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) & 255;
                    return window.dalelSha256(data, step);
                }""",
                [size, step],
            )
            assert got == hashlib.sha256(data).hexdigest(), (size, step)
    page.close()
