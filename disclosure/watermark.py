"""Visible per-recipient watermarks burned into images, video and PDF pages.

Images: Pillow. Video: ffmpeg drawtext with the DejaVu font (audio copied; progress
reported through ingest's ffmpeg runner). PDF: each
page rasterised with pdftoppm, stamped, and the pages rebuilt into a PDF with Pillow —
the watermark cannot be removed by deleting a layer, at the cost of text selection.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from disclosure.errors import WatermarkError
from ingest.errors import ToolFailed, ToolMissing
from ingest.media._run import run_ffmpeg_with_progress

Progress = Callable[[float], None]

VERSION = "1"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
PDF_DPI = 100


def watermark_text(*, lawyer: str, disclosure_id: str, date: str) -> str:
    """The stamped line: who received it, under which disclosure, when."""
    return f"DALEL · {lawyer} · {disclosure_id[:8]} · {date}"


def stamp_image(image: Image.Image, text: str) -> Image.Image:
    """Tile the text diagonally-ish across the image, semi-transparent, plus a solid band."""
    base = image.convert("RGBA")
    width, height = base.size
    size = max(12, min(width, height) // 18)
    font = ImageFont.truetype(str(FONT), size)
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    step_y = size * 5
    for row, y in enumerate(range(size, height, step_y)):
        x = -((row * size * 4) % max(width, 1))
        while x < width:
            draw.text((x, y), text, font=font, fill=(255, 255, 255, 110))
            x += int(draw.textlength(text, font=font)) + size * 3
    band = size + size // 2
    draw.rectangle((0, height - band, width, height), fill=(0, 0, 0, 170))
    draw.text((size // 3, height - band + size // 5), text, font=font, fill=(255, 255, 255, 255))
    return Image.alpha_composite(base, layer).convert("RGB")


def render_image(source: Path, folder: Path, text: str) -> Path:
    out = folder / "watermarked.png"
    with Image.open(source) as image:
        stamp_image(image, text).save(out, format="PNG")
    return out


def _drawtext_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\u2019").replace("%", "\\%")


def _duration(source: Path) -> float | None:
    probe = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]
    try:
        result = subprocess.run([*probe, str(source)], capture_output=True, timeout=60)
        return float(result.stdout.decode().strip() or "nan") or None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def render_video(
    source: Path,
    folder: Path,
    text: str,
    *,
    on_progress: Progress | None = None,
    timeout: float = 6 * 3600,
) -> Path:
    """Re-encode with the stamp burned in (x264 veryfast, audio copied): minutes per hour
    of video, so it runs in the `wmark` job, reporting progress, never in a request."""
    out = folder / "watermarked.mp4"
    label = _drawtext_escape(text)
    font = str(FONT).replace(":", "\\:")
    vf = (
        f"drawtext=fontfile='{font}':text='{label}':fontcolor=white@0.85:fontsize=h/22:"
        "box=1:boxcolor=black@0.55:boxborderw=6:x=(w-text_w)/2:y=h-text_h-h/20,"
        f"drawtext=fontfile='{font}':text='{label}':fontcolor=white@0.35:fontsize=h/16:"
        "x=(w-text_w)/2:y=(h-text_h)/3"
    )
    command = [
        "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(source),
        "-map", "0:v:0", "-map", "0:a?", "-vf", vf,
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
        "-c:a", "copy", "-map_metadata", "-1", "-movflags", "+faststart", str(out),
    ]  # fmt: skip
    try:
        run_ffmpeg_with_progress(
            command, timeout=timeout, duration=_duration(source),
            on_progress=on_progress or (lambda _fraction: None),
        )  # fmt: skip
    except (ToolFailed, ToolMissing) as exc:
        raise WatermarkError(
            "%(tool)s failed: %(reason)s", tool="ffmpeg", reason=str(exc)[-300:]
        ) from exc
    return out


def render_pdf(source: Path, folder: Path, text: str) -> Path:
    prefix = folder / "page"
    _run(["pdftoppm", "-r", str(PDF_DPI), "-png", str(source), str(prefix)], "pdftoppm")
    pages = sorted(folder.glob("page*.png"))
    if not pages:
        raise WatermarkError("pdftoppm produced no pages")
    stamped = []
    for page in pages:
        with Image.open(page) as image:
            stamped.append(stamp_image(image, text))
    out = folder / "watermarked.pdf"
    stamped[0].save(out, format="PDF", resolution=PDF_DPI, save_all=True, append_images=stamped[1:])
    return out


def _run(command: list[str], tool: str) -> None:
    try:
        result = subprocess.run(command, capture_output=True, timeout=3600, check=False)
    except FileNotFoundError as exc:
        raise WatermarkError("%(tool)s is not installed", tool=tool) from exc
    if result.returncode != 0:
        raise WatermarkError(
            "%(tool)s failed: %(reason)s",
            tool=tool,
            reason=result.stderr.decode(errors="replace")[-300:],
        )


def renderer(
    text: str, *, on_progress: Progress | None = None, timeout: float = 6 * 3600
) -> Callable[[Path, str, Path], Path | None]:
    """A renderer for evidence.service.disclosed_content.watermark_item, stamping `text`."""

    def render(source: Path, media_type: str, folder: Path) -> Path | None:
        if media_type.startswith("image/"):
            return render_image(source, folder, text)
        if media_type.startswith("video/"):
            return render_video(source, folder, text, on_progress=on_progress, timeout=timeout)
        if media_type == "application/pdf":
            return render_pdf(source, folder, text)
        return None

    return render
