"""Watermarks burned into images, video and PDF pages (real Pillow, ffmpeg, pdftoppm)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from disclosure import watermark

TEXT = watermark.watermark_text(
    lawyer="Асель Нурланова", disclosure_id="0f1e2d3c-aaaa", date="2026-11-22"
)


def _changed(a: Image.Image, b: Image.Image) -> float:
    a, b = a.convert("L").resize((64, 64)), b.convert("L").resize((64, 64))
    return sum(abs(x - y) for x, y in zip(a.tobytes(), b.tobytes(), strict=True)) / (64 * 64)


def test_image_gets_a_visible_stamp(tmp_path: Path) -> None:
    source = tmp_path / "in.png"
    Image.new("RGB", (320, 240), "gray").save(source)
    out = watermark.renderer(TEXT)(source, "image/png", tmp_path)
    assert out is not None
    with Image.open(source) as before, Image.open(out) as after:
        assert after.size == before.size and _changed(before, after) > 3


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg not installed")
def test_video_gets_a_burned_in_stamp(tmp_path: Path) -> None:
    source = tmp_path / "in.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=gray:s=320x240:d=1",
         "-f", "lavfi", "-i", "sine=f=440:d=1", "-shortest", "-c:v", "libx264", "-c:a", "aac",
         "-pix_fmt", "yuv420p", str(source)],
        check=True,
    )  # fmt: skip
    out = watermark.renderer(TEXT)(source, "video/mp4", tmp_path)
    assert out is not None and out.stat().st_size > 0
    frames = []
    for path in (source, out):
        png = tmp_path / f"{path.stem}.png"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(path), "-frames:v", "1",
                        str(png)], check=True)  # fmt: skip
        frames.append(Image.open(png))
    assert _changed(*frames) > 1
    probe = ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0"]
    streams = subprocess.run([*probe, str(out)], capture_output=True, text=True)
    assert streams.stdout.split() == ["video", "audio"]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_pdf_pages_are_stamped_and_rebuilt(tmp_path: Path) -> None:
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.cell(0, 10, "Protocol of inspection")
    source = tmp_path / "in.pdf"
    pdf.output(str(source))
    folder = tmp_path / "work"
    folder.mkdir()
    out = watermark.renderer(TEXT)(source, "application/pdf", folder)
    assert out is not None and out.read_bytes().startswith(b"%PDF")
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+2\n", pages), pages


def test_other_media_types_take_no_watermark(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("x")
    assert watermark.renderer(TEXT)(source, "text/plain", tmp_path) is None
