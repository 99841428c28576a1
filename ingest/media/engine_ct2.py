"""The `ctranslate2` engine: faster-whisper on a CTranslate2 model folder, int8 on CPU.

Measured on the same file, weights and options as openai-whisper: about a ninth of the
CPU time, the same words (FINDINGS "Speech models and engines"). The model is a local
folder only: faster-whisper would fetch a model *name* or a missing `tokenizer.json`
from the Hugging Face hub, so we check the folder first and set HF_HUB_OFFLINE.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import ModelInstallError, ModelMissing, UnsupportedMedia
from ingest.media.model_store import MANIFEST, check_ctranslate2_folder, read_manifest, sha256_file
from ingest.media.transcribe import FALLBACK_TEMPERATURES, ModelInfo, Progress, Segment

# openai-whisper's name for the same decoder option, so one DALEL_WHISPER_DECODE_OPTIONS
# works for both Whisper engines.
SYNONYMS = {"sample_len": "max_new_tokens"}
# Set by the engine itself; an option may not override them.
RESERVED = {"audio", "language", "task", "beam_size", "best_of", "temperature", "vad_filter",
            "word_timestamps", "self"}  # fmt: skip


def decoder_options(options: dict[str, Any], hint: str) -> dict[str, Any]:
    """Options for `WhisperModel.transcribe`, refusing names it does not take."""
    from faster_whisper import WhisperModel

    known = set(inspect.signature(WhisperModel.transcribe).parameters) - RESERVED
    out = {SYNONYMS.get(k, k): v for k, v in options.items()}
    unknown = sorted(set(out) - known)
    if unknown:
        raise ModelMissing(
            f"DALEL_WHISPER_DECODE_OPTIONS: faster-whisper has no option {', '.join(unknown)}"
            f" ({hint})"
        )
    return out


class Ctranslate2Engine:
    """faster-whisper with `workers` concurrent decoders of `threads` threads each."""

    name = "ctranslate2"
    tool = "faster-whisper"
    joins_speech = True
    max_speech_seconds = 120.0  # pieces split at pauses; Whisper itself reads 30 s at a time

    def __init__(
        self,
        *,
        folder: Path,
        hint: str,
        compute_type: str = "int8",
        workers: int = 1,
        threads: int = 1,
        beam_size: int = 1,
        temperature: Sequence[float] = FALLBACK_TEMPERATURES,
        word_timestamps: bool = True,
        options: dict[str, Any] | None = None,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: never the hub
        from faster_whisper import WhisperModel

        if not folder.is_dir():
            raise ModelMissing(f"no CTranslate2 Whisper model at {folder}: {hint}")
        try:
            check_ctranslate2_folder(folder)
        except ModelInstallError as exc:
            raise ModelMissing(f"{exc}: {hint}") from exc
        self.version = metadata.version("faster-whisper")
        self.ctranslate2_version = metadata.version("ctranslate2")
        official = None
        if (folder / MANIFEST).is_file():
            official = read_manifest(folder).official
        self.model = ModelInfo(
            name=folder.name,
            path=str(folder),
            sha256=sha256_file(folder / "model.bin"),
            official=official,
        )
        self.workers = max(1, workers)
        self.threads = max(1, threads)
        self.compute_type = compute_type
        self.beam_size = max(1, beam_size)
        self.temperature = tuple(temperature)
        self.word_timestamps = word_timestamps
        self.options = decoder_options(dict(options or {}), hint)
        try:
            self._whisper = WhisperModel(
                str(folder),
                device="cpu",
                compute_type=compute_type,
                cpu_threads=self.threads,
                num_workers=self.workers,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelMissing(f"{folder} cannot be loaded ({exc}): {hint}") from exc

    def can_detect(self) -> bool:
        return bool(self._whisper.model.is_multilingual)

    def detect_language(
        self, audio: np.ndarray, candidates: Sequence[str]
    ) -> tuple[str, dict[str, float]]:
        _best, _p, everything = self._whisper.detect_language(audio=audio)
        scores = {code: 0.0 for code in candidates}
        for code, probability in everything:
            if code in scores:
                scores[code] = float(probability)
        return max(scores, key=lambda c: scores[c]), scores

    def decode(
        self, audios: list[np.ndarray], *, language: str | None, progress: Progress
    ) -> list[list[Segment]]:
        out: list[list[Segment]] = []
        done = 0.0
        for audio in audios:
            if language and language not in self._whisper.supported_languages:
                raise UnsupportedMedia(f"{self.model.name} does not know language {language!r}")
            found, _info = self._whisper.transcribe(
                audio,
                language=language,
                task="transcribe",
                beam_size=self.beam_size,
                best_of=self.beam_size,
                temperature=list(self.temperature),
                word_timestamps=self.word_timestamps,
                vad_filter=False,  # done already, the same way for every engine
                **self.options,
            )
            segments = []
            for seg in found:  # a generator: decoding happens as it is consumed
                segments.append(
                    {
                        "start": seg.start,
                        "end": seg.end,
                        "text": seg.text,
                        "words": [
                            {
                                "word": w.word,
                                "start": w.start,
                                "end": w.end,
                                "probability": w.probability,
                            }
                            for w in seg.words or []
                        ],
                    }
                )
                progress(done + min(seg.end, audio.size / 16_000))
            done += audio.size / 16_000
            progress(done)
            out.append(segments)
        return out

    def parameters(self) -> dict[str, Any]:
        return {
            "ctranslate2": self.ctranslate2_version,
            "device": "cpu",
            "compute_type": self.compute_type,
            "beam_size": self.beam_size,
            "temperature": list(self.temperature),
            "word_timestamps": self.word_timestamps,
            "workers": self.workers,
            "threads": self.threads,
            **{k: v for k, v in self.options.items() if isinstance(v, int | float | str | bool)},
        }
