"""After `dalel models install` the transcriptions that waited for a model are queued
again in bulk (issue 16): on a fresh server a recording's transcription ends "not
configured"; installing the default model from its packages queues it again, and it is
transcribed by the model just installed, with no re-run item by item."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.cli_models import cmd_install, cmd_requeue
from tests.app_kit import Api, make_team
from tests.ingest.conftest_integration import build_api, ingest_settings

pytest_plugins = ["tests.ingest.conftest_integration"]


@pytest.fixture()
def fresh_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    """No model anywhere: DALEL_WHISPER_DIR unset, an empty models folder."""
    settings = ingest_settings(None, models_dir=tmp_path / "models", data_dir=tmp_path)
    yield from build_api(request, tmp_path, "sqlite", settings)


def _transcribe_jobs(api: Api, team: dict, item: str) -> list[dict]:
    response = api.client.get(f"/api/v1/items/{item}/jobs", headers=team["prosecutor"])
    assert response.status_code == 200
    return [j for j in response.json() if j["stage"] == "transcribe"]


def test_installing_the_model_queues_the_waiting_transcriptions(
    fresh_api: Api, speech: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    api = fresh_api
    team = make_team(api)
    items = []
    for language, name in (("en", "call-1.wav"), ("ru", "call-2.wav")):
        response = api.upload(
            team["case"]["id"], team["prosecutor"], speech[language].read_bytes(), name=name
        )
        assert response.status_code == 201, response.text
        items.append(response.json()["id"])
    for item in items:
        assert [j["state"] for j in _transcribe_jobs(api, team, item)] == ["not_configured"]
    # Nothing to do yet: a re-queue without a model ends "not configured" again.
    assert cmd_requeue(argparse.Namespace(run=False), api.settings) == 0
    for item in items:
        assert [j["state"] for j in _transcribe_jobs(api, team, item)] == ["not_configured"]

    monkeypatch.setenv("DALEL_MODELS_DIR", str(tmp_path / "models"))  # the command's setting
    assert cmd_install(argparse.Namespace(no_requeue=False), api.settings) == 0
    assert "2 transcription(s) waiting for a model queued again" in capsys.readouterr().out
    for item in items:
        jobs = _transcribe_jobs(api, team, item)
        assert [j["state"] for j in jobs] == ["done"], jobs  # the old row made way
        derived = api.client.get(f"/api/v1/items/{item}/derivatives", headers=team["prosecutor"])
        transcripts = [d for d in derived.json() if d["derivative_kind"] == "transcript"]
        assert len(transcripts) == 1
        assert transcripts[0]["derivation"]["model"] == "whisper-base"
        transcript = api.client.get(f"/api/v1/items/{item}/transcript", headers=team["prosecutor"])
        assert transcript.status_code == 200
    # Done jobs are not queued again.
    assert cmd_requeue(argparse.Namespace(run=False), api.settings) == 0
