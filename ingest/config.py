"""Ingest settings, read from the environment (prefix DALEL_, like the vault's).

Kept apart from `evidence.config.Settings` because the vault must not know about media
tools; both classes read the same environment, so one `.env` configures everything.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

JobsMode = Literal["auto", "rq", "thread", "sync", "off"]


class IngestSettings(BaseSettings):
    """Media processing: job backend, tools, models and guards."""

    model_config = SettingsConfigDict(env_prefix="DALEL_", extra="ignore")

    # auto: RQ when DALEL_REDIS_URL is set, else a thread pool in the API process.
    # sync runs each job inline (tests); off records jobs without running them.
    jobs: JobsMode = "auto"
    redis_url: str | None = None
    queue_prefix: str = Field(default="dalel", pattern=r"^[A-Za-z0-9_-]+$")
    job_retries: int = 3
    retry_intervals: list[int] = Field(default_factory=lambda: [10, 60, 300])
    thread_workers_per_queue: int = 1

    # Per-stage time limits in seconds; media and ASR run for hours on a bodycam shift.
    timeout_detect: int = 600
    timeout_thumbnail: int = 900
    timeout_proxy: int = 12 * 3600
    timeout_transcribe: int = 24 * 3600
    timeout_asr: int = 24 * 3600  # transcribing again in a chosen language
    timeout_ocr: int = 6 * 3600
    timeout_unpack: int = 6 * 3600
    timeout_clip: int = 2 * 3600
    timeout_office: int = 3600

    whisper_model: str = ""
    whisper_dir: Path | None = None
    whisper_language: str = "auto"  # auto | kk | ru | en
    whisper_chunk_seconds: float = 600.0
    # Extra decoder options for whisper (e.g. {"beam_size": 5}); tests use sample_len.
    whisper_decode_options: dict[str, Any] = Field(default_factory=dict)

    ocr_languages: str = "eng+rus+kaz"  # order matters: see FINDINGS (Latin look-alikes)
    ocr_dpi: int = 200
    proxy_height: int = 720
    proxy_preset: str = "veryfast"
    image_max_side: int = 2048
    thumbnail_side: int = 320

    # PEM bundle of C2PA trust anchors; without it a good signature is "Valid", not "Trusted".
    c2pa_trust_anchors: Path | None = None

    archive_max_entries: int = 100_000
    archive_max_total_size: int = 64 * 2**30
    archive_max_member_size: int = 32 * 2**30
    archive_max_ratio: float = 200.0
    archive_max_depth: int = 3
    # Zone of the phone/PC that wrote a chat export (WhatsApp has local times only).
    chat_utc_offset_hours: float = 5.0


@lru_cache
def get_ingest_settings() -> IngestSettings:
    """Process-wide ingest settings (tests pass their own to `ingest.jobs.configure`)."""
    return IngestSettings()
