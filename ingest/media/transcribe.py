"""Speech to text with openai-whisper, from a local checkpoint only.

Settings arrive as arguments: the caller reads `DALEL_WHISPER_MODEL` (an official
name such as "small", or a path to a .pt file) and `DALEL_WHISPER_DIR` (the folder
holding `<name>.pt`). Nothing is ever downloaded.

Why we load by path even for official names: `whisper.load_model(name,
download_root=dir)` re-downloads when the file's SHA-256 differs from the official
one. We check the checksum ourselves, load by path, and set the official alignment
heads (needed for word timestamps) only when the checksum matches; a fine-tuned or
test checkpoint keeps whisper's default heads. The checksum goes into the
derivation, so a transcript names exactly which weights produced it.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import ModelMissing, UnsupportedMedia
from ingest.media._run import run

SAMPLE_RATE = 16_000
DEFAULT_CHUNK_SECONDS = 600.0
BOUNDARY_SEARCH_SECONDS = 10.0
# Whisper's fallback ladder: temperature 0 alone can loop on Kazakh/Russian audio.
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
DECODE_TIMEOUT = 3600.0
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SETTINGS_HINT = (
    "set DALEL_WHISPER_MODEL (an official name such as 'small', or a path to a .pt file) "
    "and DALEL_WHISPER_DIR (the directory holding <name>.pt); nothing is downloaded"
)


@dataclass(slots=True)
class LoadedModel:
    """A whisper model plus what a derivation must say about it."""

    model: Any  # whisper.model.Whisper
    name: str
    path: str
    sha256: str
    official: bool  # checksum equals the published one; official alignment heads set


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve_checkpoint(*, model: str, directory: Path | str | None) -> tuple[Path, str | None]:
    """Find the checkpoint file for a model setting → (path, official name or None)."""
    import whisper

    if not model:
        raise ModelMissing(f"no Whisper model configured: {SETTINGS_HINT}")
    candidates: list[Path] = []
    as_path = Path(model)
    if model.endswith(".pt") or as_path.is_absolute():
        candidates.append(
            as_path if as_path.is_absolute() or not directory else Path(directory) / as_path
        )
        official = as_path.stem if as_path.stem in whisper._MODELS else None
    else:
        official = model if model in whisper._MODELS else None
        if directory:
            candidates.append(Path(directory) / f"{model}.pt")
            if official:
                # "large" and "turbo" are aliases; the published file is large-v3(-turbo).pt
                candidates.append(Path(directory) / Path(whisper._MODELS[official]).name)
    for candidate in dict.fromkeys(candidates):
        if candidate.is_file():
            return candidate, official
    looked = ", ".join(str(c) for c in candidates) or "(no directory configured)"
    raise ModelMissing(f"Whisper model {model!r} not found (looked for {looked}): {SETTINGS_HINT}")


def load_model(*, model: str, directory: Path | str | None, device: str = "cpu") -> LoadedModel:
    """Load a Whisper checkpoint from local disk (see module docstring)."""
    import whisper

    path, official = resolve_checkpoint(model=model, directory=directory)
    sha = _sha256(path)
    is_official = bool(official) and whisper._MODELS[official].split("/")[-2] == sha
    try:
        loaded = whisper.load_model(str(path), device=device)
    except (RuntimeError, KeyError, OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        raise ModelMissing(
            f"Whisper checkpoint {path} cannot be loaded ({exc}): {SETTINGS_HINT}"
        ) from exc
    if is_official:
        loaded.set_alignment_heads(whisper._ALIGNMENT_HEADS[official])
    return LoadedModel(
        model=loaded, name=official or path.stem, path=str(path), sha256=sha, official=is_official
    )


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
    cmd += [
        "-i",
        str(path),
        "-map",
        "0:a:0",
        "-f",
        "s16le",
        "-ac",
        "1",
        "-ar",
        str(SAMPLE_RATE),
        "-",
    ]
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


def transcribe(
    *,
    audio: Path | str,
    model: LoadedModel,
    language: str | None = None,
    chunk_seconds: float = DEFAULT_CHUNK_SECONDS,
    word_timestamps: bool = True,
    temperature: tuple[float, ...] = FALLBACK_TEMPERATURES,
    on_progress: Callable[[float], None] | None = None,
    threads: int | None = None,
    **decode_options: Any,
) -> dict[str, Any]:
    """Transcribe an audio or video file in windows of about `chunk_seconds`.

    `threads` sets torch's CPU threads for this call (restored afterwards). On a
    worker whose cores are shared with other jobs, 1 thread measured ~10x faster
    than 2: torch's threads spin-wait for each other when the cores are busy.

    Each window ends at the quietest moment within 10 s of its nominal end (see
    `quiet_cut`); the windows used are listed in the derivation parameters.
    `language` is None/"auto" (detected on the first window, then kept so one
    recording gets one language) or a code such as "kk", "ru", "en".
    `decode_options` go to whisper's decoder (beam_size, sample_len, ...).
    Returns {"language", "duration", "segments": [{"start", "end", "text", "words":
    [{"word", "start", "end", "probability"}]}], "derivation": {...}}; times are
    seconds from the start of the file, non-decreasing.
    """
    import whisper

    path = Path(audio)
    if language in {None, "", "auto"}:
        language = None
    elif language not in whisper.tokenizer.LANGUAGES:
        raise UnsupportedMedia(f"unknown transcription language {language!r}")
    duration = probe_duration(path)
    import torch

    previous_threads = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        return _transcribe_windows(
            whisper, path, model, language, duration, chunk_seconds, word_timestamps,
            temperature, on_progress, decode_options,
        )  # fmt: skip
    finally:
        torch.set_num_threads(previous_threads)


def _transcribe_windows(
    whisper: Any,
    path: Path,
    model: LoadedModel,
    language: str | None,
    duration: float,
    chunk_seconds: float,
    word_timestamps: bool,
    temperature: tuple[float, ...],
    on_progress: Callable[[float], None] | None,
    decode_options: dict[str, Any],
) -> dict[str, Any]:
    started = time.perf_counter()
    segments: list[dict[str, Any]] = []
    windows: list[list[float]] = []
    # Look for a quiet cut point this far either side of each nominal boundary.
    search = min(BOUNDARY_SEARCH_SECONDS, chunk_seconds / 4)
    offset = 0.0
    while offset < duration or offset == 0.0:
        window = load_audio_window(path, start=offset, length=chunk_seconds + search)
        if offset + window.size / SAMPLE_RATE < duration - 0.05:
            window = window[: quiet_cut(window, target=chunk_seconds, search=search)]
        length = window.size / SAMPLE_RATE
        if window.size:
            result = whisper.transcribe(
                model.model,
                window,
                language=language,
                temperature=temperature,
                word_timestamps=word_timestamps,
                fp16=False,
                verbose=None,
                **decode_options,
            )
            language = language or result.get("language")
            for seg in result["segments"]:
                item = _segment(seg, offset, offset + length)
                if item["text"] or item["words"]:
                    segments.append(item)
        windows.append([round(offset, 3), round(offset + length, 3)])
        if length <= 0 or duration <= 0:
            break
        offset += length
        if on_progress:
            on_progress(min(1.0, offset / duration))
    _make_monotonic(segments, duration)
    return {
        "language": language,
        "duration": round(duration, 3),
        "segments": segments,
        "derivation": {
            "tool": "openai-whisper",
            "version": whisper.__version__,
            "model": model.name,
            "model_sha256": model.sha256,
            "official_weights": model.official,
            "parameters": {
                "language": language,
                "chunk_seconds": chunk_seconds,
                "windows": windows,
                "word_timestamps": word_timestamps,
                "temperature": list(temperature),
                **{k: v for k, v in decode_options.items() if isinstance(v, int | float | str)},
            },
            "seconds": round(time.perf_counter() - started, 3),
        },
    }


def _clean(text: Any) -> str:
    # Control characters (stray token bytes) break SRT/VTT and XML (DOCX) exports.
    return _CONTROL.sub("", str(text)).strip()


def _segment(seg: dict[str, Any], offset: float, window_end: float) -> dict[str, Any]:
    """Whisper segment → ours: file-relative times, clamped to the decoded window."""

    def at(t: Any) -> float:
        return round(min(max(float(t) + offset, offset), window_end), 3)

    words = [
        {
            "word": _clean(w["word"]),
            "start": at(w["start"]),
            "end": at(w["end"]),
            "probability": round(float(w["probability"]), 4),
        }
        for w in seg.get("words") or []
    ]
    return {
        "start": at(seg["start"]),
        "end": at(seg["end"]),
        "text": _clean(seg["text"]),
        "words": [w for w in words if w["word"]],
    }


def _make_monotonic(segments: list[dict[str, Any]], duration: float) -> None:
    """Clamp times so starts never go backwards, end ≥ start, and words sit in segments.

    Whisper's timestamps are predictions: at window edges a segment can start before
    the previous one ended, or a word can overhang its segment. Players, SRT and the
    search index's "jump to time" all need ordered, non-overlapping times.
    """
    floor = 0.0
    for seg in segments:
        seg["start"] = min(max(seg["start"], floor), max(duration, floor))
        seg["end"] = max(seg["end"], seg["start"])
        wfloor = seg["start"]
        for w in seg["words"]:
            w["start"] = min(max(w["start"], wfloor), seg["end"])
            w["end"] = min(max(w["end"], w["start"]), seg["end"])
            wfloor = w["start"]
        floor = seg["end"]
