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
AsrEngine = Literal["ctranslate2", "openai-whisper", "onnx-asr"]


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
    # Jobs are never stranded (ingest.runtime.sweeper, in `dalel serve` and `dalel worker`):
    # how often queued jobs RQ lost and running jobs whose process died are looked for,
    # and how long a running job's keepalive outlives its process.
    sweep_seconds: float = Field(default=5, ge=0)
    redis_timeout_seconds: float = Field(default=5, gt=0)  # connect, and each reply
    job_alive_seconds: int = Field(default=15, ge=3)

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

    # Installed speech models live in $DALEL_DATA_DIR/models (see ingest.media.model_store).
    data_dir: Path = Path("./.dalel")
    models_dir: Path | None = None

    # Speech recognition: one engine per language; `asr_engine` also detects the language.
    asr_engine: AsrEngine = "ctranslate2"
    asr_engine_kk: AsrEngine | None = None
    asr_engine_ru: AsrEngine | None = None
    asr_engine_en: AsrEngine | None = None
    # Whisper engines. ctranslate2: DALEL_WHISPER_DIR is a CTranslate2 model folder (or a
    # folder of them, DALEL_WHISPER_MODEL naming one); unset, the installed models are used
    # (`whisper-base` unless DALEL_WHISPER_MODEL names another). openai-whisper: an
    # official name or a .pt path, looked for in DALEL_WHISPER_DIR and the models folder.
    whisper_model: str = ""
    whisper_dir: Path | None = None
    whisper_language: str = "auto"  # auto | kk | ru | en
    whisper_chunk_seconds: float = 600.0
    # Extra decoder options for whisper (e.g. {"beam_size": 5}); tests use sample_len.
    whisper_decode_options: dict[str, Any] = Field(default_factory=dict)
    asr_compute_type: str = "int8"  # CTranslate2 on CPU: int8 weights, float32 activations
    asr_beam_size: int = 1  # greedy; 5 is Whisper's published setting, ~1.5-2x the time
    asr_workers: int = 0  # pieces of one file decoded at once; 0: min(2, cores)
    asr_threads: int = 1  # threads per piece (spin-waiting threads lose on shared cores)
    asr_concurrency: int = 0  # transcriptions at once on this host; 0: max(1, cores // 2)
    asr_vad: bool = True  # decode only where Silero VAD hears speech
    asr_vad_threshold: float = 0.5
    asr_vad_min_silence_ms: int = 2000
    asr_vad_speech_pad_ms: int = 400
    # onnx-asr engine: a model folder the operator provides (GigaAM, Parakeet, ...) and its
    # onnx-asr model type (e.g. "gigaam-v3-ctc"); empty: the folder's config.json says.
    onnx_asr_dir: Path | None = None
    onnx_asr_model: str = ""

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
    # Quotas: child items one archive may become, and one person's uploads may become in
    # an hour (every child is processed: detection, metadata, OCR, ...). Past either the
    # archive is refused whole, the refusal recorded in its custody chain; raise the
    # limit and re-run `unpack` for a large phone extraction.
    archive_max_children: int = 2_000
    children_per_user_hour: int = 10_000
    # Zone of the phone/PC that wrote a chat export (WhatsApp has local times only).
    chat_utc_offset_hours: float = 5.0

    @property
    def model_dir(self) -> Path:
        """Where `dalel models` installs and imports speech models."""
        return (self.models_dir or self.data_dir / "models").resolve()

    def engine_for(self, language: str) -> AsrEngine:
        """The speech engine configured for a language (kk, ru, en; others: the default)."""
        chosen = getattr(self, f"asr_engine_{language}", None) if language.isalpha() else None
        return chosen or self.asr_engine


@lru_cache
def get_ingest_settings() -> IngestSettings:
    """Process-wide ingest settings (tests pass their own to `ingest.runtime.jobs.configure`)."""
    return IngestSettings()
