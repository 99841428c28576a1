"""Metadata from ffprobe, exiftool and pdfium: plain JSON, UTC times."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from ingest.errors import UnsupportedMedia
from ingest.media.probe import (
    parse_iso6709,
    parse_pdf_date,
    probe,
    probe_av,
    probe_image,
    probe_pdf,
)


def test_video_metadata(video_720p: Path) -> None:
    meta = probe_av(path=video_720p)
    json.dumps(meta)  # plain JSON all the way down
    assert meta["kind"] == "video"
    assert meta["duration"] == pytest.approx(2.0, abs=0.1)
    assert (meta["video_codec"], meta["audio_codec"]) == ("h264", "aac")
    assert (meta["width"], meta["height"], meta["fps"]) == (1280, 720, 30.0)
    assert meta["creation_time"] == "2024-03-01T09:15:00+00:00"
    assert meta["device"]["make"] == "Apple"
    assert meta["device"]["model"] == "iPhone 12"
    assert meta["location"] == {"lat": 43.2383, "lon": 76.9454}
    assert meta["tool"].startswith("ffprobe version")


def test_audio_metadata(tone_wav: Path) -> None:
    meta = probe(path=tone_wav, kind="audio")
    assert meta["kind"] == "audio"
    assert meta["video_codec"] is None
    assert meta["streams"][0]["sample_rate"] == 16000


def test_not_media(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 10)
    with pytest.raises(Exception) as info:
        probe_av(path=junk)
    assert "ffprobe" in str(info.value)
    with pytest.raises(UnsupportedMedia):
        probe(path=junk, kind="archive")


def test_image_metadata(photo_jpeg: Path) -> None:
    meta = probe_image(path=photo_jpeg)
    json.dumps(meta)
    assert meta["device"] == {"make": "Apple", "model": "iPhone 12"}
    # 14:15 at +05:00 (Almaty) is 09:15 UTC.
    assert meta["captured_at"] == "2024-03-01T09:15:00+00:00"
    assert meta["captured_at_local"] == "2024-03-01T14:15:00"
    assert meta["captured_at_source"] == "exif"
    assert meta["location"]["lat"] == pytest.approx(43.2383, abs=1e-4)
    assert meta["location"]["lon"] == pytest.approx(76.9454, abs=1e-4)
    assert meta["orientation"] == 6


def test_image_without_offset_needs_an_assumed_zone(tmp_path: Path) -> None:
    import subprocess

    from PIL import Image

    img = tmp_path / "cctv.jpg"
    Image.new("RGB", (32, 32)).save(img)
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", "-DateTimeOriginal=2024:03:01 14:15:00", img],
        check=True,
        timeout=60,
    )
    assert probe_image(path=img)["captured_at"] is None
    assumed = probe_image(path=img, assume_utc_offset=timedelta(hours=5))
    assert assumed["captured_at"] == "2024-03-01T09:15:00+00:00"
    assert assumed["captured_at_source"] == "assumed_offset"
    # A southern/western position keeps its sign.
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", "-GPSLatitude=33.9", "-GPSLatitudeRef=S",
         "-GPSLongitude=18.4", "-GPSLongitudeRef=W", img],
        check=True,
        timeout=60,
    )  # fmt: skip
    loc = probe_image(path=img)["location"]
    assert loc["lat"] == pytest.approx(-33.9) and loc["lon"] == pytest.approx(-18.4)


def test_pdf_metadata(digital_pdf: Path, scanned_pdf: Path) -> None:
    meta = probe_pdf(path=digital_pdf)
    json.dumps(meta)
    assert meta["pages"] == 3
    assert meta["title"] == "Протокол"
    assert meta["author"] == "Следователь"
    assert meta["created_at"] is None or meta["created_at"].endswith("+00:00")
    assert probe(path=scanned_pdf, kind="pdf")["pages"] == 2


def test_pdf_broken(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n garbage")
    with pytest.raises(UnsupportedMedia):
        probe_pdf(path=bad)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("D:20240301141500+05'00'", "2024-03-01T09:15:00+00:00"),
        ("D:20240301091500Z", "2024-03-01T09:15:00+00:00"),
        ("D:20240301091500", "2024-03-01T09:15:00+00:00"),
        ("D:2024", "2024-01-01T00:00:00+00:00"),
        ("yesterday", None),
    ],
)
def test_pdf_dates(raw: str, expected: str | None) -> None:
    assert parse_pdf_date(raw) == expected


def test_iso6709() -> None:
    assert parse_iso6709("+43.2383+076.9454+0801.000/") == {
        "lat": 43.2383,
        "lon": 76.9454,
        "alt": 801.0,
    }
    assert parse_iso6709("nowhere") is None


def test_password_protected_pdf_is_recorded(tmp_path: Path) -> None:
    from fpdf import FPDF

    from ingest.media.ocr import ocr_pdf

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "sealed")
    pdf.set_encryption(owner_password="owner", user_password="user")
    sealed = tmp_path / "sealed.pdf"
    pdf.output(str(sealed))
    meta = probe_pdf(path=sealed)
    assert meta["encrypted"] is True and meta["pages"] is None
    with pytest.raises(UnsupportedMedia, match="password-protected"):
        ocr_pdf(path=sealed)
