"""Cut a time range out of a video or audio file as a new, self-contained file.

The cut is re-encoded, not stream-copied: a copy can only start at a keyframe, which
may lie seconds before the bookmarked moment, and a court clip must start where the
reviewer marked it. Input seeking (`-ss` before `-i`) with re-encoding is frame-exact
and fast, because ffmpeg skips to the nearest keyframe and decodes only from there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.errors import UnsupportedMedia
from ingest.media.proxy import DEFAULT_TRANSCODE_TIMEOUT, Derivation, run_ffmpeg

_MIN_SECONDS = 0.05


def _check(start: float, end: float) -> float:
    if start < 0 or end - start < _MIN_SECONDS:
        raise UnsupportedMedia(f"a clip runs forward from 0 s; got {start} s to {end} s")
    return round(end - start, 3)


def video_clip_command(
    *,
    source: Path | str,
    output: Path | str,
    start: float,
    end: float,
    preset: str = "veryfast",
    crf: int = 18,
    deinterlace: bool = False,
) -> list[str]:
    """The ffmpeg command `video_clip` runs: full resolution, H.264 CRF 18 (visually
    lossless), AAC, metadata dropped (GPS and serials stay with the original)."""
    length = _check(start, end)
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    cmd += ["-ss", f"{start:.3f}", "-i", str(source), "-t", f"{length:.3f}"]
    cmd += ["-map", "0:v:0", "-map", "0:a:0?"]
    if deinterlace:
        cmd += ["-vf", "bwdif=mode=send_frame:deint=interlaced"]
    cmd += ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p"]
    cmd += ["-c:a", "aac", "-b:a", "192k", "-map_metadata", "-1", "-map_chapters", "-1"]
    cmd += ["-movflags", "+faststart", "-f", "mp4", str(output)]
    return cmd


def video_clip(
    *,
    source: Path | str,
    output: Path | str,
    start: float,
    end: float,
    preset: str = "veryfast",
    crf: int = 18,
    deinterlace: bool = False,
    on_progress: Callable[[float], None] | None = None,
    timeout: float = DEFAULT_TRANSCODE_TIMEOUT,
) -> Derivation:
    """Cut [start, end) seconds of a video into an MP4 that plays anywhere."""
    cmd = video_clip_command(
        source=source, output=output, start=start, end=end, preset=preset, crf=crf,
        deinterlace=deinterlace,
    )  # fmt: skip
    params = {
        "start": start, "end": end, "video_codec": "libx264", "preset": preset, "crf": crf,
        "audio_codec": "aac", "audio_bitrate": "192k", "deinterlace": deinterlace,
        "keep_metadata": False,
    }  # fmt: skip
    return run_ffmpeg(cmd, output, params, timeout, end - start, on_progress)


def audio_clip(
    *,
    source: Path | str,
    output: Path | str,
    start: float,
    end: float,
    on_progress: Callable[[float], None] | None = None,
    timeout: float = DEFAULT_TRANSCODE_TIMEOUT,
) -> Derivation:
    """Cut [start, end) seconds of audio (or of a video's first audio track) into M4A."""
    length = _check(start, end)
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    cmd += ["-ss", f"{start:.3f}", "-i", str(source), "-t", f"{length:.3f}"]
    cmd += ["-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "192k", "-map_metadata", "-1"]
    cmd += ["-movflags", "+faststart", "-f", "ipod", str(output)]
    params = {"start": start, "end": end, "audio_codec": "aac", "audio_bitrate": "192k"}
    params["keep_metadata"] = False
    return run_ffmpeg(cmd, output, params, timeout, end - start, on_progress)
