"""The review workspace in a real browser (Playwright driving Debian's Chromium) against a
real server in a subprocess: enrol TOTP and sign in with it, upload, watch processing
finish, seek the player from a transcript word, tag, search, switch language; and an
outsider who guesses URLs sees nothing. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest
from sqlmodel import Session

from evidence import service
from evidence.config import Settings
from evidence.db import make_engine
from evidence.migrations import upgrade
from evidence.models import Role
from evidence.policy import Principal
from tests.app_kit import PASSWORD
from tests.storage_fixtures import free_port

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "web"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
NUMBER = "202611210000077"
WORDS = [("Сәлем", 0.2, 0.6), ("қайда", 0.7, 1.1), ("барасың", 1.2, 1.8)]


def _clip(path: Path) -> Path:
    """Two seconds of test picture and tone: H.264/AAC in MP4."""
    subprocess.run(
        [
            "ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000", "-t", "2",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def _seed(settings: Settings) -> dict[str, str]:
    """Users and a case, written straight into the new database before the server starts."""
    url = settings.database_url or ""
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        users = {
            name: service.create_user(
                session=session, principal=None, username=name, password=PASSWORD, role=role
            )
            for name, role in [("prosecutor", Role.PROSECUTOR), ("outsider", Role.INVESTIGATOR)]
        }
        owner = users["prosecutor"]
        case = service.create_case(
            session=session,
            principal=Principal(user_id=owner.id, username=owner.username, role=owner.role),
            number=NUMBER,
            title="Тонау, Абай к-сі",
        )
    engine.dispose()
    return {"case": case.id}


@pytest.fixture()
def server(tmp_path: Path, tiny_whisper_dir: Path) -> Iterator[tuple[str, dict[str, str]]]:
    if not Path(CHROMIUM).exists() or not shutil.which("ffmpeg"):
        pytest.skip("Chromium or ffmpeg is not installed")
    pytest.importorskip("playwright.sync_api")
    env = {
        **os.environ,
        "DALEL_DATA_DIR": str(tmp_path / "data"),
        "DALEL_JOBS": "thread",
        "DALEL_WHISPER_MODEL": "tiny",
        "DALEL_WHISPER_DIR": str(tiny_whisper_dir),
        "DALEL_WHISPER_DECODE_OPTIONS": '{"sample_len": 8}',
        "DALEL_JOB_RETRIES": "1",
        "OMP_NUM_THREADS": "1",
    }
    settings = Settings(data_dir=tmp_path / "data")
    seeded = _seed(settings)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(tmp_path / "server.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "evidence.cli", "serve", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            for _ in range(300):
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise RuntimeError((tmp_path / "server.log").read_text())
            yield base, seeded
        finally:
            process.terminate()
            process.wait(timeout=20)


def _until(page, script: str, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Poll a JavaScript expression until true (wait_for_function compiles strings, which
    the pages' Content-Security-Policy forbids)."""
    deadline = time.time() + timeout
    while not page.evaluate(script):
        assert time.time() < deadline, f"timed out waiting for {script}"
        time.sleep(0.1)


PLAYER = "document.getElementById('player')"


def _code(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def test_review_workspace_in_a_browser(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    base, seeded = server
    case_url = f"{base}/cases/{seeded['case']}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    clip = _clip(tmp_path / "bodycam.mp4")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        shot = lambda name: page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # noqa: E731

        # 1. A prosecutor signs in with a password, is told to enrol, enrols TOTP.
        page.goto(f"{base}/lang/en?next=/login")
        page.fill("input[name=username]", "prosecutor")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator(".banner")).to_contain_text("two-factor")
        page.click(".banner a")
        secret = page.locator("#totp-secret").inner_text().strip()
        page.fill("input[name=code]", _code(secret))
        shot("01-enrol")
        page.click("form[action='/account/totp'] button[type=submit]")
        expect(page.locator("#totp-status")).to_contain_text("is on")

        # 2. Sign out, then sign in again: the code is now required.
        page.click("header form button[type=submit]")
        page.fill("input[name=username]", "prosecutor")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator(".error")).to_contain_text("6-digit code")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=totp]", _code(secret, 30))
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("My cases")
        shot("02-cases")

        # 3. Upload through the case page; watch processing finish.
        page.click(f"text={NUMBER}")
        page.set_input_files("#pick-files", str(clip))
        page.select_option("select[name=source_kind]", "bodycam")
        page.fill("#captured-at", "2026-11-21T09:30")
        page.select_option("#time-zone", "+05:00")
        page.click("#upload-start")
        # Hashing in the page and the upload: over 30 s on a loaded 2-core machine.
        page.click("#upload-files li.done .name a", timeout=120_000)
        expect(page.locator("h1")).to_have_text("bodycam.mp4")
        item_url = page.url
        item_id = item_url.rsplit("/", 1)[1]
        page.goto(case_url)
        deadline = time.time() + 150
        while time.time() < deadline:
            state = page.locator("tbody td[class^=state-]").first.get_attribute("class")
            if state in {"state-done", "state-failed"}:
                break
            time.sleep(2)
            page.reload()
        shot("03-case-processed")
        assert state == "state-done", f"processing ended as {state}"
        expect(page.locator("td.thumb img").first).to_be_visible()

        # 4. A reviewed transcript with known word times, through ingest's endpoint.
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"username": "prosecutor", "password": PASSWORD, "totp": _code(secret, -30)},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        machine = httpx.get(f"{base}/api/v1/items/{item_id}/transcript", headers=headers)
        assert machine.status_code == 200, machine.text
        segment = {
            "start": 0.2, "end": 1.8, "text": " ".join(w for w, _, _ in WORDS),
            "words": [{"word": w, "start": s, "end": e, "probability": 1.0} for w, s, e in WORDS],
        }  # fmt: skip
        edited = httpx.put(
            f"{base}/api/v1/items/{item_id}/transcript",
            json={
                "segments": [segment],
                "language": "kk",
                "base_version": machine.json()["version"],
            },
            headers=headers,
        )
        assert edited.status_code == 200, edited.text

        # 5. Click a word: the player seeks there and the word is highlighted.
        page.goto(item_url)
        word = page.locator(".word", has_text="барасың")
        expect(word).to_be_visible()
        _until(page, f"{PLAYER}.readyState >= 1")
        word.click()
        _until(page, f"{PLAYER}.currentTime >= 1.15")
        page.evaluate(f"{PLAYER}.pause(); {PLAYER}.currentTime = 1.3")
        expect(word).to_have_class(re.compile(r"\bcurrent\b"))
        shot("04-item-transcript")
        # The same with the keyboard: focus the transcript, Home, arrow right, Enter.
        page.focus("#transcript")
        page.keyboard.press("Home")
        page.keyboard.press("ArrowRight")
        expect(page.locator(".word", has_text="қайда")).to_be_focused()
        page.keyboard.press("Enter")
        _until(page, f"{PLAYER}.currentTime >= 0.65")
        page.evaluate(f"{PLAYER}.pause()")

        # 6. Mark the transcript verified (a new version); tag the item with the keyboard.
        page.click("#edit-transcript")
        page.check("#verified")
        page.click("#save-transcript")
        expect(page.locator("#transcript-meta")).to_contain_text("verified")
        page.fill("#new-tag", "suspect")
        page.press("#new-tag", "Enter")
        expect(page.locator("#tags .tag")).to_have_text(["suspect"])

        # 7. Search the case (typed on a Russian keyboard): the hit links to the time in the
        # item, and the word found is marked there too.
        page.goto(f"{case_url}/search")
        page.fill("input[name=q]", "кайда")
        page.press("input[name=q]", "Enter")
        expect(page.locator("ol.hits mark")).to_have_text(["қайда"])
        hit = page.locator("ol.hits a").first
        expect(hit).to_have_attribute("href", re.compile(rf"/items/{item_id}\?t=0\.2&mark="))
        shot("05-search")
        hit.click()
        _until(page, f"{PLAYER}.currentTime > 0.1")
        expect(page.locator("#transcript mark")).to_have_text(["қайда"])

        # 8. Switch language: Kazakh, then Russian.
        page.click("nav.langs a[hreflang=kk]")
        expect(page.locator("html")).to_have_attribute("lang", "kk")
        expect(page.locator("#tags-h")).to_have_text("Тегтер")
        shot("06-item-kk")
        page.click("nav.langs a[hreflang=ru]")
        expect(page.locator("#tags-h")).to_have_text("Теги")
        page.goto(f"{case_url}/timeline")
        expect(page.locator("ol.timeline")).to_contain_text("bodycam.mp4")
        shot("07-timeline-ru")

        # 9. An outsider guessing the URLs sees nothing.
        other = browser.new_context(locale="en-US").new_page()
        other.goto(f"{base}/lang/en?next=/login")
        other.fill("input[name=username]", "outsider")
        other.fill("input[name=password]", PASSWORD)
        other.click("button[type=submit]")
        expect(other.locator("h1")).to_have_text("My cases")
        assert NUMBER not in other.content()
        for url in [case_url, item_url, f"{case_url}/search?q=қайда", f"{case_url}/timeline"]:
            response = other.goto(url)
            assert response is not None and response.status == 403, url
            assert "bodycam" not in other.content() and "Тонау" not in other.content()
        content = other.goto(f"{base}/api/v1/items/{item_id}/content")
        assert content is not None and content.status == 403
        other.screenshot(path=str(ARTIFACTS / "08-outsider.png"))
        browser.close()
