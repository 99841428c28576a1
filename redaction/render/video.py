"""Video renderer: fill face/plate tracks and manual boxes, bleep audio, strip metadata.

One decode → numpy → encode pass: ffmpeg decodes raw BGR frames into a pipe, we paint
the boxes live at each frame's time, and a second ffmpeg encodes (x264 veryfast, which
keeps 720p above real time on two cores) while taking the audio from the original —
copied untouched, or bleeped sample-accurately from the transcript ranges. Detections
come from every few frames (``redaction.faces``): a frame between two samples gets the
union of both boxes, and a track is carried a little past its ends, so a moving face is
never uncovered between samples; boxes are grown by ``PAD`` of their size on each side.
"""

from __future__ import annotations

import subprocess
from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from redaction.faces import EVERY, probe
from redaction.render.audio import RenderError, audio_stream, bleep_graph

PAD = 0.3
CRF = "20"


class Track:
    """Sampled boxes of one track with a lookup by time."""

    def __init__(self, boxes: Sequence[dict[str, Any]], carry: float) -> None:
        self.boxes = sorted(boxes, key=lambda b: b["t"])
        self.times = [b["t"] for b in self.boxes]
        self.carry = carry
        self.start = self.times[0] - carry
        self.end = self.times[-1] + carry

    def at(self, t: float) -> list[dict[str, Any]]:
        if not self.start <= t <= self.end:
            return []
        i = bisect_right(self.times, t)
        near = [self.boxes[j] for j in (i - 1, i) if 0 <= j < len(self.boxes)]
        near = [b for b in near if abs(b["t"] - t) <= max(self.carry, 1.0)] or near[:1]
        if len(near) < 2:
            return near
        # Between two samples the face is somewhere on its way from one box to the other:
        # fill the hull of both (two separate boxes would leave the middle of the path open).
        a, b = near
        left, top = min(a["left"], b["left"]), min(a["top"], b["top"])
        right = max(a["left"] + a["width"], b["left"] + b["width"])
        bottom = max(a["top"] + a["height"], b["top"] + b["height"])
        # Pad by the boxes' own size, not the hull's: a fast mover must not get a huge margin.
        width, height = max(a["width"], b["width"]), max(a["height"], b["height"])
        return [{"left": left, "top": top, "width": right - left, "height": bottom - top,
                 "pad_w": width, "pad_h": height}]  # fmt: skip


def _rect(box: dict[str, Any], width: int, height: int, pad: float) -> tuple[int, int, int, int]:
    dx = box.get("pad_w", box["width"]) * pad
    dy = box.get("pad_h", box["height"]) * pad
    x0 = max(0, int(box["left"] - dx))
    y0 = max(0, int(box["top"] - dy))
    x1 = min(width, int(box["left"] + box["width"] + dx + 1))
    y1 = min(height, int(box["top"] + box["height"] + dy + 1))
    return x0, y0, x1, y1


def rects_at(
    t: float,
    *,
    tracks: Sequence[Track],
    boxes: Sequence[dict[str, Any]],
    size: tuple[int, int],
    pad: float = PAD,
) -> list[tuple[int, int, int, int]]:
    """Rectangles to fill at time ``t`` (tracks padded; manual boxes as drawn)."""
    width, height = size
    out = [_rect(b, width, height, pad) for tr in tracks for b in tr.at(t)]
    for b in boxes:
        if b.get("t_start", 0.0) <= t <= b.get("t_end", float("inf")):
            out.append(_rect(b, width, height, 0.0))
    return out


def render_video(
    *,
    src: Path,
    dst: Path,
    tracks: Sequence[Sequence[dict[str, Any]]],
    boxes: Sequence[dict[str, Any]] = (),
    audio_ranges: Sequence[tuple[float, float]] = (),
    audio_mode: str = "bleep",
    every: int = EVERY,
) -> dict[str, Any]:
    """Write ``dst`` (MP4, H.264, no container metadata) with the regions filled."""
    info = probe(src)
    carry = (every + 1) / info.fps
    live = [Track(t, carry) for t in tracks if t]
    size = (info.width, info.height)
    frame_bytes = info.width * info.height * 3
    decode = [
        "ffmpeg", "-v", "error", "-nostdin", "-i", str(src), "-map", "0:v:0",
        "-f", "rawvideo", "-pix_fmt", "bgr24", "-",
    ]  # fmt: skip
    encode = [
        "ffmpeg", "-v", "error", "-nostdin", "-y",
        "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{info.width}x{info.height}",
        "-r", f"{info.fps:.6f}", "-i", "-", "-i", str(src), "-map", "0:v",
    ]  # fmt: skip
    audio = audio_stream(src) if info.has_audio else None
    if audio and audio_ranges:
        graph = bleep_graph(
            ranges=audio_ranges, mode=audio_mode, label="1:a:0",
            sample_rate=audio["sample_rate"], channels=audio["channels"],
        )  # fmt: skip
        encode += ["-filter_complex", graph, "-map", "[aout]", "-c:a", "aac", "-b:a", "160k"]
    elif audio:
        encode += ["-map", "1:a:0", "-c:a", "copy"]
    encode += [
        "-c:v", "libx264", "-preset", "veryfast", "-crf", CRF, "-pix_fmt", "yuv420p",
        "-map_metadata", "-1", "-map_chapters", "-1", "-fflags", "+bitexact",
        "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-movflags", "+faststart", str(dst),
    ]  # fmt: skip
    filled = frames = 0
    buf = bytearray(frame_bytes)
    view = memoryview(buf)
    frame = np.frombuffer(buf, np.uint8).reshape(info.height, info.width, 3)
    with (
        subprocess.Popen(decode, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as dec,
        subprocess.Popen(encode, stdin=subprocess.PIPE, stderr=subprocess.PIPE) as enc,
    ):
        assert dec.stdout is not None and enc.stdin is not None
        try:
            while dec.stdout.readinto(view) == frame_bytes:  # type: ignore[attr-defined]
                t = frames / info.fps
                for x0, y0, x1, y1 in rects_at(t, tracks=live, boxes=boxes, size=size):
                    frame[y0:y1, x0:x1] = 0
                    filled += 1
                enc.stdin.write(buf)
                frames += 1
        except BrokenPipeError:
            pass
        finally:
            enc.stdin.close()
        err = enc.stderr.read() if enc.stderr else b""
    if enc.returncode != 0 or frames == 0:
        raise RenderError(
            "video encoding failed: %(reason)s", reason=err.decode(errors="replace")[-400:]
        )
    return {
        "format": "mp4",
        "frames": frames,
        "fps": round(info.fps, 3),
        "filled_rects": filled,
        "audio": "bleeped" if audio and audio_ranges else "copied" if audio else "none",
    }
