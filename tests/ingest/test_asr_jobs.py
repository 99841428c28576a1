"""Transcription jobs in the running application: an engine per language, progress,
cancelling (queued, or waiting for the host's slot), and "not set up" as a calm state."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest import asr
from ingest.runtime import jobs
from tests.app_kit import Api, make_team
from tests.ingest.conftest_integration import build_api, ingest_settings
from tests.web.conftest import sign_in

pytest_plugins = ["tests.ingest.conftest_integration"]


def _upload(api: Api, team: dict, path: Path, name: str) -> str:
    response = api.upload(team["case"]["id"], team["prosecutor"], path.read_bytes(), name=name)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _jobs(api: Api, team: dict, item: str) -> list[dict]:
    response = api.client.get(f"/api/v1/items/{item}/jobs", headers=team["prosecutor"])
    assert response.status_code == 200
    return list(response.json())


def _job(api: Api, team: dict, item: str, stage: str = "transcribe") -> dict:
    return [j for j in _jobs(api, team, item) if j["stage"] == stage][-1]


def _latest_derivation(api: Api, team: dict, item: str) -> dict:
    derived = api.client.get(f"/api/v1/items/{item}/derivatives", headers=team["prosecutor"])
    return [d for d in derived.json() if d["derivative_kind"] == "transcript"][-1]["derivation"]


@pytest.fixture()
def kazakh_onnx_api(
    request: pytest.FixtureRequest, tmp_path: Path, tiny_whisper_dir: Path, tiny_onnx_dir: Path
) -> Iterator[Api]:
    settings = ingest_settings(
        tiny_whisper_dir, whisper_language="kk", asr_engine_kk="onnx-asr",
        onnx_asr_dir=tiny_onnx_dir,
    )  # fmt: skip
    yield from build_api(request, tmp_path, "sqlite", settings)


def test_each_language_goes_to_its_engine(kazakh_onnx_api: Api, speech: dict[str, Path]) -> None:
    api = kazakh_onnx_api
    team = make_team(api)
    item = _upload(api, team, speech["kk"], "жауап.wav")
    job = _job(api, team, item)
    assert job["state"] == "done" and job["progress"] == 1.0
    derivation = _latest_derivation(api, team, item)
    assert derivation["engine"] == "onnx-asr" and derivation["tool"] == "onnx-asr"
    assert derivation["parameters"]["language"] == "kk"
    assert len(derivation["model_sha256"]) == 64

    queued = api.client.post(
        f"/api/v1/items/{item}/transcribe", json={"language": "ru"}, headers=team["investigator"]
    )
    assert queued.status_code == 202 and queued.json()["state"] == "done"
    derivation = _latest_derivation(api, team, item)
    assert derivation["engine"] == "ctranslate2" and derivation["tool"] == "faster-whisper"
    assert derivation["parameters"]["compute_type"] == "int8"
    latest = api.client.get(f"/api/v1/items/{item}/transcript", headers=team["prosecutor"])
    assert latest.json()["version"] == 2 and latest.json()["language"] == "ru"


@pytest.fixture()
def auto_onnx_api(
    request: pytest.FixtureRequest, tmp_path: Path, tiny_whisper_dir: Path, tiny_onnx_dir: Path
) -> Iterator[Api]:
    settings = ingest_settings(
        tiny_whisper_dir, asr_engine_kk="onnx-asr", asr_engine_ru="onnx-asr",
        onnx_asr_dir=tiny_onnx_dir,
    )  # fmt: skip
    yield from build_api(request, tmp_path, "sqlite", settings)


def test_detected_language_chooses_the_engine(auto_onnx_api: Api, speech: dict[str, Path]) -> None:
    api = auto_onnx_api
    team = make_team(api)
    item = _upload(api, team, speech["ru"], "звонок.wav")
    derivation = _latest_derivation(api, team, item)
    detection = derivation["language_detection"]
    language = derivation["parameters"]["language"]
    # The default (Whisper) engine detected it; the language's own engine transcribed it.
    assert detection["engine"] == "ctranslate2" and language in detection["candidates"]
    assert derivation["engine"] == ("ctranslate2" if language == "en" else "onnx-asr")


@pytest.fixture()
def no_model_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    yield from build_api(request, tmp_path, "sqlite", ingest_settings(None))


def test_not_set_up_is_a_state_on_the_pages(no_model_api: Api, speech: dict[str, Path]) -> None:
    api = no_model_api
    team = make_team(api)
    item = _upload(api, team, speech["en"], "call.wav")
    assert _job(api, team, item)["state"] == "not_configured"

    sign_in(api, "prosecutor")
    api.client.cookies.set("dalel_lang", "en")
    page = api.client.get(f"/items/{item}").text
    assert "Transcription is not set up on this server." in page
    assert "DALEL_WHISPER_DIR" not in page  # staff are told it, not how to fix it
    assert "DALEL_WHISPER_DIR" not in api.client.get("/cases").text
    api.client.cookies.set("dalel_lang", "kk")
    assert "Бұл серверде транскрипция бапталмаған." in api.client.get(f"/items/{item}").text

    sign_in(api, "admin")
    api.client.cookies.set("dalel_lang", "en")
    home = api.client.get("/cases").text
    assert "Transcription is not set up on this server." in home and "DALEL_WHISPER_DIR" in home
    admin_view = api.client.get(f"/api/v1/items/{item}/jobs", headers=team["admin"]).json()
    waiting = next(j for j in admin_view if j["stage"] == "transcribe")
    assert waiting["result"] == {"setting": "DALEL_WHISPER_DIR"}


@pytest.fixture()
def thread_api(
    request: pytest.FixtureRequest, tmp_path: Path, tiny_whisper_dir: Path
) -> Iterator[Api]:
    settings = ingest_settings(tiny_whisper_dir, jobs="thread", asr_concurrency=1)
    yield from build_api(request, tmp_path, "sqlite", settings)


def _wait(
    api: Api, team: dict, item: str, states: set[str], timeout: float = 60, ended: bool = False
) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [j for j in _jobs(api, team, item) if j["stage"] == "transcribe"]
        if found and found[-1]["state"] in states and (found[-1]["finished_at"] or not ended):
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"transcribe never reached {states}: {found}")


def test_a_transcription_waiting_for_the_host_can_be_cancelled(
    thread_api: Api, speech: dict[str, Path]
) -> None:
    api = thread_api
    team = make_team(api)
    # Another transcription holds the host's only slot: this one waits, running.
    with asr.host_slot(jobs.runtime().settings):
        item = _upload(api, team, speech["en"], "long-call.wav")
        running = _wait(api, team, item, {"running"})
        assert running["progress"] == 0.0
        csrf = sign_in(api, "investigator")
        api.client.cookies.set("dalel_lang", "en")
        page = api.client.get(f"/items/{item}").text
        assert "Cancel the transcription" in page and "0 % of the audio decoded" in page
        done = api.client.post(f"/items/{item}/jobs/transcribe/cancel", data={"csrf": csrf})
        assert done.status_code == 200 and done.url.path == f"/items/{item}"
        # The runner notices within about a second and records the end.
        stopped = _wait(api, team, item, {"cancelled"}, timeout=15, ended=True)
    assert stopped["finished_at"] and stopped["attempts"] == 1
    transcript = api.client.get(f"/api/v1/items/{item}/transcript", headers=team["prosecutor"])
    assert transcript.status_code == 404
    # Nothing to cancel now; a re-run starts it again and it finishes.
    again = api.client.post(
        f"/api/v1/items/{item}/jobs/transcribe/cancel", headers=team["prosecutor"]
    )
    assert again.status_code == 409 and "queued or running" in again.json()["detail"]
    rerun = api.client.post(f"/api/v1/items/{item}/jobs/transcribe/rerun", headers=team["admin"])
    assert rerun.status_code == 202
    assert _wait(api, team, item, {"done"})["progress"] == 1.0


@pytest.fixture()
def off_api(
    request: pytest.FixtureRequest, tmp_path: Path, tiny_whisper_dir: Path
) -> Iterator[Api]:
    yield from build_api(request, tmp_path, "sqlite", ingest_settings(tiny_whisper_dir, jobs="off"))


def test_a_queued_transcription_cancelled_never_runs(off_api: Api, speech: dict[str, Path]) -> None:
    api = off_api
    team = make_team(api)
    item = _upload(api, team, speech["en"], "call.wav")
    jobs.run_job(_job(api, team, item, "detect")["id"])  # detection queues transcription
    queued = _job(api, team, item)
    assert queued["state"] == "queued"
    refused = api.client.post(
        f"/api/v1/items/{item}/jobs/transcribe/cancel", headers=team["officer"]
    )
    assert refused.status_code == 403
    cancelled = api.client.post(
        f"/api/v1/items/{item}/jobs/transcribe/cancel", headers=team["prosecutor"]
    )
    assert cancelled.status_code == 202 and cancelled.json()["state"] == "cancelled"
    assert jobs.run_job(queued["id"]) == {"cancelled": True}  # the worker picks it up: no run
    assert _job(api, team, item)["state"] == "cancelled"
    transcript = api.client.get(f"/api/v1/items/{item}/transcript", headers=team["prosecutor"])
    assert transcript.status_code == 404
    unknown = api.client.post(f"/api/v1/items/{item}/jobs/nope/cancel", headers=team["prosecutor"])
    assert unknown.status_code == 404
