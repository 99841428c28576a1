"""Audio renderer: mute or bleep time ranges, sample-accurately, everything else untouched.

ffmpeg's ``volume=...:enable=`` switches only at audio-frame boundaries, so 11-16 ms of
speech leak at each edge (FINDINGS). ``aeval`` evaluates per sample instead: speech is
multiplied by ``1 - R`` and a 1 kHz tone by ``R``, where ``R`` is 1 inside a range, and
the two are summed with ``amix=normalize=0``. Outside the ranges the samples come out
bit-identical (speech × 1 + tone × 0) when written as PCM.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

from redaction.errors import RedactionError

PAD_S = 0.12  # word timestamps are approximate: widen every range a little
TONE_HZ = 1000
TONE_AMPLITUDE = 0.25


class RenderError(RedactionError):
    """A renderer's tool failed or the input cannot be rendered."""


def merge_ranges(
    ranges: Sequence[tuple[float, float]], *, pad: float = PAD_S
) -> list[tuple[float, float]]:
    """Pad, clamp at zero and merge overlapping ranges; sorted."""
    padded = sorted((max(0.0, a - pad), b + pad) for a, b in ranges if b > a)
    merged: list[tuple[float, float]] = []
    for a, b in padded:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def audio_stream(path: Path) -> dict[str, int] | None:
    """Sample rate and channel count of the first audio stream, or None."""
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "a:0",
            "-show_streams",
            "-print_format",
            "json",
            str(path),
        ],
        capture_output=True,
        timeout=120,
    )
    streams = json.loads(out.stdout or b"{}").get("streams") or []
    if out.returncode != 0 or not streams:
        return None
    return {"sample_rate": int(streams[0]["sample_rate"]), "channels": int(streams[0]["channels"])}


def bleep_graph(
    *,
    ranges: Sequence[tuple[float, float]],
    sample_rate: int,
    channels: int,
    mode: str,
    label: str = "0:a:0",
) -> str:
    """``-filter_complex`` graph ending in ``[aout]`` that mutes or bleeps ``ranges``."""
    if mode not in ("bleep", "mute"):
        raise RenderError("unknown audio mode %(mode)r", mode=mode)
    inside = "+".join(f"between(t,{a:.6f},{b:.6f})" for a, b in ranges) or "0"
    speech = f"[{label}]aformat=sample_fmts=dbl,aeval='val(ch)*(1-({inside}))':c=same"
    if mode == "mute":
        return f"{speech}[aout]"
    layout = "mono" if channels == 1 else "stereo" if channels == 2 else f"{channels}c"
    tone = (
        f"sine=frequency={TONE_HZ}:sample_rate={sample_rate},"
        f"aformat=sample_fmts=dbl:channel_layouts={layout},"
        f"aeval='{TONE_AMPLITUDE}*8*val(ch)*({inside})':c=same"
    )
    return f"{speech}[s];{tone}[b];[s][b]amix=inputs=2:normalize=0:duration=first[aout]"


def render_audio(
    *, src: Path, dst: Path, ranges: Sequence[tuple[float, float]], mode: str = "bleep"
) -> list[tuple[float, float]]:
    """Write ``dst`` (PCM WAV, no metadata) with ``ranges`` (already padded) hidden.

    Returns the ranges actually applied, for the derivation and the residual check.
    """
    info = audio_stream(src)
    if info is None:
        raise RenderError("the item has no audio stream")
    graph = bleep_graph(
        ranges=ranges, mode=mode, sample_rate=info["sample_rate"], channels=info["channels"]
    )
    cmd = [
        "ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(src), "-filter_complex", graph,
        "-map", "[aout]", "-c:a", "pcm_s16le", "-map_metadata", "-1", "-fflags", "+bitexact",
        "-flags:a", "+bitexact", str(dst),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, timeout=3600)
    if done.returncode != 0:
        raise RenderError(
            "%(tool)s failed: %(reason)s", tool="ffmpeg", reason=done.stderr.decode()[-400:]
        )
    return list(ranges)
