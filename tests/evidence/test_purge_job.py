"""The purge as a job of the job runtime (issue 18): an approved purge is a `purge` job,
queued, retried, listed with the item's jobs, run in-process by default (the thread pool)
or by `dalel worker` on RQ; a crash inside the job leaves one of the two safe states and
`dalel retention purge ID` finishes it once. SQLite and PostgreSQL, the local store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from evidence.models import Role
from evidence.retention_models import PurgeRequest
from evidence.storage import ObjectStore, StorageError
from ingest.retention import run_purge_now, submit_purge
from ingest.runtime import queue
from ingest.runtime.models import Job, JobState
from tests.app_kit import Api, running_jobs
from tests.evidence.purge_kit import LONG_AGO, Crash, approved_purge, purge_state, store_of

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("DALEL_TEST_REDIS", "redis://127.0.0.1:6379/15")


def _purge_jobs(api: Api) -> list[Job]:
    with Session(api.engine) as session:
        return list(session.exec(select(Job).where(Job.stage == "purge")))


def _request(api: Api, purge_id: str) -> PurgeRequest:
    with Session(api.engine, expire_on_commit=False) as session:
        request = session.get(PurgeRequest, purge_id)
    assert request is not None
    return request


def _approve_through_api(api: Api, team: dict[str, Any]) -> tuple[str, str]:
    """Upload, date, propose and approve with two prosecutors through the REST API."""
    case_id = team["case"]["id"]
    api.user("second", Role.PROSECUTOR)
    second = api.token("second")
    api.client.post(
        f"/api/v1/cases/{case_id}/members", json={"username": "second"},
        headers=team["prosecutor"],
    )  # fmt: skip
    item = api.upload(case_id, team["officer"], os.urandom(2048), collected_at=LONG_AGO).json()
    api.client.put(
        f"/api/v1/cases/{case_id}/retention", json={"category": "administrative"},
        headers=team["prosecutor"],
    )  # fmt: skip
    proposed = api.client.post(
        f"/api/v1/cases/{case_id}/purges", json={"reason": "period over", "items": [item["id"]]},
        headers=team["prosecutor"],
    ).json()  # fmt: skip
    approved = api.client.post(f"/api/v1/purges/{proposed['id']}/approve", headers=second)
    assert approved.status_code == 200, approved.text
    return proposed["id"], item["id"]


def test_approval_queues_a_purge_job_that_the_in_process_pool_runs(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """The default without Redis: the job goes to the in-process pool after the response;
    it is listed with the item's jobs, and its state follows the purge's."""
    with running_jobs(api, jobs="thread"):
        purge_id, item_id = _approve_through_api(api, team)
        deadline = time.monotonic() + 60
        while _request(api, purge_id).state != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
        queue.shutdown(wait=True)
    assert str(_request(api, purge_id).state) == "done"
    listed = api.client.get(f"/api/v1/items/{item_id}/jobs", headers=team["prosecutor"]).json()
    assert [(j["stage"], j["subject"], j["queue"], j["state"]) for j in listed] == [
        ("purge", purge_id, "default", "done")
    ]
    assert listed[0]["result"] == {"purge": purge_id, "state": "done"}
    assert purge_state(api, item_id) == (False, 1, True)


def test_jobs_off_records_the_job_and_the_operator_runs_it(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """DALEL_JOBS=off: the approval records a queued job and nothing runs; `dalel
    retention purge ID` runs that job (the same row), once."""
    with running_jobs(api, jobs="off"):
        purge_id, item_id = _approve_through_api(api, team)
        [job] = _purge_jobs(api)
        assert (job.state, job.attempts, job.subject) == (JobState.QUEUED, 0, purge_id)
        assert purge_state(api, item_id) == (True, 0, False)
        if str(api.settings.database_url).startswith("sqlite"):  # the CLI, as the operator
            env = {
                **os.environ,
                "DALEL_DATABASE_URL": str(api.settings.database_url),
                "DALEL_DATA_DIR": str(api.settings.data_dir),
            }
            env.pop("DALEL_STORAGE_URL", None)
            ran = subprocess.run(
                [sys.executable, "-m", "evidence.cli", "retention", "purge", purge_id],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert ran.returncode == 0, ran.stdout + ran.stderr[-3000:]
            assert f"purge {purge_id}: done" in ran.stdout
        else:  # the function it calls (the CLI would migrate a create_all schema)
            assert run_purge_now(purge_id).state is JobState.DONE
    [job] = _purge_jobs(api)
    assert (job.state, job.attempts) == (JobState.DONE, 1)
    assert purge_state(api, item_id) == (False, 1, True)


class FlakyStore:
    """The real store, except that its first delete fails as a network error would."""

    def __init__(self, inner: ObjectStore) -> None:
        self.inner, self.failures = inner, 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def delete(self, key: str) -> None:
        if self.failures:
            self.failures -= 1
            raise StorageError("connection reset by the object store")
        self.inner.delete(key)


def test_a_failed_attempt_is_retried_and_finishes_once(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    purge_id, item_id = approved_purge(api, team)
    with running_jobs(api, store=FlakyStore(store_of(api)), jobs="sync", job_retries=1):
        assert submit_purge(purge_id)
    [job] = _purge_jobs(api)
    assert (job.state, job.attempts, job.error) == (JobState.DONE, 2, None)
    assert str(_request(api, purge_id).state) == "done"
    assert purge_state(api, item_id) == (False, 1, True)


def test_a_failure_on_the_last_attempt_is_visible_and_a_rerun_finishes(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    purge_id, item_id = approved_purge(api, team)
    with running_jobs(api, store=FlakyStore(store_of(api)), jobs="sync", job_retries=0):
        assert submit_purge(purge_id)
        [job] = _purge_jobs(api)
        assert job.state is JobState.FAILED
        assert "connection reset by the object store" in (job.error or "")
        assert purge_state(api, item_id)[1] == 0  # no item.purged while it failed
        assert submit_purge(purge_id)  # a failed job is queued again (RESTARTABLE)
    [job] = _purge_jobs(api)
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert purge_state(api, item_id) == (False, 1, True)


def test_a_crash_inside_the_job_is_finished_by_hand_once(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """The process dies while the job records `item.purged` (after the delete): the job
    row stays running, no `item.purged`; the operator's run finishes it, once."""
    purge_id, item_id = approved_purge(api, team)

    def crashed_hook(session: Any, purged: str) -> None:
        raise Crash

    hooks = api.client.app.state.hooks  # type: ignore[attr-defined]
    hooks.on_item_purged(crashed_hook)
    try:
        with running_jobs(api, jobs="sync"), pytest.raises(Crash):
            submit_purge(purge_id)
    finally:
        hooks.forget(crashed_hook)
    [job] = _purge_jobs(api)
    assert job.state is JobState.RUNNING  # what a sweeper or RQ's maintenance retries
    assert purge_state(api, item_id) == (False, 0, True)  # deleted, marked, not yet recorded
    with running_jobs(api, jobs="off"):
        for _ in range(2):
            assert run_purge_now(purge_id).state is JobState.DONE
    assert purge_state(api, item_id) == (False, 1, True)
    [job] = _purge_jobs(api)
    assert job.attempts == 3


def _redis_up() -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except RedisError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis not reachable")
def test_dalel_worker_runs_the_purge_from_redis(api: Api, team) -> None:  # type: ignore[no-untyped-def]
    """With Redis the approval enqueues the job on the `default` queue; nothing runs in
    the API process; a `dalel worker --burst` process runs it."""
    if str(api.settings.database_url).startswith("sqlite"):
        pytest.skip("one worker process per database: PostgreSQL is the production case")
    prefix = f"t{uuid.uuid4().hex[:10]}"
    try:
        with running_jobs(api, jobs="rq", redis_url=REDIS_URL, queue_prefix=prefix):
            purge_id, item_id = _approve_through_api(api, team)
            [job] = _purge_jobs(api)
            assert job.state is JobState.QUEUED
            assert purge_state(api, item_id) == (True, 0, False)
            env = {
                **os.environ,
                "DALEL_DATABASE_URL": str(api.settings.database_url),
                "DALEL_DATA_DIR": str(api.settings.data_dir),
                "DALEL_REDIS_URL": REDIS_URL,
                "DALEL_JOBS": "rq",
                "DALEL_QUEUE_PREFIX": prefix,
            }
            env.pop("DALEL_STORAGE_URL", None)
            worker = subprocess.run(
                [sys.executable, "-m", "evidence.cli", "worker", "--queues", "default", "--burst"],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert worker.returncode == 0, worker.stderr[-3000:]
    finally:
        from redis import Redis

        redis = Redis.from_url(REDIS_URL)
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
    [job] = _purge_jobs(api)
    assert (job.state, job.attempts) == (JobState.DONE, 1), job.error
    assert str(_request(api, purge_id).state) == "done"
    assert purge_state(api, item_id) == (False, 1, True)
