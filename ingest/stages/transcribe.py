"""Stages `transcribe` and `asr` (asr queue): speech to text with word timestamps.
`transcribe` runs on every recording in the configured language (or with detection);
`asr` transcribes one item again in a language a reviewer chose (the job's subject is
the language code), because detection often takes Kazakh speech for Russian.

The engine is chosen per language (`DALEL_ASR_ENGINE_KK`, `_RU`, `_EN`; see
`ingest.asr`); with `auto` the default engine detects the language first. The machine
transcript becomes the next version of the item's transcript, a `transcript`
derivative (JSON) and one search entry per segment. Without a model the job ends as
"not configured" (`ingest.asr.NotConfigured`), naming the setting; nothing else in
the pipeline is affected.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlmodel import select

from custody.events import utc_now
from ingest import asr
from ingest.config import AsrEngine, IngestSettings
from ingest.media import transcribe as speech
from ingest.media.model_store import MANIFEST, read_manifest
from ingest.models import Transcript, TranscriptOrigin
from ingest.runtime.stages import Context, Stage
from ingest.search import replace_entries


def _version(package: str) -> str:
    # Package metadata, not an import: the API process need not load torch or CTranslate2.
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def _model_identity(settings: IngestSettings, engine: str) -> str:
    if engine == "ctranslate2":
        folder = asr.ct2_folder(settings)
        if (folder / MANIFEST).is_file():
            try:
                return read_manifest(folder).sha256
            except Exception:  # an unreadable manifest: the path still identifies it
                return str(folder)
        return str(folder)
    if engine == "onnx-asr":
        return f"{settings.onnx_asr_dir}:{settings.onnx_asr_model}"
    return f"{settings.whisper_model}:{settings.whisper_dir or ''}"


def fingerprint(settings: IngestSettings) -> dict[str, Any]:
    """Tool versions and settings that change a transcript (no model is loaded)."""
    engines = {lang: settings.engine_for(lang) for lang in speech.LANGUAGES}
    used = sorted({settings.asr_engine, *engines.values()})
    return {
        "engines": engines,
        "detector": settings.asr_engine,
        "versions": {
            name: _version({"ctranslate2": "faster-whisper"}.get(name, name)) for name in used
        },
        "models": {name: _model_identity(settings, name) for name in used},
        "language": settings.whisper_language,
        "chunk": settings.whisper_chunk_seconds,
        "decode": settings.whisper_decode_options,
        "compute": settings.asr_compute_type,
        "beam": settings.asr_beam_size,
        "vad": asr.vad_settings(settings).public(),
    }


def segment_entries(segments: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Search entries: one per segment, located by its start and end in seconds."""
    return [
        (str(seg.get("text") or ""), {"start": seg.get("start"), "end": seg.get("end")})
        for seg in segments
    ]


def fingerprint_chosen(settings: IngestSettings) -> dict[str, Any]:
    """As `fingerprint`, without the configured language: the job's subject names it."""
    return {k: v for k, v in fingerprint(settings).items() if k != "language"}


def run_chosen(ctx: Context) -> dict[str, Any]:
    return run(ctx, language=ctx.job.subject or "auto")


def _detector(settings: IngestSettings) -> AsrEngine:
    # onnx-asr models have no language token: Whisper (the default model) detects.
    return "ctranslate2" if settings.asr_engine == "onnx-asr" else settings.asr_engine


def run(ctx: Context, *, language: str | None = None) -> dict[str, Any]:
    settings = ctx.settings
    language = language or settings.whisper_language
    auto = language in {"", "auto"}
    # Fails first (NotConfigured) before reading anything.
    first = asr.load(settings, _detector(settings) if auto else settings.engine_for(language))
    vad = asr.vad_settings(settings)
    # Waiting for the host's transcription slot still notices a cancellation.
    slot = asr.host_slot(settings, waiting=lambda: ctx.progress(0.0))
    with slot, ctx.materialize() as (_item, _blob, path):
        detection = None
        engine = first
        if auto:
            language, detection = speech.detect_language(audio=path, engine=first, vad=vad)
            engine = asr.load(settings, settings.engine_for(language))
        result = speech.transcribe(
            audio=path,
            engine=engine,
            language=language,
            chunk_seconds=settings.whisper_chunk_seconds,
            vad=vad,
            on_progress=ctx.progress,
            detection=detection,
        )
    derivation = result["derivation"]
    body = {k: result[k] for k in ("language", "duration", "segments")}
    payload = json.dumps({**body, "derivation": derivation}, ensure_ascii=False, indent=1)
    derivative = ctx.derive(
        source=payload.encode(),
        name=f"{Path(ctx.item.original_name).stem or 'item'}.transcript.json",
        derivative_kind="transcript",
        derivation=derivation,
    )
    # Idempotent by derivative: a retried job finds its version; a re-run with another
    # model or language (a new job, a new derivative) adds the next machine version.
    versions = ctx.session.exec(select(Transcript).where(Transcript.item_id == ctx.item.id)).all()
    if not any(v.derivative_id == derivative.id for v in versions):
        ctx.session.add(
            Transcript(
                item_id=ctx.item.id,
                version=max((v.version for v in versions), default=0) + 1,
                origin=TranscriptOrigin.MACHINE,
                language=result["language"],
                duration=result["duration"],
                segments=result["segments"],
                derivative_id=derivative.id,
                derivation=derivation,
                created_at=utc_now(),
            )
        )
        replace_entries(
            session=ctx.session,
            case_id=ctx.item.case_id,
            item_id=ctx.item.id,
            source="transcript",
            entries=segment_entries(result["segments"]),
            language=result["language"],  # detected (or chosen): stems follow it
        )
    ctx.session.commit()
    return {
        "transcript": derivative.id,
        "language": result["language"],
        "segments": len(result["segments"]),
    }


STAGES = [
    Stage(name="transcribe", queue="asr", run=run, fingerprint=fingerprint, cancellable=True),
    Stage(
        name="asr",
        queue="asr",
        run=run_chosen,
        fingerprint=fingerprint_chosen,
        per_subject=True,
        cancellable=True,
    ),
]
