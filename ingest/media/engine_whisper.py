"""The `openai-whisper` engine: official `.pt` checkpoints on torch, from local disk.

Why we load by path even for official names: `whisper.load_model(name,
download_root=dir)` re-downloads when the file's SHA-256 differs from the official
one. We check the checksum ourselves, load by path, and set the official alignment
heads (needed for word timestamps) only when the checksum matches; a fine-tuned or
test checkpoint keeps whisper's default heads. The checksum goes into the
derivation, so a transcript names exactly which weights produced it.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import ModelMissing, UnsupportedMedia
from ingest.media.model_store import sha256_file
from ingest.media.transcribe import FALLBACK_TEMPERATURES, ModelInfo, Progress, Segment

SETTINGS_HINT = (
    "set DALEL_WHISPER_MODEL (an official name such as 'small', or a path to a .pt file) "
    "and DALEL_WHISPER_DIR (the directory holding <name>.pt), or `dalel models import "
    "<name>.pt`; nothing is downloaded"
)


def official_hashes() -> dict[str, str]:
    """Official model name → SHA-256, from openai-whisper's own download table."""
    import whisper

    return {name: url.split("/")[-2] for name, url in whisper._MODELS.items()}


def resolve_checkpoint(
    *, model: str, directories: Sequence[Path | str | None]
) -> tuple[Path, str | None]:
    """Find the checkpoint file for a model setting → (path, official name or None)."""
    import whisper

    if not model:
        raise ModelMissing(f"no Whisper model configured: {SETTINGS_HINT}")
    candidates: list[Path] = []
    as_path = Path(model)
    folders = [Path(d) for d in directories if d]
    if model.endswith(".pt") or as_path.is_absolute():
        if as_path.is_absolute():
            candidates.append(as_path)
        candidates += [folder / as_path for folder in folders]
        official = as_path.stem if as_path.stem in whisper._MODELS else None
    else:
        official = model if model in whisper._MODELS else None
        for folder in folders:
            # "large" and "turbo" are aliases; the published file is large-v3(-turbo).pt
            names = [f"{model}.pt"] + ([Path(whisper._MODELS[official]).name] if official else [])
            candidates += [folder / n for n in names] + [folder / model / n for n in names]
    for candidate in dict.fromkeys(candidates):
        if candidate.is_file():
            return candidate, official
    looked = ", ".join(str(c) for c in candidates) or "(no directory configured)"
    raise ModelMissing(f"Whisper model {model!r} not found (looked for {looked}): {SETTINGS_HINT}")


class OpenaiWhisperEngine:
    """openai-whisper on torch's CPU threads; one decode at a time (its hooks are global)."""

    name = "openai-whisper"
    tool = "openai-whisper"
    joins_speech = True
    max_speech_seconds = 120.0
    workers = 1

    def __init__(
        self,
        *,
        model: str,
        directories: Sequence[Path | str | None],
        threads: int = 1,
        beam_size: int = 1,
        temperature: Sequence[float] = FALLBACK_TEMPERATURES,
        word_timestamps: bool = True,
        options: dict[str, Any] | None = None,
    ) -> None:
        import whisper

        path, official = resolve_checkpoint(model=model, directories=directories)
        sha = sha256_file(path)
        is_official = bool(official) and whisper._MODELS[official].split("/")[-2] == sha
        try:
            loaded = whisper.load_model(str(path), device="cpu")
        except (
            RuntimeError, KeyError, OSError, ValueError, EOFError, pickle.UnpicklingError,
        ) as exc:  # fmt: skip
            raise ModelMissing(
                f"Whisper checkpoint {path} cannot be loaded ({exc}): {SETTINGS_HINT}"
            ) from exc
        if is_official:
            loaded.set_alignment_heads(whisper._ALIGNMENT_HEADS[official])
        self._whisper = loaded
        self.version = whisper.__version__
        self.model = ModelInfo(
            name=official or path.stem, path=str(path), sha256=sha, official=is_official
        )
        self.threads = max(1, threads)
        self.beam_size = max(1, beam_size)
        self.temperature = tuple(temperature)
        self.word_timestamps = word_timestamps
        self.options = dict(options or {})

    def can_detect(self) -> bool:
        return bool(self._whisper.is_multilingual)

    def _threads(self) -> Any:
        import contextlib

        import torch

        @contextlib.contextmanager
        def scoped() -> Any:
            previous = torch.get_num_threads()
            torch.set_num_threads(self.threads)
            try:
                yield
            finally:
                torch.set_num_threads(previous)

        return scoped()

    def detect_language(
        self, audio: np.ndarray, candidates: Sequence[str]
    ) -> tuple[str, dict[str, float]]:
        import whisper

        mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(audio), self._whisper.dims.n_mels).to(
            self._whisper.device
        )
        with self._threads():
            _tokens, probabilities = self._whisper.detect_language(mel)
        scores = {code: float(probabilities.get(code, 0.0)) for code in candidates}
        return max(scores, key=lambda c: scores[c]), scores

    def decode(
        self, audios: list[np.ndarray], *, language: str | None, progress: Progress
    ) -> list[list[Segment]]:
        import whisper

        if language and language not in whisper.tokenizer.LANGUAGES:
            raise UnsupportedMedia(f"unknown transcription language {language!r}")
        out, done = [], 0.0
        beam = {"beam_size": self.beam_size} if self.beam_size > 1 else {}
        for audio in audios:
            with self._threads():
                result = whisper.transcribe(
                    self._whisper,
                    audio,
                    language=language,
                    temperature=self.temperature,
                    word_timestamps=self.word_timestamps,
                    fp16=False,
                    verbose=None,
                    **beam,
                    **self.options,
                )
            out.append(list(result["segments"]))
            done += audio.size / 16_000
            progress(done)
        return out

    def parameters(self) -> dict[str, Any]:
        return {
            "device": "cpu",
            "compute_type": "float32",
            "beam_size": self.beam_size,
            "temperature": list(self.temperature),
            "word_timestamps": self.word_timestamps,
            "workers": 1,
            "threads": self.threads,
            **{k: v for k, v in self.options.items() if isinstance(v, int | float | str | bool)},
        }
