"""Audio for speech recognition: duration, 16 kHz mono windows, quiet cut points."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ingest.errors import UnsupportedMedia
from ingest.media._run import run

SAMPLE_RATE = 16_000
DECODE_TIMEOUT = 3600.0


def probe_duration(path: Path) -> float:
    """Duration in seconds of a file's first audio track (UnsupportedMedia without one)."""
    proc = run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "stream=index:format=duration", "-of", "json", str(path)],
        timeout=60,
        ok_codes=(0, 1),
    )  # fmt: skip
    try:
        info = json.loads(proc.stdout or b"{}")
    except ValueError:
        info = {}
    if not info.get("streams"):
        raise UnsupportedMedia(f"{path.name}: no audio track to transcribe")
    try:
        return float(info["format"]["duration"])
    except (KeyError, TypeError, ValueError) as exc:
        raise UnsupportedMedia(f"{path.name}: audio duration unknown") from exc


def load_audio_window(path: Path, *, start: float, length: float | None) -> np.ndarray:
    """Decode [start, start+length) of the first audio track to 16 kHz mono float32.

    Decoding per window keeps memory flat: an 8-hour shift would be 1.8 GB as one array.
    """
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "0"]
    cmd += ["-ss", f"{start:.3f}"] + (["-t", f"{length:.3f}"] if length else [])
    cmd += ["-i", str(path), "-map", "0:a:0", "-f", "s16le", "-ac", "1"]
    cmd += ["-ar", str(SAMPLE_RATE), "-"]
    proc = run(cmd, timeout=DECODE_TIMEOUT)
    return np.frombuffer(proc.stdout, np.int16).flatten().astype(np.float32) / 32768.0


def quiet_cut(window: np.ndarray, *, target: float, search: float) -> int:
    """Sample index of the quietest 100 ms within `search` s of `target` s into `window`.

    Cutting a long recording at fixed times splits words, and Whisper then drops
    or garbles both halves; the nearest pause loses nothing.
    """
    frame = SAMPLE_RATE // 10
    lo = max(0, int((target - search) * SAMPLE_RATE))
    hi = min(window.size, int((target + search) * SAMPLE_RATE))
    if hi - lo < 2 * frame:
        return min(window.size, int(target * SAMPLE_RATE))
    region = window[lo:hi]
    usable = (region.size // frame) * frame
    energy = (region[:usable].reshape(-1, frame) ** 2).mean(axis=1)
    # Among equally quiet frames prefer the one nearest the nominal boundary.
    centre = (target * SAMPLE_RATE - lo) / frame
    best = min(range(energy.size), key=lambda i: (round(float(energy[i]), 8), abs(i - centre)))
    return lo + best * frame + frame // 2
