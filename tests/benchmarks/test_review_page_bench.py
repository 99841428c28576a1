"""Review page of a 50-page scanned PDF (issue 15 benchmark; ``make bench``, ``-s`` shows
the table): once the analysis exists, how long until the first page is visible — the
review page's HTML plus the page's picture, rendered from the original on first view
(pdfium) and kept as a ``review_page`` derivative — and how long each further page
takes, cold (first view: materialise, render, register) and warm (the cached
derivative). Target: first page visible p95 ≤ 300 ms.

Baselines measured in the same run, on the same pages: ``pdftoppm`` rendering the same
page at the same width to JPEG (what a server without pdfium and without a cache would
pay per view), and downloading the whole PDF through ``/content`` (what pdf.js in the
browser must fetch before it can draw page 1). Wall and CPU seconds beside each
(in-process server: the CPU is the server's and the client's together; pdftoppm's is
its child CPU).
"""

from __future__ import annotations

import io
import os
import random
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from tests.app_kit import PASSWORD, Api
from tests.login_form import post_login

pytestmark = pytest.mark.bench
PAGES = int(os.environ.get("DALEL_BENCH_REVIEW_PAGES", "50"))
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TARGET_MS = 300.0


def _scan(pages: int) -> bytes:
    """A grey, slightly noisy 150-dpi scan: a few lines of Russian per page, one name."""
    rng = random.Random(5)
    font = ImageFont.truetype(FONT, 30)
    images = []
    noise = Image.effect_noise((1240, 1754), 12).filter(ImageFilter.GaussianBlur(0.6))
    for n in range(pages):
        page = Image.merge("RGB", [noise.point(lambda v: 200 + v // 6)] * 3)
        draw = ImageDraw.Draw(page)
        for line in range(8):
            words = rng.sample(["Протокол", "осмотра", "место", "происшествия", "дело",
                                "свидетель", "показал", "автомобиль", "улица"], 5)  # fmt: skip
            draw.text((120, 200 + line * 60), " ".join(words), fill=(30, 30, 30), font=font)
        draw.text((120, 800), f"Свидетель Иванов Пётр Сергеевич, стр. {n + 1}", fill=(20, 20, 20),
                  font=font)  # fmt: skip
        images.append(page)
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=150,
                   quality=70)  # fmt: skip
    return out.getvalue()


@pytest.fixture()
def api(make_api: Callable[..., Api]) -> Api:
    """The shared app on SQLite, taking a 50-page scan."""
    return make_api("sqlite", max_upload_bytes=256 << 20)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class Clock:
    """Wall and CPU (this process and its children) of a block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu, self.child = time.perf_counter(), time.process_time(), _child()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.child = _child() - self.child


def _child() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_review_page_of_a_50_page_scan(api: Api, team) -> None:
    c, h = api.client, team["prosecutor"]
    data = _scan(PAGES)
    item = api.upload(team["case"]["id"], h, data, name="scan.pdf").json()
    with Clock() as analysis:
        r = c.post(f"/api/v1/items/{item['id']}/redactions", json={}, headers=h)
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["source_kind"] == "pages"
    c.cookies.delete("dalel_session")
    assert post_login(c, {"username": "prosecutor", "password": PASSWORD}).status_code == 200
    first_cold: list[float] = []
    html_ms: list[float] = []
    warm: list[float] = []
    with Clock() as cold_all:
        for n in range(1, PAGES + 1):
            t0 = time.perf_counter()
            page = c.get(f"/redactions/{plan['id']}/review?page={n}")
            t1 = time.perf_counter()
            image = c.get(f"/api/v1/redactions/{plan['id']}/pages/{n}/image")
            t2 = time.perf_counter()
            assert page.status_code == 200 and image.status_code == 200, image.text
            html_ms.append((t1 - t0) * 1000)
            first_cold.append((t2 - t0) * 1000)
    with Clock() as warm_all:
        for n in range(1, PAGES + 1):
            t0 = time.perf_counter()
            page = c.get(f"/redactions/{plan['id']}/review?page={n}")
            image = c.get(f"/api/v1/redactions/{plan['id']}/pages/{n}/image")
            warm.append((time.perf_counter() - t0) * 1000)
            assert image.status_code == 200
    image_only = [f - h_ for f, h_ in zip(first_cold, html_ms, strict=True)]
    # Baseline 1: pdftoppm renders the same page at the same width, per page.
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "scan.pdf"
        src.write_bytes(data)
        ppm: list[float] = []
        with Clock() as ppm_all:
            for n in range(1, PAGES + 1):
                t0 = time.perf_counter()
                subprocess.run(["pdftoppm", "-f", str(n), "-l", str(n), "-scale-to-x", "1200",
                                "-scale-to-y", "-1", "-jpeg", str(src), str(Path(tmp) / "p")],
                               check=True, capture_output=True)  # fmt: skip
                ppm.append((time.perf_counter() - t0) * 1000)
    # Baseline 2: the whole PDF through /content (pdf.js needs it before page 1).
    downloads: list[float] = []
    with Clock() as dl_all:
        for _ in range(5):
            t0 = time.perf_counter()
            got = c.get(f"/api/v1/items/{item['id']}/content", headers=h)
            downloads.append((time.perf_counter() - t0) * 1000)
            assert len(got.content) == len(data)
    p95_first, p95_warm = _p95(first_cold), _p95(warm)
    rows = [
        ("first page visible, cold (HTML + render + cache)", first_cold, cold_all),
        ("  of which the review HTML", html_ms, None),
        ("  of which the page image (render + derivative)", image_only, None),
        ("page visible, warm (HTML + cached derivative)", warm, warm_all),
        ("baseline: pdftoppm same page, 1200 px JPEG", ppm, ppm_all),
        ("baseline: whole PDF via /content", downloads, dl_all),
    ]
    print(f"\n{PAGES}-page scan, {len(data) / 1e6:.1f} MB; analysis (OCR + analyzer) "
          f"{analysis.wall:.1f} s wall, {analysis.cpu + analysis.child:.1f} s CPU")  # fmt: skip
    print(f"{'':52} {'median':>8} {'p95':>8} {'max':>8}  (ms)   wall s   CPU s")
    for name, values, clock in rows:
        times = f"{statistics.median(values):8.1f} {_p95(values):8.1f} {max(values):8.1f}"
        total = f"  {clock.wall:7.2f} {clock.cpu + clock.child:7.2f}" if clock else ""
        print(f"{name:52} {times}      {total}")
    print(
        f"ratios (p95): cold first page / pdftoppm page {p95_first / _p95(ppm):.2f}; "
        f"cold / whole-PDF download {p95_first / _p95(downloads):.2f}; "
        f"warm / cold {p95_warm / p95_first:.2f}; warm / pdftoppm {p95_warm / _p95(ppm):.2f}"
    )
    print(
        f"page 1 right after the analysis (rendered by it): {first_cold[0]:.0f} ms; "
        f"target: first page p95 {p95_first:.0f} ms (any page, first view) ≤ {TARGET_MS:.0f} ms"
    )
    # Loose floor on shared machines: only a collapse fails (numbers go in the report).
    assert p95_first < 10 * TARGET_MS
