"""The `onnx-asr` engine: GigaAM (or another onnx-asr model) from a folder on disk.

Whisper is weak on Kazakh (large-v3: 32.4 % WER on FLEURS kk); GigaAM Multilingual
reports 4.4 %. onnx-asr runs such ONNX exports on onnxruntime's CPU provider; the
operator supplies the folder (model `.onnx` files, vocabulary, config.json). A local
folder never reaches the hub (onnx-asr resolves files offline when the folder exists;
HF_HUB_OFFLINE is set as well). CTC and transducer models give a time per token: a
word starts at its first token and ends just after its last one.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, cast

import numpy as np

from ingest.errors import ModelMissing
from ingest.media.model_store import sha256_file
from ingest.media.transcribe import ModelInfo, Progress, Segment

TOKEN_SECONDS = 0.04  # one encoder frame of GigaAM/NeMo (10 ms hop x 4 subsampling)
BATCH = 8  # regions per onnxruntime call: batching amortises the per-call overhead


def folder_sha256(folder: Path) -> str:
    """One hash for a multi-file model: SHA-256 of its `sha256sum`-style file list."""
    lines = [
        f"{sha256_file(p)}  {p.relative_to(folder)}\n"
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".") and p.name != "dalel-model.json"
    ]
    return hashlib.sha256("".join(lines).encode()).hexdigest()


class OnnxAsrEngine:
    """onnx-asr recognising VAD regions (≤ 20 s each) in batches, `workers` at once."""

    name = "onnx-asr"
    tool = "onnx-asr"
    joins_speech = False
    max_speech_seconds = 20.0  # GigaAM and Parakeet are trained on utterances, not hours

    def __init__(
        self, *, folder: Path, model_type: str, hint: str, workers: int = 1, threads: int = 1
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import onnx_asr
        import onnxruntime

        if not folder.is_dir():
            raise ModelMissing(f"no onnx-asr model folder at {folder}: {hint}")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            loaded = onnx_asr.load_model(
                model_type or None,  # type: ignore[arg-type]  # None: config.json says
                folder,
                sess_options=options,
                providers=["CPUExecutionProvider"],
            )
        except (onnx_asr.utils.ModelLoadingError, OSError, ValueError, RuntimeError) as exc:
            raise ModelMissing(
                f"onnx-asr model at {folder} cannot be loaded ({exc}): {hint}"
            ) from exc
        self._asr = loaded.with_timestamps()
        self.model_type = model_type or "(config.json)"
        self.version = metadata.version("onnx-asr")
        self.onnxruntime_version = metadata.version("onnxruntime")
        self.model = ModelInfo(name=folder.name, path=str(folder), sha256=folder_sha256(folder))
        self.workers = max(1, workers)
        self.threads = max(1, threads)

    def can_detect(self) -> bool:
        return False  # GigaAM has no language token; the stage detects with Whisper

    def detect_language(
        self, audio: np.ndarray, candidates: Sequence[str]
    ) -> tuple[str, dict[str, float]]:
        raise NotImplementedError

    def decode(
        self, audios: list[np.ndarray], *, language: str | None, progress: Progress
    ) -> list[list[Segment]]:
        out: list[list[Segment]] = []
        done = 0.0
        for first in range(0, len(audios), BATCH):
            batch = audios[first : first + BATCH]
            # onnx-asr types its input as a list of a union, which a list of arrays is not.
            waves = cast("list[Any]", batch)
            for audio, result in zip(batch, self._asr.recognize(waves), strict=True):
                out.append(_segments(result, audio.size / 16_000))
                done += audio.size / 16_000
            progress(done)
        return out

    def parameters(self) -> dict[str, Any]:
        return {
            "model_type": self.model_type,
            "onnxruntime": self.onnxruntime_version,
            "device": "cpu",
            "compute_type": "float32",
            "decoding": "greedy",
            "beam_size": 1,
            "word_timestamps": True,
            "timestamps": "token",
            "workers": self.workers,
            "threads": self.threads,
        }


def _segments(result: Any, length: float) -> list[Segment]:
    """One region's result → one segment whose words are built from token times."""
    tokens = list(result.tokens or [])
    times = list(result.timestamps or [])
    logprobs = list(result.logprobs or [0.0] * len(tokens))
    words: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for token, at, logprob in zip(tokens, times, logprobs, strict=False):
        starts_word = current is None or token.startswith(" ")
        text = token.strip() if starts_word else token
        if not text:
            continue
        if starts_word:
            current = {"word": text, "start": at, "end": at, "logprobs": []}
            words.append(current)
        else:
            assert current is not None
            current["word"] += text
        current["end"] = at + TOKEN_SECONDS
        current["logprobs"].append(float(logprob))
    for index, word in enumerate(words):
        following = words[index + 1]["start"] if index + 1 < len(words) else length
        word["end"] = min(max(word["end"], word["start"]), max(following, word["start"]), length)
        mean = sum(word["logprobs"]) / max(1, len(word["logprobs"]))
        word["probability"] = math.exp(min(0.0, mean))
        del word["logprobs"]
    text = str(result.text or "").strip()
    if not text and not words:
        return []
    start = words[0]["start"] if words else 0.0
    end = words[-1]["end"] if words else length
    return [{"start": start, "end": end, "text": text, "words": words}]
