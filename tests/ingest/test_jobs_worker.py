"""`dalel worker` (ingest.runtime.worker) refuses clearly when it has nothing to work."""

from __future__ import annotations

import pytest

from ingest.config import get_ingest_settings
from ingest.runtime import worker


@pytest.fixture(autouse=True)
def _fresh_settings():  # type: ignore[no-untyped-def]
    get_ingest_settings.cache_clear()
    yield
    get_ingest_settings.cache_clear()


def test_without_redis(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:  # type: ignore[type-arg]
    monkeypatch.delenv("DALEL_REDIS_URL", raising=False)
    assert worker.main([]) == 2
    assert "DALEL_REDIS_URL is not set" in capsys.readouterr().err


def test_unknown_queue(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:  # type: ignore[type-arg]
    monkeypatch.setenv("DALEL_REDIS_URL", "redis://127.0.0.1:6379/15")
    assert worker.main(["--queues", "fast", "bogus"]) == 2
    assert "unknown queue(s) bogus" in capsys.readouterr().err
