"""The item page reads evidence the way a reviewer needs (issue 20, part 5), in Chromium
against `dalel serve` with the pipeline running: a phone photo's camera, lens, GPS
position and capture time are shown from its EXIF, and with no capture time given at
upload the file's time places it on the case timeline, marked as read from the file; a
PDF is drawn in the page by pdf.js; an audio item has a waveform (wavesurfer.js) and a
playback speed control, and without a speech model it says calmly that transcription is
not set up (not "failed" in the case list); the account page shows the authenticator
secret as a QR code, the same secret across reloads."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.web.browser_kit import (
    Server,
    seed_case,
    seed_people,
    shot,
    sign_in,
    until,
)

pytestmark = pytest.mark.browser
NUMBER = "202611210000205"


def _photo(path: Path) -> bytes:
    Image.new("RGB", (640, 480), (30, 120, 200)).save(path, "JPEG")
    subprocess.run(
        [
            "exiftool", "-q", "-overwrite_original", "-Make=Samsung", "-Model=SM-A546E",
            "-LensModel=Samsung 5.4mm f/1.8", "-DateTimeOriginal=2026:11:20 14:35:10",
            "-OffsetTimeOriginal=+05:00", "-GPSLatitude=43.238949", "-GPSLatitudeRef=N",
            "-GPSLongitude=76.889709", "-GPSLongitudeRef=E", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def _pdf() -> bytes:
    pages = [Image.new("RGB", (600, 800), (255, 255, 255)) for _ in range(2)]
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:])
    return out.getvalue()


def _wav(path: Path) -> bytes:
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
         "-ac", "1", "-ar", "16000", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[tuple[Server, str, dict[str, str]]]:
    srv = Server(tmp_path, DALEL_JOBS="thread")
    users = seed_people(srv.settings)
    case_id = seed_case(
        srv.settings, number=NUMBER, title="Жол апаты", owner=users["prosecutor"],
        members=["officer"],
    )  # fmt: skip
    srv.start()
    try:
        ids = {}
        headers = {"Authorization": f"Bearer {srv.token('officer')}"}
        for name, body, kind in [
            ("IMG_0042.jpg", _photo(tmp_path / "p.jpg"), "image/jpeg"),
            ("akt.pdf", _pdf(), "application/pdf"),
            ("call.wav", _wav(tmp_path / "c.wav"), "audio/wav"),
        ]:
            answer = httpx.post(
                f"{srv.base}/api/v1/cases/{case_id}/items", headers=headers,
                files={"file": (name, body, kind)}, data={"source_kind": "phone"}, timeout=60,
            )  # fmt: skip
            assert answer.status_code == 201, answer.text
            ids[name] = answer.json()["id"]
        yield srv, case_id, ids
    finally:
        srv.stop()


def _until_done(page: Any, url: str, selector: str, tries: int = 60) -> None:
    for _ in range(tries):
        page.goto(url)
        if page.locator(selector).count():
            return
        page.wait_for_timeout(1000)
    raise AssertionError(f"{selector} never appeared on {url}")


def test_item_page_shows_what_the_file_holds(
    world: tuple[Server, str, dict[str, str]],
    browser: Any,
) -> None:
    from playwright.sync_api import expect

    srv, case_id, ids = world
    page = sign_in(browser, srv.base, "prosecutor", lang="ru")
    photo = f"{srv.base}/items/{ids['IMG_0042.jpg']}"
    _until_done(page, photo, "#file-facts")
    expect(page.locator("#facts-h")).to_have_text("Что записано в файле")
    expect(page.locator("#fact-camera")).to_have_text("Samsung SM-A546E")
    expect(page.locator("#fact-lens")).to_have_text("Samsung 5.4mm f/1.8")
    expect(page.locator("#fact-gps")).to_contain_text("43.238949, 76.889709")
    expect(page.locator("#fact-captured")).to_contain_text("14:35")
    expect(page.locator("#fact-captured")).to_contain_text("(UTC+05:00)")
    expect(page.locator("#captured-from-file")).to_contain_text("(прочитано из файла)")
    # No capture time was given at upload: the file's places it on the timeline, marked.
    page.goto(f"{srv.base}/cases/{case_id}/timeline")
    entry = page.locator("li.t-item", has_text="IMG_0042.jpg")
    expect(entry).to_contain_text("(время прочитано из файла)")
    expect(entry.locator("time")).to_have_attribute("datetime", "2026-11-20T09:35:10+00:00")

    # The PDF, drawn in the page.
    page.goto(f"{srv.base}/items/{ids['akt.pdf']}")
    until(page, "document.getElementById('pdf-viewer').dataset.rendered === '2'")
    assert page.locator("#pdf-viewer canvas.pdf-page").count() == 2
    shot(page, "pdf-ru")
    page.context.close()

    # Audio in Kazakh: a waveform, the speed control, and a calm word on transcription.
    page = sign_in(browser, srv.base, "prosecutor", lang="kk")
    audio = f"{srv.base}/items/{ids['call.wav']}"
    _until_done(page, audio, "#speech-state")
    expect(page.locator("#speech-state")).to_have_text("Бұл серверде транскрипция бапталмаған.")
    until(page, "document.getElementById('waveform').dataset.ready === '1'")
    assert page.locator("#waveform").evaluate("w => w.querySelector('div') !== null")
    page.select_option("#speed", "1.5")
    assert page.evaluate("document.getElementById('player').playbackRate") == 1.5
    expect(page.locator("#download")).to_have_text("Түпнұсқаны жүктеп алу")
    page.goto(f"{srv.base}/cases/{case_id}")
    row = page.locator("table.items tr", has_text="call.wav")
    expect(row.locator("td[class^=state-]")).not_to_have_class("state-failed")
    shot(page, "audio-kk")
    page.context.close()

    # Enrolment in English: a QR code, and the same secret on a reload.
    page = sign_in(browser, srv.base, "prosecutor", lang="en")
    page.goto(f"{srv.base}/account")
    expect(page.locator("#totp-qr")).to_be_visible()
    assert page.locator("#totp-qr").get_attribute("src").startswith("data:image/svg+xml;base64,")
    first = page.locator("#totp-secret").inner_text()
    page.reload()
    assert page.locator("#totp-secret").inner_text() == first
