"""Redaction on the picture (issue 15), in Chromium against `dalel serve`: a prosecutor
opens the review of a photo, sees the image itself with the boxes over it, draws a box
with the mouse, moves it and resizes it by its corner, draws a second box and clicks it
to keep what is under it, undoes and redoes nothing by accident, approves, and the
rendered copy has exactly the kept box's region black and every other pixel as in the
original; a two-page scan shows page thumbnails with open counts, and the keyboard
alone selects, hides and moves a box. Screenshots in tests/artifacts/workspace/."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageChops, ImageDraw

from tests.web.browser_kit import (
    Server,
    seed_case,
    seed_people,
    shot,
    sign_in,
    until,
)

pytestmark = pytest.mark.browser
NUMBER = "202612020000415"
W, H = 1600, 1000
# The planted region: a patterned "document" the analysis cannot read as text.
SECRET = (900, 500, 1300, 700)


def _photo() -> bytes:
    image = Image.new("RGB", (W, H), (200, 220, 235))
    draw = ImageDraw.Draw(image)
    for i in range(0, W, 40):
        draw.line((i, 0, i, H), fill=(180, 200, 215), width=2)
    draw.rectangle(SECRET, fill=(220, 40, 40))
    for i in range(SECRET[0], SECRET[2], 20):
        draw.line((i, SECRET[1], i, SECRET[3]), fill=(250, 230, 60), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _scan() -> bytes:
    pages = [Image.new("RGB", (850, 1100), "white") for _ in range(2)]
    ImageDraw.Draw(pages[1]).rectangle((100, 100, 400, 200), fill="black")
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=100)
    return out.getvalue()


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[tuple[Server, dict[str, str], dict[str, bytes]]]:
    srv = Server(tmp_path)
    users = seed_people(srv.settings, ("prosecutor", "officer"))
    case_id = seed_case(srv.settings, number=NUMBER, title="Фото", owner=users["prosecutor"],
                        members=["officer"])  # fmt: skip
    srv.start()
    try:
        headers = {"Authorization": f"Bearer {srv.token('prosecutor')}"}
        files = {"photo.png": _photo(), "scan.pdf": _scan()}
        plans = {}
        for name, data in files.items():
            kind = "image/png" if name.endswith(".png") else "application/pdf"
            r = httpx.post(f"{srv.base}/api/v1/cases/{case_id}/items", headers=headers,
                           files={"file": (name, data, kind)}, timeout=60)  # fmt: skip
            assert r.status_code == 201, r.text
            r = httpx.post(f"{srv.base}/api/v1/items/{r.json()['id']}/redactions", json={},
                           headers=headers, timeout=120)  # fmt: skip
            assert r.status_code == 201, r.text
            plans[name] = r.json()["id"]
        yield srv, plans, files
    finally:
        srv.stop()


def _page_point(page: Any, x: float, y: float) -> tuple[float, float]:
    """Screen coordinates of a point given in the page's pixels."""
    box = page.locator("#studio svg").bounding_box()
    return box["x"] + x * box["width"] / W, box["y"] + y * box["height"] / H


def _drag(page: Any, a: tuple[float, float], b: tuple[float, float]) -> None:
    page.mouse.move(*_page_point(page, *a))
    page.mouse.down()
    for i in range(1, 6):  # a few moves, as a hand makes
        t = i / 5
        page.mouse.move(*_page_point(page, a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t))
    page.mouse.up()


def _next_version(page: Any, before: str) -> str:
    """Wait for the page of the version the last change wrote; its plan id."""
    page.wait_for_url(lambda url: f"/redactions/{before}/" not in url, timeout=60_000)
    page.wait_for_load_state()
    page.locator("#studio[data-ready='1']").wait_for(timeout=60_000)
    return page.url.split("/redactions/")[1].split("/")[0]


def _plan(srv: Server, plan_id: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {srv.token('prosecutor')}"}
    r = httpx.get(f"{srv.base}/api/v1/redactions/{plan_id}", headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_draw_move_resize_keep_approve_and_the_copy_is_black_there(browser, world) -> None:
    srv, plans, files = world
    page = sign_in(browser, srv.base, "prosecutor", lang="ru", width=1400)
    plan_id = plans["photo.png"]
    page.goto(f"{srv.base}/redactions/{plan_id}/review")
    until(page, "document.getElementById('studio').dataset.ready === '1'")
    until(page, "document.querySelector('#studio .preview img').complete")
    assert page.locator("#studio h2").inner_text() == "На странице"
    shot(page, "redaction-studio-1-open")

    # Draw a box off target, move it onto the planted region, resize it by its corner.
    _drag(page, (100, 100), (300, 250))
    plan_id = _next_version(page, plan_id)
    drawn = _plan(srv, plan_id)["proposals"][-1]
    assert drawn["source"] == "manual" and drawn["decision"] == "accepted"
    t = drawn["target"]
    assert abs(t["left"] - 100) <= 4 and abs(t["top"] - 100) <= 4, t
    assert abs(t["width"] - 200) <= 6 and abs(t["height"] - 150) <= 6, t
    number = drawn["number"]
    page.locator(f'#studio g.box[data-number="{number}"] rect').wait_for()
    _drag(page, (200, 175), (200 + 800, 175 + 400))  # the box's middle to (1000, 575)
    plan_id = _next_version(page, plan_id)
    t = _plan(srv, plan_id)["proposals"][-1]["target"]
    assert abs(t["left"] - 900) <= 6 and abs(t["top"] - 500) <= 6, t
    # The corner handle appears when the box is chosen (the move chose it: ?sel=).
    corner = (t["left"] + t["width"], t["top"] + t["height"])
    page.locator("#studio rect.handle").wait_for()
    _drag(page, corner, (1300, 700))
    plan_id = _next_version(page, plan_id)
    kept = _plan(srv, plan_id)["proposals"][-1]["target"]
    assert abs(kept["left"] + kept["width"] - 1300) <= 6, kept
    assert abs(kept["top"] + kept["height"] - 700) <= 6, kept
    shot(page, "redaction-studio-2-moved")

    # A second box, then a click on it: keep what is under it (not hidden).
    _drag(page, (100, 700), (400, 900))
    plan_id = _next_version(page, plan_id)
    second = _plan(srv, plan_id)["proposals"][-1]
    page.mouse.click(*_page_point(page, 250, 800))
    plan_id = _next_version(page, plan_id)
    shown = _plan(srv, plan_id)
    assert {p["number"]: p["decision"] for p in shown["proposals"]}[second["number"]] == "rejected"
    hover = page.locator(f'#studio g.box[data-number="{second["number"]}"] title').text_content()
    assert hover.startswith(f"#{second['number']} ")  # number, type, score, decision, basis
    until(page, "document.querySelector('#studio .preview img').complete")
    shot(page, "redaction-studio-3-preview")

    # Approve on the page; the rendered copy is black exactly in the kept box.
    page.click("section[aria-labelledby=approve] button[type=submit]")
    page.wait_for_load_state()
    done = _plan(srv, plan_id)
    assert done["status"] == "approved" and done["releasable"], done["residual"]
    shot(page, "redaction-studio-4-approved")
    headers = {"Authorization": f"Bearer {srv.token('prosecutor')}"}
    out = httpx.get(f"{srv.base}/api/v1/items/{done['derivative_id']}/content",
                    headers=headers, timeout=30)  # fmt: skip
    with Image.open(io.BytesIO(out.content)) as rendered, \
            Image.open(io.BytesIO(files["photo.png"])) as original:  # fmt: skip
        rendered, original = rendered.convert("RGB"), original.convert("RGB")
        assert rendered.size == original.size
        x0, y0 = kept["left"], kept["top"]
        x1, y1 = x0 + kept["width"], y0 + kept["height"]
        region = rendered.crop((x0, y0, x1, y1))
        assert region.getextrema() == ((0, 0), (0, 0), (0, 0))  # all black
        # Nothing else changed: outside the box the copy is the original, pixel for pixel.
        mask = Image.new("L", original.size, 255)
        ImageDraw.Draw(mask).rectangle((x0, y0, x1 - 1, y1 - 1), fill=0)
        diff = ImageChops.difference(rendered, original).convert("L")
        assert ImageChops.multiply(diff, mask).getbbox() is None
        # Where the first box was drawn and where the kept-visible box is: untouched.
        assert rendered.getpixel((150, 150)) == original.getpixel((150, 150))
        assert rendered.getpixel((250, 800)) == original.getpixel((250, 800))


def test_scan_pages_thumbnails_and_keyboard(browser, world) -> None:
    srv, plans, _ = world
    page = sign_in(browser, srv.base, "prosecutor", lang="kk", width=1400)
    plan_id = plans["scan.pdf"]
    page.goto(f"{srv.base}/redactions/{plan_id}/review?page=2")
    until(page, "document.getElementById('studio').dataset.ready === '1'")
    thumbs = page.locator("#studio nav.thumbs a")
    assert thumbs.count() == 2
    assert thumbs.nth(1).get_attribute("aria-current") == "page"
    until(page, "Array.from(document.querySelectorAll('#studio nav.thumbs img'))"
                ".every(i => i.complete && i.naturalWidth === 240)")  # fmt: skip
    # Keyboard only: D draws a box in the middle of the view, then arrows move it.
    page.locator("#studio .canvas").focus()
    page.keyboard.press("d")
    plan_id = _next_version(page, plan_id)
    proposals = _plan(srv, plan_id)["proposals"]
    number = proposals[-1]["number"]
    before = proposals[-1]["target"]
    assert before["page"] == 2
    page.locator("#studio .canvas").focus()
    page.keyboard.press("n")
    assert page.locator("#studio").get_attribute("data-selected") == str(number)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    plan_id = _next_version(page, plan_id)
    after = _plan(srv, plan_id)["proposals"][-1]["target"]
    assert after["left"] > before["left"] and after["top"] == before["top"], (before, after)
    # Space keeps what is under it; U undoes that.
    page.locator("#studio .canvas").focus()
    page.keyboard.press("n")
    page.keyboard.press(" ")
    plan_id = _next_version(page, plan_id)
    assert _plan(srv, plan_id)["proposals"][-1]["decision"] == "rejected"
    page.locator("#studio .canvas").focus()
    page.keyboard.press("u")
    plan_id = _next_version(page, plan_id)
    assert _plan(srv, plan_id)["proposals"][-1]["decision"] == "accepted"
    shot(page, "redaction-studio-5-scan-kk")
