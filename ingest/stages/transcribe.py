"""Stages `transcribe` and `asr` (asr queue): Whisper from a local checkpoint, word
timestamps. `transcribe` runs on every recording in the configured language (or with
detection); `asr` transcribes one item again in a language a reviewer chose (the job's
subject is the language code), because detection often takes Kazakh speech for Russian.

The machine transcript becomes version 1 of the item's transcript, a `transcript`
derivative (JSON) and one search entry per segment. Without a configured model the
job fails with an error naming DALEL_WHISPER_MODEL / DALEL_WHISPER_DIR; nothing else
in the pipeline is affected.
"""

from __future__ import annotations

import json
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlmodel import select

from custody.events import utc_now
from ingest.config import IngestSettings
from ingest.media import transcribe as asr
from ingest.models import Transcript, TranscriptOrigin
from ingest.search import replace_entries
from ingest.stages import Context, Stage

_models: dict[tuple[str, str], asr.LoadedModel] = {}
_lock = threading.Lock()


def model_for(settings: IngestSettings) -> asr.LoadedModel:
    """The configured model, loaded once per process (a worker keeps it warm)."""
    key = (settings.whisper_model, str(settings.whisper_dir or ""))
    with _lock:
        if key not in _models:
            _models[key] = asr.load_model(
                model=settings.whisper_model, directory=settings.whisper_dir
            )
        return _models[key]


def fingerprint(settings: IngestSettings) -> dict[str, Any]:
    # Package metadata, not `import whisper`: the API process need not load torch.
    try:
        version = metadata.version("openai-whisper")
    except metadata.PackageNotFoundError:
        version = "missing"
    return {
        "whisper": version,
        "model": settings.whisper_model,
        "dir": str(settings.whisper_dir or ""),
        "language": settings.whisper_language,
        "chunk": settings.whisper_chunk_seconds,
        "decode": settings.whisper_decode_options,
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


def run(ctx: Context, *, language: str | None = None) -> dict[str, Any]:
    loaded = model_for(ctx.settings)  # fails first (ModelMissing) before reading anything
    language = language or ctx.settings.whisper_language
    with ctx.materialize() as (_item, _blob, path):
        result = asr.transcribe(
            audio=path,
            model=loaded,
            language=None if language == "auto" else language,
            chunk_seconds=ctx.settings.whisper_chunk_seconds,
            on_progress=ctx.progress,
            **ctx.settings.whisper_decode_options,
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
        )
    ctx.session.commit()
    return {
        "transcript": derivative.id,
        "language": result["language"],
        "segments": len(result["segments"]),
    }


STAGES = [
    Stage(name="transcribe", queue="asr", run=run, fingerprint=fingerprint),
    Stage(
        name="asr", queue="asr", run=run_chosen, fingerprint=fingerprint_chosen, per_subject=True
    ),
]
