"""Media generated on the spot: ffmpeg test sources, PIL-rendered pages, espeak-ng
speech and a tiny random-initialised Whisper checkpoint. Nothing is downloaded."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

# Helpers the ingest tests load as plugins after importing them: rewrite their asserts too.
pytest.register_assert_rewrite("tests.ingest.conftest_integration", "tests.ingest.rq_kit")

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

TEXTS = {
    "eng": [
        "Interview record of witness John Smith",
        "The incident happened on the third of March",
        "near the central market in Almaty city.",
        "Vehicle plate 123 ABC 02 left at high speed.",
        "Officer on duty recorded the statement.",
    ],
    "rus": [
        "Протокол допроса свидетеля Иванова",
        "Свидетель показал, что третьего марта",
        "около центрального рынка города Алматы",
        "автомобиль уехал на большой скорости.",
        "Показания записаны дежурным офицером.",
    ],
    "kaz": [
        "Куәгерден жауап алу хаттамасы",
        "Әділет Ғалымұлы Қасымов өз өтінішімен келді",
        "Оқиға Үштөбе ауылында өңірлік жолда болды",
        "Жиһаз дүкенінде ұрлық болды, шағым түсті",
        "Куәгер жауабын өз қолымен растады.",
    ],
}


def require(module: str) -> ModuleType:
    """Import an optional extra (whisper, c2pa): skip without it, but fail in CI."""
    try:
        return importlib.import_module(module)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is required in CI (optional extra not installed)")
        pytest.skip(f"{module} not installed")


def _run(*args: str) -> None:
    subprocess.run(list(args), check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def video_720p(media_dir: Path) -> Path:
    """2 s of 1280x720 testsrc at 30 fps with a 440 Hz tone and phone-like tags."""
    out = media_dir / "clip720.mp4"
    _run(
        "ffmpeg", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=30",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-g", "30", "-c:a", "aac",
        "-metadata", "creation_time=2024-03-01T09:15:00Z",
        "-metadata", "make=Apple", "-metadata", "model=iPhone 12",
        "-metadata", "location=+43.2383+076.9454/",
        "-movflags", "use_metadata_tags", str(out),
    )  # fmt: skip
    return out


@pytest.fixture(scope="session")
def portrait_video(media_dir: Path) -> Path:
    """1 s of 540x960 (portrait phone) video without audio, in Matroska."""
    out = media_dir / "portrait.mkv"
    _run(
        "ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi",
        "-i", "testsrc2=size=540x960:rate=25", "-t", "1",
        "-c:v", "libx264", "-preset", "ultrafast", str(out),
    )  # fmt: skip
    return out


@pytest.fixture(scope="session")
def tone_wav(media_dir: Path) -> Path:
    out = media_dir / "tone.wav"
    _run("ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "sine=frequency=1000:sample_rate=16000", "-t", "1", str(out))  # fmt: skip
    return out


SPEECH = {
    "kk": "Сәлеметсіз бе, менің атым Айгүл",
    "ru": "Здравствуйте, меня зовут Иван",
    "en": "Hello, my name is John",
}


@pytest.fixture(scope="session")
def speech(media_dir: Path) -> dict[str, Path]:
    """espeak-ng speech per language, cut to 1.5 s (the tiny model's sweet spot)."""
    clips = {}
    for lang, text in SPEECH.items():
        raw = media_dir / f"speech-{lang}-raw.wav"
        _run("espeak-ng", "-v", lang, "-w", str(raw), text)
        clip = media_dir / f"speech-{lang}.wav"
        _run("ffmpeg", "-loglevel", "error", "-y", "-i", str(raw), "-t", "1.5", str(clip))
        clips[lang] = clip
    return clips


@pytest.fixture(scope="session")
def tiny_onnx_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GigaAM-v2-CTC-shaped random ONNX model folder for the onnx-asr engine."""
    from tests.ingest.asr_models import tiny_gigaam_ctc

    require("onnx")
    return tiny_gigaam_ctc(tmp_path_factory.mktemp("gigaam"))


@dataclass(frozen=True)
class RenderedPage:
    lang: str
    lines: list[str]
    png: Path
    line_boxes: list[tuple[int, int, int, int]]  # left, top, right, bottom in pixels


def render_page(lines: list[str], out: Path, *, dpi: int = 200) -> list[tuple[int, int, int, int]]:
    """Draw lines of 12 pt DejaVu Sans on an A4 page at `dpi`; return each line's box."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = round(8.27 * dpi), round(11.69 * dpi)
    font = ImageFont.truetype(str(FONT), round(12 * dpi / 72))
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    boxes = []
    y = round(1.0 * dpi)
    for line in lines:
        draw.text((round(0.8 * dpi), y), line, font=font, fill=0)
        boxes.append(tuple(round(v) for v in draw.textbbox((round(0.8 * dpi), y), line, font=font)))
        y += round(0.3 * dpi)
    image.save(out, dpi=(dpi, dpi))
    return boxes  # type: ignore[return-value]


@pytest.fixture(scope="session")
def rendered_pages(media_dir: Path) -> dict[str, RenderedPage]:
    pages = {}
    for lang, lines in TEXTS.items():
        png = media_dir / f"page-{lang}.png"
        pages[lang] = RenderedPage(lang, lines, png, render_page(lines, png))
    return pages


@pytest.fixture(scope="session")
def scanned_pdf(media_dir: Path, rendered_pages: dict[str, RenderedPage]) -> Path:
    """An image-only PDF (like a scanner makes) of the rus and kaz pages at 200 dpi."""
    from PIL import Image

    out = media_dir / "scan.pdf"
    images = [Image.open(rendered_pages[lang].png) for lang in ("rus", "kaz")]
    images[0].save(out, save_all=True, append_images=images[1:], resolution=200.0)
    return out


@pytest.fixture(scope="session")
def digital_pdf(media_dir: Path) -> Path:
    """A born-digital PDF written with fpdf2 and DejaVu: one text page per language."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_title("Протокол")
    pdf.set_author("Следователь")
    for lines in TEXTS.values():
        pdf.add_page()
        pdf.set_font("DejaVu", size=12)
        for line in lines:
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    out = media_dir / "digital.pdf"
    pdf.output(str(out))
    return out


@pytest.fixture(scope="session")
def mixed_pdf(media_dir: Path, digital_pdf: Path, scanned_pdf: Path) -> Path:
    """Page 1 born-digital (English), page 2 a scan (Russian)."""
    import pypdfium2 as pdfium

    out = media_dir / "mixed.pdf"
    doc = pdfium.PdfDocument(str(digital_pdf))
    scan = pdfium.PdfDocument(str(scanned_pdf))
    merged = pdfium.PdfDocument.new()
    merged.import_pages(doc, [0])
    merged.import_pages(scan, [0])
    merged.save(str(out))
    return out


@pytest.fixture(scope="session")
def photo_jpeg(media_dir: Path) -> Path:
    """A 400x300 JPEG tagged as a phone photo rotated 90° (EXIF Orientation 6), with GPS."""
    from PIL import Image

    out = media_dir / "photo.jpg"
    Image.new("RGB", (400, 300), (200, 30, 30)).save(out, quality=90)
    _run(
        "exiftool", "-q", "-overwrite_original", "-Make=Apple", "-Model=iPhone 12",
        "-DateTimeOriginal=2024:03:01 14:15:00", "-OffsetTimeOriginal=+05:00",
        "-GPSLatitude=43.2383", "-GPSLatitudeRef=N",
        "-GPSLongitude=76.9454", "-GPSLongitudeRef=E", "-Orientation#=6", str(out),
    )  # fmt: skip
    return out


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
