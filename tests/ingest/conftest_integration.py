"""Fixtures for the ingest integration tests: the shared application (`create_app`
wires ingest in) with its jobs run inline and every upload processed, on SQLite and
PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from evidence.config import Settings
from ingest.config import IngestSettings
from ingest.runtime import jobs, queue
from tests.app_kit import Api


def ingest_settings(whisper_dir: Path | None, **overrides: object) -> IngestSettings:
    """Inline jobs, the tiny random Whisper with short decodes, no retry waits."""
    values: dict[str, object] = {
        "jobs": "sync",
        "redis_url": None,
        "whisper_model": "tiny" if whisper_dir else "",
        "whisper_dir": whisper_dir,
        "whisper_decode_options": {"sample_len": 8},
        "job_retries": 1,
        "retry_intervals": [0],
    }
    values.update(overrides)
    return IngestSettings(**values)  # type: ignore[arg-type]


def build_api(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str, ingest: IngestSettings
) -> Iterator[Api]:
    """The shared app (`make_api`) on `backend` ("sqlite" | "postgresql"), its jobs run as
    `ingest` says, every upload processed."""
    api = request.getfixturevalue("make_api")(
        backend, max_upload_bytes=Settings.model_fields["max_upload_bytes"].default
    )
    if ingest.models_dir is None:  # never the developer's ./.dalel/models
        ingest = ingest.model_copy(update={"data_dir": tmp_path, "models_dir": tmp_path / "models"})
    jobs.configure(engine=api.engine, store=api.client.app.state.store, settings=ingest)  # type: ignore[attr-defined]
    try:
        yield api
    finally:
        queue.shutdown(wait=True)
        jobs.reset()


@pytest.fixture(params=["sqlite", "postgresql"])
def ingest_api(
    request: pytest.FixtureRequest, tmp_path: Path, tiny_whisper_dir: Path
) -> Iterator[Api]:
    yield from build_api(request, tmp_path, request.param, ingest_settings(tiny_whisper_dir))


@pytest.fixture()
def sqlite_api(
    request: pytest.FixtureRequest, tmp_path: Path, tiny_whisper_dir: Path
) -> Iterator[Api]:
    yield from build_api(request, tmp_path, "sqlite", ingest_settings(tiny_whisper_dir))


WHATSAPP_CHAT = (
    "[02.01.23, 10:11:12] Иван Петров: Встречаемся у рынка в десять\n"
    "[13.01.23, 22:00:01] Иван Петров: \u200e<attached: 00000012-PHOTO-2023-01-13-22-00-01.jpg>\n"
    "[13.01.23, 22:01:00] Айгүл: Келісемін, машина дайын\n"
)


def whatsapp_zip(photo: bytes) -> bytes:
    """A WhatsApp export zipped in a folder, plus two members an archive must refuse."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("WhatsApp Chat - Иван/_chat.txt", WHATSAPP_CHAT)
        zf.writestr("WhatsApp Chat - Иван/00000012-PHOTO-2023-01-13-22-00-01.jpg", photo)
        zf.writestr("../../etc/cron.d/evil", "* * * * * root sh")
        link = zipfile.ZipInfo("WhatsApp Chat - Иван/link")
        link.external_attr = (0o120777 << 16) | 0x20  # a symlink entry
        zf.writestr(link, "/etc/passwd")
    return buf.getvalue()
