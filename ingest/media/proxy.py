"""Browser-playable proxies, web images, thumbnails and poster frames.

The original is only ever read. Every function writes to the `output` path the
caller chooses and returns a `Derivation` naming the tool, its version and the
exact parameters, so the job can register the output as a derivative item.
Proxies drop container metadata (GPS, device serials): they are for viewing, and
the original keeps every tag.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import ToolFailed, UnsupportedMedia
from ingest.media._heif import enable_heif
from ingest.media._run import run, run_ffmpeg_with_progress, tool_version

# A bodycam shift runs for hours; veryfast 720p runs at ~3x real time on 2 cores.
DEFAULT_TRANSCODE_TIMEOUT = 8 * 3600.0
FRAME_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class Derivation:
    """How an output was made: enough to name it in custody and to redo it."""

    output: str
    tool: str
    version: str
    parameters: dict[str, Any]
    command: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _short_side_scale(target: int) -> str:
    """Scale so the shorter side is at most `target`, keeping even dimensions.

    Portrait phone video (1080x1920) must become 720x1280, not 405x720; libx264
    with yuv420p refuses odd sizes, hence trunc(x/2)*2 on both branches.
    """
    return (
        f"scale='if(gte(iw,ih),-2,min({target},trunc(iw/2)*2))'"
        f":'if(gte(iw,ih),min({target},trunc(ih/2)*2),-2)'"
    )


def video_proxy_command(
    *,
    source: Path | str,
    output: Path | str,
    height: int = 720,
    preset: str = "veryfast",
    crf: int = 23,
    audio_bitrate: str = "128k",
    keep_metadata: bool = False,
    deinterlace: bool = False,
) -> list[str]:
    """The exact ffmpeg command `video_proxy` runs (benchmarks compare against it)."""
    vf = _short_side_scale(height)
    if deinterlace:
        # bwdif touches only frames flagged interlaced; browsers cannot deinterlace.
        vf = f"bwdif=mode=send_frame:deint=interlaced,{vf}"
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(source)]
    cmd += ["-map", "0:v:0", "-map", "0:a:0?", "-vf", vf]
    cmd += ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p"]
    cmd += ["-profile:v", "high", "-c:a", "aac", "-b:a", audio_bitrate, "-ac", "2"]
    if not keep_metadata:
        cmd += ["-map_metadata", "-1", "-map_chapters", "-1"]
    cmd += ["-movflags", "+faststart", "-f", "mp4", str(output)]
    return cmd


def video_proxy(
    *,
    source: Path | str,
    output: Path | str,
    height: int = 720,
    preset: str = "veryfast",
    crf: int = 23,
    audio_bitrate: str = "128k",
    keep_metadata: bool = False,
    deinterlace: bool | None = None,
    duration: float | None = None,
    on_progress: Callable[[float], None] | None = None,
    timeout: float = DEFAULT_TRANSCODE_TIMEOUT,
) -> Derivation:
    """Transcode any video to H.264/AAC MP4 (+faststart) with the short side ≤ `height`.

    `deinterlace=None` asks ffprobe whether the stream is interlaced (CCTV and DVR
    recorders often are) and deinterlaces only then. `duration` (seconds, from
    `probe_av`) lets `on_progress` report a fraction 0..1.
    """
    if height not in {360, 480, 720, 1080}:
        raise UnsupportedMedia(f"proxy height must be 360, 480, 720 or 1080, not {height}")
    if deinterlace is None:
        deinterlace = is_interlaced(path=source)
    params = {
        "height": height,
        "preset": preset,
        "crf": crf,
        "video_codec": "libx264",
        "audio_codec": "aac",
        "audio_bitrate": audio_bitrate,
        "faststart": True,
        "keep_metadata": keep_metadata,
        "deinterlace": deinterlace,
    }
    cmd = video_proxy_command(
        source=source,
        output=output,
        height=height,
        preset=preset,
        crf=crf,
        audio_bitrate=audio_bitrate,
        keep_metadata=keep_metadata,
        deinterlace=deinterlace,
    )
    return run_ffmpeg(cmd, output, params, timeout, duration, on_progress)


def is_interlaced(*, path: Path | str) -> bool:
    """True when ffprobe reports an interlaced field order for the first video stream."""
    proc = run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=field_order", "-of", "default=nw=1:nk=1", str(path)],
        timeout=FRAME_TIMEOUT,
        ok_codes=(0, 1),
    )  # fmt: skip
    return proc.stdout.decode().strip() in {"tt", "bb", "tb", "bt"}


def audio_proxy(
    *,
    source: Path | str,
    output: Path | str,
    bitrate: str = "128k",
    keep_metadata: bool = False,
    duration: float | None = None,
    on_progress: Callable[[float], None] | None = None,
    timeout: float = DEFAULT_TRANSCODE_TIMEOUT,
) -> Derivation:
    """Transcode any audio (or a video's first audio track) to AAC in an M4A container."""
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(source)]
    cmd += ["-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", bitrate]
    if not keep_metadata:
        cmd += ["-map_metadata", "-1"]
    cmd += ["-movflags", "+faststart", "-f", "ipod", str(output)]
    params: dict[str, Any] = {"audio_codec": "aac", "bitrate": bitrate, "container": "m4a"}
    params["keep_metadata"] = keep_metadata
    return run_ffmpeg(cmd, output, params, timeout, duration, on_progress)


def run_ffmpeg(
    cmd: list[str],
    output: Path | str,
    params: dict[str, Any],
    timeout: float,
    duration: float | None,
    on_progress: Callable[[float], None] | None,
) -> Derivation:
    """Run an ffmpeg command to `output` (progress reported when asked) and describe it."""
    started = time.perf_counter()
    if on_progress is None:
        run(cmd, timeout=timeout)
    else:
        run_ffmpeg_with_progress(cmd, timeout=timeout, duration=duration, on_progress=on_progress)
    if not Path(output).is_file() or Path(output).stat().st_size == 0:
        raise ToolFailed("ffmpeg produced no output", tool="ffmpeg")
    return Derivation(
        output=str(output),
        tool="ffmpeg",
        version=tool_version("ffmpeg"),
        parameters=params,
        command=cmd,
        seconds=round(time.perf_counter() - started, 3),
    )


def poster_frame(
    *,
    source: Path | str,
    output: Path | str,
    at: float = 1.0,
    width: int = 640,
    timeout: float = FRAME_TIMEOUT,
) -> Derivation:
    """JPEG of the first keyframe at or after `at` seconds, `width` pixels wide.

    `-skip_frame nokey` decodes keyframes only, so a poster from an hour-long file
    costs milliseconds. A clip shorter than `at`, or with no keyframe after it, falls
    back to the very first frame.
    """
    started = time.perf_counter()
    scale = f"scale='min({width},iw)':-2"

    def attempt(seek: float) -> list[str]:
        cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
        cmd += ["-skip_frame", "nokey", "-ss", f"{seek:.3f}", "-i", str(source)]
        cmd += ["-map", "0:v:0", "-frames:v", "1", "-vf", scale, "-q:v", "3", str(output)]
        run(cmd, timeout=timeout)
        return cmd

    Path(output).unlink(missing_ok=True)
    cmd = attempt(at)
    if not Path(output).is_file():
        cmd = attempt(0.0)
    if not Path(output).is_file():
        raise UnsupportedMedia(f"{Path(source).name}: no video frame to make a poster from")
    return Derivation(
        output=str(output),
        tool="ffmpeg",
        version=tool_version("ffmpeg"),
        parameters={"at": at, "width": width, "skip_frame": "nokey", "format": "jpeg"},
        command=cmd,
        seconds=round(time.perf_counter() - started, 3),
    )


def video_thumbnails(
    *,
    source: Path | str,
    output_dir: Path | str,
    duration: float,
    count: int = 10,
    width: int = 320,
    timeout: float = FRAME_TIMEOUT,
) -> list[tuple[float, Derivation]]:
    """`count` keyframe thumbnails spread evenly over the clip, for a scrub strip.

    One keyframe-only seek per thumbnail: cheap even on hours of bodycam video,
    where decoding the whole file to pick frames would take as long as a transcode.
    Returns (requested time in seconds, derivation) pairs; files are thumb-NNN.jpg.
    """
    if count < 1 or duration <= 0:
        raise UnsupportedMedia("thumbnails need a positive duration and count")
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    step = duration / count
    out = []
    for i in range(count):
        at = round(i * step + step / 2, 3)
        target = folder / f"thumb-{i:03d}.jpg"
        out.append(
            (at, poster_frame(source=source, output=target, at=at, width=width, timeout=timeout))
        )
    return out


def image_proxy(
    *,
    source: Path | str,
    output: Path | str,
    max_side: int = 2048,
    quality: int = 85,
) -> Derivation:
    """Web JPEG: EXIF orientation applied, longest side ≤ `max_side`, no metadata kept."""
    return _pil_jpeg(source, output, max_side, quality, kind="web")


def image_thumbnail(
    *, source: Path | str, output: Path | str, max_side: int = 320, quality: int = 80
) -> Derivation:
    """Small JPEG thumbnail of an image, orientation applied."""
    return _pil_jpeg(source, output, max_side, quality, kind="thumbnail")


def _pil_jpeg(
    source: Path | str, output: Path | str, max_side: int, quality: int, *, kind: str
) -> Derivation:
    import PIL
    from PIL import Image, ImageOps, UnidentifiedImageError

    enable_heif()
    started = time.perf_counter()
    # A decompression-bomb image raises rather than eating the worker's memory.
    Image.MAX_IMAGE_PIXELS = 200_000_000
    try:
        with Image.open(source) as img:
            img.seek(0)  # first frame of animated GIF/TIFF/HEIC sequences
            oriented = ImageOps.exif_transpose(img)
            if oriented.mode not in {"RGB", "L"}:
                # Transparent areas become white, as browsers show them on a page.
                rgba = oriented.convert("RGBA")
                oriented = Image.new("RGB", rgba.size, "white")
                oriented.paste(rgba, mask=rgba.getchannel("A"))
            oriented.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            oriented.save(output, "JPEG", quality=quality, optimize=True, progressive=True)
            size = oriented.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as exc:
        raise UnsupportedMedia(f"{Path(source).name}: cannot decode image ({exc})") from exc
    return Derivation(
        output=str(output),
        tool="pillow",
        version=PIL.__version__,
        parameters={
            "kind": kind,
            "max_side": max_side,
            "quality": quality,
            "exif_transpose": True,
            "metadata": "dropped",
            "width": size[0],
            "height": size[1],
        },
        seconds=round(time.perf_counter() - started, 3),
    )
