"""Speech to text behind one engine interface, from local models only.

Engines (`ingest.media.engines`): `ctranslate2` (faster-whisper, int8 on CPU, the
default), `openai-whisper` (official `.pt` checkpoints) and `onnx-asr` (GigaAM and
other ONNX exports the operator provides). They share everything else, here:

1. The recording is read in windows of about `chunk_seconds` (cut at a pause, see
   `quiet_cut`), so memory stays flat on an 8-hour shift.
2. Silero VAD marks the speech in each window (`ingest.media.vad`); only speech is
   decoded, and every time is mapped back to the original timeline.
3. A window's speech is split into pieces at pauses, decoded on `engine.workers`
   threads at once (both cores for one long file).
4. Segments come back in one contract — `{"start", "end", "text", "words": [{"word",
   "start", "end", "probability"}]}`, seconds from the start of the file, ordered —
   with a derivation naming the engine, its version, the model's SHA-256 and every
   parameter that shaped the text.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.errors import UnsupportedMedia
from ingest.media.audio import SAMPLE_RATE, load_audio_window, probe_duration, quiet_cut
from ingest.media.vad import Joined, Region, VadSettings, pieces, speech_regions, whole

DEFAULT_CHUNK_SECONDS = 600.0
BOUNDARY_SEARCH_SECONDS = 10.0
# Whisper's fallback ladder: temperature 0 alone can loop on Kazakh/Russian audio.
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
LANGUAGES = ("kk", "ru", "en")
DETECT_SECONDS = 30.0  # Whisper detects the language from one 30-s input
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Segment = dict[str, Any]
Progress = Callable[[float], None]


@dataclass(slots=True)
class ModelInfo:
    """What a derivation must say about the weights."""

    name: str
    path: str
    sha256: str
    official: bool | None = None  # openai-whisper: the checksum equals the published one


class Engine(Protocol):
    """A loaded speech model. Times returned are seconds into the audio given."""

    name: str  # ctranslate2 | openai-whisper | onnx-asr
    tool: str  # the package: faster-whisper | openai-whisper | onnx-asr
    version: str
    model: ModelInfo
    workers: int  # decode calls that may run at once
    joins_speech: bool  # True: a piece's speech is decoded as one stream (Whisper)
    max_speech_seconds: float  # longest speech region one call may take (VAD splits)

    def can_detect(self) -> bool: ...

    def detect_language(
        self, audio: np.ndarray, candidates: Sequence[str]
    ) -> tuple[str, dict[str, float]]: ...

    def decode(
        self, audios: list[np.ndarray], *, language: str | None, progress: Progress
    ) -> list[list[Segment]]: ...

    def parameters(self) -> dict[str, Any]: ...


def detect_language(
    *, audio: Path | str, engine: Engine, vad: VadSettings, candidates: Sequence[str] = LANGUAGES
) -> tuple[str, dict[str, Any]]:
    """The spoken language among `candidates`, from the first speech of a recording.

    Restricting to the candidates matters: on Kazakh, Whisper often names a language
    nobody in the case speaks. Returns (code, what the derivation records).
    """
    if not engine.can_detect():
        raise UnsupportedMedia(f"the {engine.name} engine cannot detect a language")
    path = Path(audio)
    duration = probe_duration(path)
    offset, speech = 0.0, np.zeros(0, np.float32)
    while offset < duration and speech.size < DETECT_SECONDS * SAMPLE_RATE:
        window = load_audio_window(path, start=offset, length=120.0)
        if not window.size:
            break
        regions = speech_regions(window, vad) if vad.enabled else [whole(0, window.size)]
        speech = np.concatenate([speech, *(window[r.start : r.end] for r in regions)])
        offset += 120.0
    if not speech.size:
        speech = load_audio_window(path, start=0.0, length=DETECT_SECONDS)
    language, probabilities = engine.detect_language(
        speech[: int(DETECT_SECONDS * SAMPLE_RATE)], candidates
    )
    return language, {
        "engine": engine.name,
        "model_sha256": engine.model.sha256,
        "candidates": list(candidates),
        "probabilities": {k: round(v, 4) for k, v in probabilities.items()},
    }


def transcribe(
    *,
    audio: Path | str,
    engine: Engine,
    language: str | None = None,
    chunk_seconds: float = DEFAULT_CHUNK_SECONDS,
    vad: VadSettings | None = None,
    on_progress: Progress | None = None,
    candidates: Sequence[str] = LANGUAGES,
    detection: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Transcribe an audio or video file (see the module docstring for the steps).

    `language` None/"auto" detects it (among `candidates`) with `engine`; `detection`
    is a detection already made (by `detect_language`), recorded as it is.
    `on_progress` gets the fraction of the file's audio decoded (0..1).
    Returns {"language", "duration", "segments", "derivation"}.
    """
    path = Path(audio)
    vad = vad or VadSettings()
    if language in {None, "", "auto"}:
        language = None
    elif not re.fullmatch(r"[a-z]{2,3}", language):
        raise UnsupportedMedia(f"unknown transcription language {language!r}")
    duration = probe_duration(path)
    if language is None:
        language, detection = detect_language(
            audio=path, engine=engine, vad=vad, candidates=candidates
        )
    started = time.perf_counter()
    run = _Run(engine=engine, language=language, duration=duration, report=on_progress)
    search = min(BOUNDARY_SEARCH_SECONDS, chunk_seconds / 4)
    offset = 0.0
    while offset < duration or offset == 0.0:
        window = load_audio_window(path, start=offset, length=chunk_seconds + search)
        if offset + window.size / SAMPLE_RATE < duration - 0.05:
            window = window[: quiet_cut(window, target=chunk_seconds, search=search)]
        length = window.size / SAMPLE_RATE
        if window.size:
            run.window(window, offset, vad)
        if length <= 0 or duration <= 0:
            break
        offset += length
        run.done_until(offset)
    _make_monotonic(run.segments, duration)
    parameters = {
        "language": language,
        "chunk_seconds": chunk_seconds,
        "windows": run.windows,
        "vad": vad.limited(engine.max_speech_seconds).public(),
        "speech_seconds": round(run.speech_seconds, 3),
        "pieces": run.pieces,
        **engine.parameters(),
    }
    return {
        "language": language,
        "duration": round(duration, 3),
        "segments": run.segments,
        "derivation": {
            "tool": engine.tool,
            "version": engine.version,
            "engine": engine.name,
            "model": engine.model.name,
            "model_sha256": engine.model.sha256,
            "official_weights": engine.model.official,
            "language_detection": detection,
            "parameters": parameters,
            "seconds": round(time.perf_counter() - started, 3),
        },
    }


class _Run:
    """One recording's decoding: windows in order, each window's pieces in parallel."""

    def __init__(
        self, *, engine: Engine, language: str, duration: float, report: Progress | None
    ) -> None:
        self.engine, self.language, self.duration, self.report = engine, language, duration, report
        self.segments: list[Segment] = []
        self.windows: list[list[float]] = []
        self.speech_seconds = 0.0
        self.pieces = 0
        self._lock = threading.Lock()
        self._base = 0.0  # seconds of the file before the current window

    def done_until(self, seconds: float) -> None:
        self._base = seconds
        self._progress(1.0, 0.0)

    def _progress(self, fraction: float, window_length: float) -> None:
        if self.report and self.duration > 0:
            self.report(min(1.0, (self._base + fraction * window_length) / self.duration))

    def window(self, window: np.ndarray, offset: float, vad: VadSettings) -> None:
        length = window.size / SAMPLE_RATE
        self.windows.append([round(offset, 3), round(offset + length, 3)])
        limit = min(self.engine.max_speech_seconds, vad.max_speech_s)
        if vad.enabled:
            regions = speech_regions(window, vad.limited(limit))
        else:
            regions = _fixed_regions(window, limit)
        if not regions:
            return
        speech = sum(r.size for r in regions) / SAMPLE_RATE
        self.speech_seconds += speech
        groups = pieces(regions, workers=self.engine.workers)
        self.pieces += len(groups)
        done = [0.0] * len(groups)

        def on_piece(index: int, seconds: float) -> None:
            with self._lock:
                done[index] = seconds
                self._progress(min(1.0, sum(done) / speech), length)

        def decode(index: int, group: list[Region]) -> list[Segment]:
            joined = Joined(group, offset=offset)
            audios = (
                [joined.audio(window)]
                if self.engine.joins_speech
                else [window[r.start : r.end] for r in group]
            )
            results = self.engine.decode(
                audios, language=self.language, progress=lambda s: on_piece(index, s)
            )
            out: list[Segment] = []
            for position, found in enumerate(results):
                for seg in found:
                    mapped = (
                        joined.segment(seg)
                        if self.engine.joins_speech
                        else joined.segment_of_region(position, seg)
                    )
                    item = _clean_segment(mapped, offset, offset + length)
                    if item["text"] or item["words"]:
                        out.append(item)
            return out

        if len(groups) == 1 or self.engine.workers <= 1:
            results = [decode(i, g) for i, g in enumerate(groups)]
        else:
            with ThreadPoolExecutor(self.engine.workers, thread_name_prefix="dalel-asr") as pool:
                results = list(pool.map(decode, range(len(groups)), groups))
        for found in results:
            self.segments.extend(found)


def _fixed_regions(window: np.ndarray, limit: float) -> list[Region]:
    """Without VAD: the whole window, cut at pauses into pieces of at most `limit` s."""
    regions: list[Region] = []
    start = 0
    step = int(limit * SAMPLE_RATE)
    while window.size - start > step:
        cut = start + quiet_cut(window[start:], target=limit * 0.9, search=limit * 0.1)
        regions.append(whole(start, cut))
        start = cut
    if window.size > start:
        regions.append(whole(start, window.size))
    return regions


def clean_text(text: Any) -> str:
    """Text without control characters (stray token bytes break SRT/VTT and DOCX)."""
    return _CONTROL.sub("", str(text)).strip()


def _clean_segment(seg: Segment, lo: float, hi: float) -> Segment:
    """Rounded, clamped to the window [lo, hi], words without blanks."""

    def at(t: Any) -> float:
        return round(min(max(float(t), lo), hi), 3)

    words = [
        {
            "word": clean_text(w["word"]),
            "start": at(w["start"]),
            "end": at(w["end"]),
            "probability": round(min(1.0, max(0.0, float(w["probability"]))), 4),
        }
        for w in seg.get("words") or []
    ]
    return {
        "start": at(seg["start"]),
        "end": at(seg["end"]),
        "text": clean_text(seg["text"]),
        "words": [w for w in words if w["word"]],
    }


def _make_monotonic(segments: list[Segment], duration: float) -> None:
    """Clamp times so starts never go backwards, end ≥ start, and words sit in segments.

    Timestamps are predictions: at piece edges a segment can start before the previous
    one ended, or a word can overhang its segment. Players, SRT and the search index's
    "jump to time" all need ordered, non-overlapping times.
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
