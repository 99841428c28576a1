"""Jobs are safe to run twice: one row per stage, one derivative per output, retries
that resume after a crash, permanent failures recorded without retry."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from evidence.models import Item
from ingest.runtime import jobs
from ingest.runtime.models import Job, JobState
from tests.app_kit import Api, make_team
from tests.ingest.conftest_integration import build_api, ingest_settings

pytest_plugins = ["tests.ingest.conftest_integration"]


def _derived(api: Api, parent: str) -> list[Item]:
    with Session(api.engine) as session:
        return list(session.exec(select(Item).where(Item.parent_id == parent)))


def _job(api: Api, item_id: str, stage: str) -> Job:
    with Session(api.engine) as session:
        job = session.exec(select(Job).where(Job.item_id == item_id, Job.stage == stage)).one()
        session.expunge(job)
        return job


def _upload(api: Api, team: dict, data: bytes, name: str) -> str:
    response = api.upload(team["case"]["id"], team["prosecutor"], data, name=name)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_running_twice_makes_one_derivative(sqlite_api: Api, photo_jpeg: Path) -> None:
    api = sqlite_api
    team = make_team(api)
    item = _upload(api, team, photo_jpeg.read_bytes(), "photo.jpg")
    before = sorted(d.id for d in _derived(api, item))
    assert before
    job = _job(api, item, "thumbnail")
    # A worker that died after registering its outputs but before marking the job done:
    with Session(api.engine) as session:
        row = session.get(Job, job.id)
        assert row is not None
        row.state = JobState.RUNNING
        session.add(row)
        session.commit()
    jobs.run_job(job.id)
    jobs.run_job(job.id)  # and once more, already done: nothing happens
    assert sorted(d.id for d in _derived(api, item)) == before
    assert _job(api, item, "thumbnail").attempts == 2
    # The hook firing again queues nothing new; an explicit re-run reuses the outputs.
    assert jobs.submit(item_id=item, stage="detect") is None
    jobs.submit(item_id=item, stage="thumbnail", rerun=True)
    assert sorted(d.id for d in _derived(api, item)) == before
    with Session(api.engine) as session:
        assert len(session.exec(select(Job).where(Job.item_id == item)).all()) == 3


def test_crash_mid_job_is_retried_without_duplicates(
    sqlite_api: Api, photo_jpeg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.media import proxy

    api = sqlite_api
    team = make_team(api)
    real = proxy.image_thumbnail
    calls = {"n": 0}

    def flaky(**kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:  # after the web JPEG was registered
            raise RuntimeError("worker lost")
        return real(**kwargs)

    monkeypatch.setattr(proxy, "image_thumbnail", flaky)
    item = _upload(api, team, photo_jpeg.read_bytes(), "photo.jpg")
    job = _job(api, item, "thumbnail")
    assert job.state is JobState.DONE and job.attempts == 2
    kinds = sorted(d.derivative_kind or "" for d in _derived(api, item))
    assert kinds.count("proxy") == 1 and kinds.count("thumbnail") == 1


@pytest.fixture()
def no_model_api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    yield from build_api(request, tmp_path, "sqlite", ingest_settings(None))


def test_without_a_model_transcription_is_not_configured(
    no_model_api: Api, tone_wav: Path, tiny_whisper_dir: Path
) -> None:
    api = no_model_api
    team = make_team(api)
    item = _upload(api, team, tone_wav.read_bytes(), "call.wav")
    response = api.client.get(f"/api/v1/items/{item}/jobs", headers=team["prosecutor"])
    states = {j["stage"]: j for j in response.json()}
    assert states["proxy"]["state"] == "done"
    waiting = states["transcribe"]
    # A state, not a failure: not retried, the setting named for whoever fixes it.
    assert waiting["state"] == "not_configured" and waiting["attempts"] == 1
    assert "DALEL_WHISPER_DIR" in waiting["error"] and "not set up" in waiting["error"]
    assert waiting["result"] == {"setting": "DALEL_WHISPER_DIR"}
    assert (
        api.client.get(f"/api/v1/items/{item}/transcript", headers=team["prosecutor"]).status_code
        == 404
    )

    # Once the model is configured, an administrator re-runs the stage: a new job (the
    # settings changed), the first one stays in the history.
    rt = jobs.runtime()
    jobs.configure(engine=rt.engine, store=rt.store, settings=ingest_settings(tiny_whisper_dir))
    response = api.client.post(f"/api/v1/items/{item}/jobs/transcribe/rerun", headers=team["admin"])
    assert response.status_code == 202 and response.json()["state"] == "done"
    assert response.json()["id"] != waiting["id"]
    listed = api.client.get(f"/api/v1/items/{item}/jobs", headers=team["prosecutor"]).json()
    states_now = sorted(j["state"] for j in listed if j["stage"] == "transcribe")
    assert states_now == ["done", "not_configured"]
    transcript = api.client.get(f"/api/v1/items/{item}/transcript", headers=team["prosecutor"])
    assert transcript.status_code == 200 and transcript.json()["version"] == 1


@pytest.fixture()
def thread_api(
    request: pytest.FixtureRequest, tmp_path: Path, tiny_whisper_dir: Path
) -> Iterator[Api]:
    settings = ingest_settings(tiny_whisper_dir, jobs="thread")
    yield from build_api(request, tmp_path, "sqlite", settings)


def test_thread_backend_runs_in_the_background(thread_api: Api, photo_jpeg: Path) -> None:
    api = thread_api
    team = make_team(api)
    item = _upload(api, team, photo_jpeg.read_bytes(), "photo.jpg")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = api.client.get(f"/api/v1/items/{item}/jobs", headers=team["prosecutor"])
        states = {j["stage"]: j["state"] for j in response.json()}
        if states.keys() >= {"detect", "thumbnail", "ocr"} and set(states.values()) == {"done"}:
            break
        time.sleep(0.2)
    assert states == {"detect": "done", "thumbnail": "done", "ocr": "done"}


@pytest.fixture()
def off_api(
    request: pytest.FixtureRequest, tmp_path: Path, tiny_whisper_dir: Path
) -> Iterator[Api]:
    yield from build_api(request, tmp_path, "sqlite", ingest_settings(tiny_whisper_dir, jobs="off"))


def test_jobs_left_queued_resume_after_a_restart(
    off_api: Api, photo_jpeg: Path, tiny_whisper_dir: Path
) -> None:
    from ingest import pipeline

    api = off_api
    team = make_team(api)
    item = _upload(api, team, photo_jpeg.read_bytes(), "photo.jpg")
    assert _job(api, item, "detect").state is JobState.QUEUED  # recorded, not run
    # The next start of the embedded server (thread backend) picks the job up.
    rt = jobs.runtime()
    jobs.configure(
        engine=rt.engine, store=rt.store, settings=ingest_settings(tiny_whisper_dir, jobs="thread")
    )
    assert pipeline.resume_pending() == 1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with Session(api.engine) as session:
            states = {
                j.stage: j.state for j in session.exec(select(Job).where(Job.item_id == item))
            }
        if len(states) == 3 and set(states.values()) == {JobState.DONE}:
            break
        time.sleep(0.2)
    assert states == {s: JobState.DONE for s in ("detect", "thumbnail", "ocr")}


def test_thread_backend_retries_on_a_timer(
    thread_api: Api, photo_jpeg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.media import proxy

    api = thread_api
    team = make_team(api)
    real, calls = proxy.image_thumbnail, {"n": 0}

    def flaky(**kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("transient")
        return real(**kwargs)

    monkeypatch.setattr(proxy, "image_thumbnail", flaky)
    item = _upload(api, team, photo_jpeg.read_bytes(), "photo.jpg")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with Session(api.engine) as session:
            job = session.exec(
                select(Job).where(Job.item_id == item, Job.stage == "thumbnail")
            ).first()
        if job is not None and job.state is JobState.DONE:
            break
        time.sleep(0.2)
    assert job is not None and job.state is JobState.DONE and job.attempts == 2
    kinds = sorted(d.derivative_kind or "" for d in _derived(api, item))
    assert kinds.count("thumbnail") == 1 and kinds.count("proxy") == 1


def test_a_finished_job_commits_with_its_next_stages(sqlite_api: Api, photo_jpeg: Path) -> None:
    """A job's end and its follow-ups' rows are one commit: in between, every job of the
    item was done, so its page said "done" and then "processing" again (a loaded CI
    machine caught the case page in that gap, before the thumbnail job existed)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session as OrmSession

    ended: list[tuple[str, set[str]]] = []

    def check(session: OrmSession) -> None:
        done = [
            obj
            for obj in [*session.dirty, *session.new]
            if isinstance(obj, Job)
            and obj.state is JobState.DONE
            and (obj.result or {}).get("next")
        ]
        for job in done:  # what this commit will leave in the database for the item
            stages = set(session.scalars(select(Job.stage).where(Job.item_id == job.item_id)))
            ended.append((job.stage, set(job.result["next"]) - stages))

    api = sqlite_api
    team = make_team(api)
    event.listen(OrmSession, "before_commit", check)
    try:
        item = _upload(api, team, photo_jpeg.read_bytes(), "photo.jpg")
    finally:
        event.remove(OrmSession, "before_commit", check)
    assert ended, "the detect job should have ended with next stages"
    assert [(stage, missing) for stage, missing in ended if missing] == []
    assert _job(api, item, "thumbnail").state is JobState.DONE
