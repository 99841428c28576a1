"""The front-end build: npm packages bundled into static/dist by `make assets` (or
`ensure_built`), served by the app itself with the right types, nothing third-party in
git, and a page policy that allows WebAssembly only where a page asks for it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evidence.app import create_app
from evidence.config import Settings
from evidence.migrations import upgrade
from evidence.web import assets
from evidence.web.core import content_security_policy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def built() -> Path:
    try:
        assets.ensure_built()
    except assets.AssetsMissing as exc:
        pytest.skip(str(exc))
    return assets.DIST


def test_every_page_entry_is_bundled_and_library_files_copied(built: Path) -> None:
    for entry in (assets.FRONTEND / "pages").glob("*.js"):
        bundle = built / entry.name
        assert bundle.is_file(), f"{entry.name} was not bundled"
    for name in ("pdfjs/pdf.worker.min.mjs", "leaflet/leaflet.css", "swagger-ui/swagger-ui.css"):
        assert (built / name).is_file(), name
    assert assets.built()


def test_bundles_are_served_by_the_app_with_script_types(built: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    upgrade(url)
    app = create_app(Settings(data_dir=tmp_path, database_url=url))
    with TestClient(app) as client:
        worker = client.get("/static/dist/pdfjs/pdf.worker.min.mjs")
        assert worker.status_code == 200
        assert worker.headers["content-type"].startswith("text/javascript")
        wasm = client.get("/static/dist/pdfjs/wasm/openjpeg.wasm")
        assert wasm.headers["content-type"] == "application/wasm"
        assert client.get("/static/dist/no-such.js").status_code == 404


def test_no_third_party_file_is_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert not [p for p in tracked if p.startswith(("node_modules/", "evidence/web/static/dist/"))]
    assert not (ROOT / "node_modules").exists()  # npm installs under the venv
    ignored = subprocess.run(
        ["git", "check-ignore", "node_modules/x", "evidence/web/static/dist/x.js"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert ignored == ["node_modules/x", "evidence/web/static/dist/x.js"]


def test_page_policy_allows_wasm_only_when_asked() -> None:
    plain = content_security_policy()
    assert "wasm-unsafe-eval" not in plain and "unsafe-inline" not in plain
    assert "default-src 'self'" in plain
    wasm = content_security_policy(wasm=True, img_sources=("https://tiles.police.kz",))
    assert "script-src 'self' 'wasm-unsafe-eval';" in wasm
    assert "img-src 'self' data: https://tiles.police.kz;" in wasm
    assert "'unsafe-eval'" not in wasm.replace("'wasm-unsafe-eval'", "")
