"""Playable proxies, web images and poster frames through real ffmpeg and Pillow."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from ingest.errors import ToolFailed, UnsupportedMedia
from ingest.media.probe import probe_av, probe_image
from ingest.media.proxy import (
    audio_proxy,
    image_proxy,
    image_thumbnail,
    poster_frame,
    video_proxy,
)


def _moov_before_mdat(path: Path) -> bool:
    data = path.read_bytes()
    return 0 <= data.find(b"moov") < data.find(b"mdat")


def test_video_proxy_is_browser_playable(video_720p: Path, tmp_path: Path) -> None:
    out = tmp_path / "proxy.mp4"
    progress: list[float] = []
    result = video_proxy(
        source=video_720p, output=out, height=480, duration=2.0, on_progress=progress.append
    )
    meta = probe_av(path=out)
    assert (meta["video_codec"], meta["audio_codec"]) == ("h264", "aac")
    assert (meta["width"], meta["height"]) == (854, 480)
    assert meta["streams"][0]["pix_fmt"] == "yuv420p"
    assert meta["duration"] == pytest.approx(2.0, abs=0.15)
    assert _moov_before_mdat(out), "+faststart puts the index first for streaming"
    # Proxies drop the phone's tags (GPS, device); the original keeps them.
    assert meta["location"] is None and "make" not in meta["device"]
    assert progress and progress[-1] == 1.0 and progress == sorted(progress)
    assert result.tool == "ffmpeg" and result.version.startswith("ffmpeg version")
    assert result.parameters["preset"] == "veryfast"
    assert "+faststart" in result.command


def test_portrait_video_keeps_aspect_and_even_sizes(portrait_video: Path, tmp_path: Path) -> None:
    out = tmp_path / "portrait.mp4"
    video_proxy(source=portrait_video, output=out, height=480)
    meta = probe_av(path=out)
    assert meta["width"] == 480  # the short side is limited, not the height
    assert meta["height"] % 2 == 0 and meta["height"] == pytest.approx(853, abs=2)
    assert meta["audio_codec"] is None  # no audio in, no audio out, no failure


def test_audio_proxy(tone_wav: Path, video_720p: Path, tmp_path: Path) -> None:
    out = tmp_path / "tone.m4a"
    result = audio_proxy(source=tone_wav, output=out)
    meta = probe_av(path=out)
    assert meta["kind"] == "audio" and meta["audio_codec"] == "aac"
    assert result.parameters["container"] == "m4a"
    # The soundtrack of a video makes an audio proxy too.
    audio_proxy(source=video_720p, output=tmp_path / "from-video.m4a")
    assert probe_av(path=tmp_path / "from-video.m4a")["video_codec"] is None


def test_poster_frame(video_720p: Path, tmp_path: Path) -> None:
    out = tmp_path / "poster.jpg"
    result = poster_frame(source=video_720p, output=out, at=1.0, width=320)
    with Image.open(out) as img:
        assert img.format == "JPEG" and img.size == (320, 180)
    assert result.parameters["skip_frame"] == "nokey"
    # Asking past the end falls back to the first frame instead of failing.
    poster_frame(source=video_720p, output=tmp_path / "late.jpg", at=3600.0)
    assert (tmp_path / "late.jpg").stat().st_size > 0


def test_image_proxy_applies_orientation_and_drops_metadata(
    photo_jpeg: Path, tmp_path: Path
) -> None:
    out = tmp_path / "web.jpg"
    result = image_proxy(source=photo_jpeg, output=out, max_side=200)
    with Image.open(out) as img:
        assert img.size == (150, 200)  # 400x300 rotated by EXIF orientation 6, then fitted
    meta = probe_image(path=out)
    assert meta["location"] is None and meta["device"] == {}
    assert result.tool == "pillow" and result.parameters["exif_transpose"] is True
    image_thumbnail(source=photo_jpeg, output=tmp_path / "t.jpg", max_side=64)
    with Image.open(tmp_path / "t.jpg") as img:
        assert max(img.size) == 64


def test_transparent_png_becomes_white_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "alpha.png"
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(src)
    image_proxy(source=src, output=tmp_path / "alpha.jpg")
    with Image.open(tmp_path / "alpha.jpg") as img:
        assert img.getpixel((5, 5)) == (255, 255, 255)


def test_failures_are_clear(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mov"
    junk.write_bytes(b"\x00" * 1000)
    with pytest.raises(ToolFailed) as info:
        video_proxy(source=junk, output=tmp_path / "out.mp4")
    assert info.value.tool == "ffmpeg" and info.value.returncode
    with pytest.raises(UnsupportedMedia):
        image_proxy(source=junk, output=tmp_path / "out.jpg")
    with pytest.raises(UnsupportedMedia):
        video_proxy(source=junk, output=tmp_path / "out.mp4", height=123)


def test_progress_timeout_kills_ffmpeg(video_720p: Path, tmp_path: Path) -> None:
    with pytest.raises(ToolFailed, match="timed out"):
        video_proxy(
            source=video_720p,
            output=tmp_path / "slow.mp4",
            preset="veryslow",
            height=1080,
            duration=2.0,
            on_progress=lambda _f: None,
            timeout=0.05,
        )
    leftovers = subprocess.run(["pgrep", "-f", str(tmp_path / "slow.mp4")], capture_output=True)
    assert leftovers.returncode == 1, "no ffmpeg left running"


def test_rotated_phone_video_is_turned_upright(video_720p: Path, tmp_path: Path) -> None:
    rotated = tmp_path / "rotated.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", video_720p, "-c", "copy",
         "-metadata:s:v:0", "rotate=90", rotated],
        check=True, timeout=60,
    )  # fmt: skip
    meta = probe_av(path=rotated)
    assert abs(meta["rotation"]) == 90
    assert (meta["display_width"], meta["display_height"]) == (720, 1280)
    out = tmp_path / "upright.mp4"
    video_proxy(source=rotated, output=out, height=480)
    proxy_meta = probe_av(path=out)
    assert (proxy_meta["width"], proxy_meta["height"]) == (480, 854)
    assert not proxy_meta["rotation"]
    poster_frame(source=rotated, output=tmp_path / "p.jpg", width=320)
    with Image.open(tmp_path / "p.jpg") as img:
        assert img.size == (320, 568)


def test_video_thumbnails_strip(video_720p: Path, tmp_path: Path) -> None:
    from ingest.media.proxy import video_thumbnails

    thumbs = video_thumbnails(
        source=video_720p, output_dir=tmp_path / "strip", duration=2.0, count=4
    )
    assert [at for at, _ in thumbs] == [0.25, 0.75, 1.25, 1.75]
    for _at, derivation in thumbs:
        with Image.open(derivation.output) as img:
            assert img.size == (320, 180)
    with pytest.raises(UnsupportedMedia):
        video_thumbnails(source=video_720p, output_dir=tmp_path / "x", duration=0.0)


def test_iphone_heic_photo(tmp_path: Path) -> None:
    from tests.ingest.conftest import require

    require("pillow_heif")
    from pillow_heif import register_heif_opener

    register_heif_opener()
    heic = tmp_path / "IMG_0001.HEIC"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (400, 300), (10, 200, 10)).save(heic, exif=exif.tobytes(), quality=80)
    image_proxy(source=heic, output=tmp_path / "web.jpg", max_side=200)
    with Image.open(tmp_path / "web.jpg") as img:
        assert img.size == (150, 200)  # upright, like the phone shows it


def test_interlaced_cctv_is_deinterlaced(tmp_path: Path, video_720p: Path) -> None:
    interlaced = tmp_path / "dvr.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=720x576:rate=50",
         "-t", "1", "-vf", "tinterlace=4,setfield=tff", "-c:v", "libx264", "-preset",
         "ultrafast", "-flags", "+ilme+ildct", "-x264opts", "tff=1", "-pix_fmt", "yuv420p",
         interlaced],
        check=True, timeout=60,
    )  # fmt: skip
    made = video_proxy(source=interlaced, output=tmp_path / "p.mp4", height=480)
    assert made.parameters["deinterlace"] is True
    assert "bwdif" in " ".join(made.command)
    order = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=field_order", "-of", "default=nw=1:nk=1", tmp_path / "p.mp4"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert order == "progressive"
    progressive = video_proxy(source=video_720p, output=tmp_path / "q.mp4", height=360)
    assert progressive.parameters["deinterlace"] is False
