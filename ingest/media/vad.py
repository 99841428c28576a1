"""Voice activity detection: where the speech is, and the way back to the original time.

Silero VAD ships as an ONNX file inside the faster-whisper wheel; we use its loader and
speech-timestamp search (`faster_whisper.vad`) for every engine, so silence costs the
same (nothing) whichever engine decodes. A window's speech regions are grouped into
pieces at pauses; a Whisper engine decodes each piece's regions joined end to end,
and `Joined` maps the times it reports back to seconds from the start of the file.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ingest.media.audio import SAMPLE_RATE

MIN_PIECE_SECONDS = 60.0  # shorter pieces lose more context at their edges than they save


@dataclass(frozen=True, slots=True)
class VadSettings:
    """Silero's knobs (faster-whisper's defaults), recorded in every derivation."""

    enabled: bool = True
    threshold: float = 0.5
    min_silence_ms: int = 2000
    speech_pad_ms: int = 400
    max_speech_s: float = math.inf

    def limited(self, seconds: float) -> VadSettings:
        """The same settings with regions of at most `seconds` (split at short pauses)."""
        return replace(self, max_speech_s=min(self.max_speech_s, seconds))

    def public(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "model": "silero-vad-v6 (faster-whisper)",
            "threshold": self.threshold,
            "min_silence_ms": self.min_silence_ms,
            "speech_pad_ms": self.speech_pad_ms,
            "max_speech_s": None if math.isinf(self.max_speech_s) else self.max_speech_s,
        }


@dataclass(frozen=True, slots=True)
class Region:
    """Samples [start, end) to decode; [speech_start, speech_end) is where VAD heard speech.

    The padding lets the decoder hear a word's onset; but a word cannot start before
    the speech does, so word times are clamped to the unpadded span (Whisper tends to
    put the first word at the very start of the audio it is given, i.e. in the pad).
    """

    start: int
    end: int
    speech_start: int
    speech_end: int

    @property
    def size(self) -> int:
        return self.end - self.start


def whole(start: int, end: int) -> Region:
    """A region without VAD: all of it counts as speech."""
    return Region(start, end, start, end)


def speech_regions(window: np.ndarray, vad: VadSettings) -> list[Region]:
    """Speech in a 16 kHz window, padded by `speech_pad_ms` each side.

    Padding as faster-whisper does it: two regions closer than twice the pad meet half
    way, so padded regions never overlap.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if not window.size:
        return []
    options = VadOptions(
        threshold=vad.threshold,
        min_silence_duration_ms=vad.min_silence_ms,
        speech_pad_ms=0,
        max_speech_duration_s=vad.max_speech_s,
    )
    found = get_speech_timestamps(window, options, sampling_rate=SAMPLE_RATE)
    cores = [(int(r["start"]), int(r["end"])) for r in found if r["end"] > r["start"]]
    pad = int(SAMPLE_RATE * vad.speech_pad_ms / 1000)
    regions = []
    for index, (a, b) in enumerate(cores):
        gap_before = a - cores[index - 1][1] if index else 2 * pad
        gap_after = cores[index + 1][0] - b if index + 1 < len(cores) else 2 * pad
        start = a - pad if gap_before >= 2 * pad else a - gap_before // 2
        end = b + pad if gap_after >= 2 * pad else b + (gap_after + 1) // 2
        regions.append(Region(max(0, start), min(window.size, end), a, b))
    return regions


def pieces(regions: list[Region], *, workers: int) -> list[list[Region]]:
    """Consecutive regions grouped into pieces of similar speech length.

    Two pieces per worker keep both cores busy when one piece finishes early; pieces are
    never shorter than a minute of speech unless the window has less.
    """
    total = sum(r.size for r in regions)
    count = max(1, 2 * workers) if workers > 1 else 1
    target = max(MIN_PIECE_SECONDS * SAMPLE_RATE, total / count)
    groups: list[list[Region]] = [[]]
    size = 0
    for region in regions:
        if groups[-1] and size + region.size / 2 > target:
            groups.append([])
            size = 0
        groups[-1].append(region)
        size += region.size
    return groups


class Joined:
    """Regions of one window joined end to end, and their times in the file."""

    def __init__(self, regions: list[Region], *, offset: float) -> None:
        self.regions = regions
        self.offset = offset
        self._ends: list[float] = []  # end of each region in the joined timeline, seconds
        at = 0
        for region in regions:
            at += region.size
            self._ends.append(at / SAMPLE_RATE)

    def audio(self, window: np.ndarray) -> np.ndarray:
        return np.concatenate([window[r.start : r.end] for r in self.regions])

    def _index(self, t: float) -> int:
        return min(bisect.bisect(self._ends, t), len(self.regions) - 1)

    def _clamp(self, t: float, index: int) -> float:
        region = self.regions[index]
        lo = self.offset + region.speech_start / SAMPLE_RATE
        hi = self.offset + region.speech_end / SAMPLE_RATE
        return min(max(t, lo), hi)

    def original(self, t: float, index: int | None = None) -> float:
        """A joined-timeline time → seconds from the start of the file."""
        index = self._index(t) if index is None else index
        start_joined = self._ends[index - 1] if index else 0.0
        region_start = self.regions[index].start / SAMPLE_RATE
        return self.offset + region_start + (t - start_joined)

    def segment(self, seg: dict[str, Any]) -> dict[str, Any]:
        """A segment in joined time → file time; each word by the region of its middle."""
        words = []
        for w in seg.get("words") or []:
            index = self._index((float(w["start"]) + float(w["end"])) / 2)
            start = self._clamp(self.original(float(w["start"]), index), index)
            end = self._clamp(self.original(float(w["end"]), index), index)
            words.append({**w, "start": start, "end": max(start, end)})
        if words:
            start, end = words[0]["start"], words[-1]["end"]
        else:
            first = self._index(float(seg["start"]))
            last = self._index(max(float(seg["start"]), float(seg["end"]) - 1e-3))
            start = self._clamp(self.original(float(seg["start"]), first), first)
            end = self._clamp(self.original(float(seg["end"]), last), last)
        return {**seg, "start": start, "end": max(start, end), "words": words}

    def segment_of_region(self, index: int, seg: dict[str, Any]) -> dict[str, Any]:
        """A segment timed from the start of region `index` → file time."""
        base = self.offset + self.regions[index].start / SAMPLE_RATE

        def at(t: Any) -> float:
            return self._clamp(base + float(t), index)

        return {
            **seg,
            "start": at(seg["start"]),
            "end": at(seg["end"]),
            "words": [
                {**w, "start": at(w["start"]), "end": at(w["end"])} for w in seg.get("words") or []
            ],
        }
