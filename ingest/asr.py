"""Speech engines from settings: which engine per language, where its model is, whether
transcription is set up at all, and how many transcriptions a host runs at once.

`ingest.media` engines take paths and numbers; this module reads `IngestSettings` and
keeps each loaded engine warm for the life of the worker process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.config import AsrEngine, IngestSettings
from ingest.errors import NotConfigured
from ingest.media.model_store import DEFAULT
from ingest.media.transcribe import FALLBACK_TEMPERATURES, Engine
from ingest.media.vad import VadSettings

CT2_HINT = (
    "install the default model with `make run` (or `dalel models install`), or set "
    "DALEL_WHISPER_DIR to a CTranslate2 Whisper folder; nothing is downloaded"
)
ONNX_HINT = "set DALEL_ONNX_ASR_DIR to an onnx-asr model folder (and DALEL_ONNX_ASR_MODEL)"


@dataclass(frozen=True, slots=True)
class Status:
    """Whether an engine can run here, and which setting an administrator would change."""

    engine: str
    configured: bool
    setting: str
    detail: str


def cores() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def ct2_folder(settings: IngestSettings) -> Path:
    """The CTranslate2 model folder the settings point at (it may not exist)."""
    if settings.whisper_dir:
        base = Path(settings.whisper_dir)
        if (base / "model.bin").is_file() or not settings.whisper_model:
            return base
        return base / settings.whisper_model
    name = (
        settings.whisper_model
        if settings.whisper_model and "/" not in settings.whisper_model
        else DEFAULT.name
    )
    return settings.model_dir / name


def _whisper_candidates(settings: IngestSettings) -> list[Path]:
    # A light look (no torch import) for the status shown by the API process.
    model = settings.whisper_model
    if not model:
        return []
    names = [model if model.endswith(".pt") else f"{model}.pt"]
    names += {"large": ["large-v3.pt"], "turbo": ["large-v3-turbo.pt"]}.get(model, [])
    if Path(model).is_absolute():
        return [Path(model)]
    folders = [d for d in (settings.whisper_dir, settings.model_dir) if d]
    stem = Path(names[0]).stem
    return [Path(f) / n for f in folders for n in names] + [
        Path(f) / stem / n for f in folders for n in names
    ]


def status(settings: IngestSettings, engine: AsrEngine) -> Status:
    """Whether `engine` has a model on this server (without loading anything)."""
    if engine == "ctranslate2":
        folder = ct2_folder(settings)
        return Status(engine, (folder / "model.bin").is_file(), "DALEL_WHISPER_DIR", str(folder))
    if engine == "openai-whisper":
        found = [c for c in _whisper_candidates(settings) if c.is_file()]
        detail = str(found[0]) if found else settings.whisper_model or "(no model named)"
        return Status(engine, bool(found), "DALEL_WHISPER_MODEL", detail)
    onnx_folder = settings.onnx_asr_dir
    ok = bool(onnx_folder) and Path(str(onnx_folder)).is_dir()
    return Status(engine, ok, "DALEL_ONNX_ASR_DIR", str(onnx_folder or "(unset)"))


def transcription_status(settings: IngestSettings) -> Status:
    """The state shown on items: configured when the default engine has its model."""
    return status(settings, settings.asr_engine)


def vad_settings(settings: IngestSettings) -> VadSettings:
    return VadSettings(
        enabled=settings.asr_vad,
        threshold=settings.asr_vad_threshold,
        min_silence_ms=settings.asr_vad_min_silence_ms,
        speech_pad_ms=settings.asr_vad_speech_pad_ms,
    )


def workers(settings: IngestSettings) -> int:
    return settings.asr_workers or min(2, cores())


_engines: dict[tuple[Any, ...], Engine] = {}
_lock = threading.Lock()


def load(settings: IngestSettings, name: AsrEngine) -> Engine:
    """The engine `name` as the settings configure it, loaded once per process."""
    found = status(settings, name)
    if not found.configured:
        raise NotConfigured(
            "transcription is not set up on this server: the %(engine)s engine has no model "
            "(%(detail)s); set %(setting)s",
            engine=name,
            detail=found.detail,
            setting=found.setting,
        )
    options = dict(settings.whisper_decode_options)
    beam = int(options.pop("beam_size", settings.asr_beam_size))
    temperature = tuple(options.pop("temperature", FALLBACK_TEMPERATURES))
    key = (name, found.detail, settings.whisper_model, settings.onnx_asr_model,
           settings.asr_compute_type, beam, temperature, repr(sorted(options.items())),
           workers(settings), settings.asr_threads)  # fmt: skip
    with _lock:
        if key not in _engines:
            _engines[key] = _build(settings, name, beam, temperature, options)
        return _engines[key]


def _build(
    settings: IngestSettings,
    name: AsrEngine,
    beam: int,
    temperature: tuple[float, ...],
    options: dict[str, Any],
) -> Engine:
    if name == "ctranslate2":
        from ingest.media.engine_ct2 import Ctranslate2Engine

        return Ctranslate2Engine(
            folder=ct2_folder(settings), hint=CT2_HINT, compute_type=settings.asr_compute_type,
            workers=workers(settings), threads=settings.asr_threads, beam_size=beam,
            temperature=temperature, options=options,
        )  # fmt: skip
    if name == "openai-whisper":
        from ingest.media.engine_whisper import OpenaiWhisperEngine

        return OpenaiWhisperEngine(
            model=settings.whisper_model, directories=[settings.whisper_dir, settings.model_dir],
            threads=settings.asr_threads * workers(settings), beam_size=beam,
            temperature=temperature, options=options,
        )  # fmt: skip
    from ingest.media.engine_onnx import OnnxAsrEngine

    return OnnxAsrEngine(
        folder=Path(str(settings.onnx_asr_dir)), model_type=settings.onnx_asr_model,
        hint=ONNX_HINT, workers=workers(settings), threads=settings.asr_threads,
    )  # fmt: skip


@contextlib.contextmanager
def host_slot(
    settings: IngestSettings, *, waiting: Callable[[], None] | None = None
) -> Iterator[int]:
    """Hold one of this host's transcription slots for the block (waits for a free one).

    Two transcriptions on a 2-core worker each get half the cores and both finish late;
    one after the other, the first finishes at full speed. The slots are lock files in
    the data directory, so every worker process that shares it takes turns. `waiting`
    is called about once a second while all slots are taken (it may raise to give up).
    """
    count = settings.asr_concurrency or max(1, cores() // 2)
    folder = Path(settings.data_dir).resolve() / "run"
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        for index in range(count):
            handle = (folder / f"asr-slot-{index}.lock").open("a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                yield index
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
            return
        if waiting:
            waiting()
        time.sleep(1.0)
