"""Video redaction through RQ on the real Redis, worked by a real `dalel worker --queues
media` process (its entry point registers every package's stages, as `dalel worker` does)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ingest.runtime import jobs
from tests.app_kit import Api, running_jobs
from tests.redaction.kit import make_video

REDIS_URL = os.environ.get("DALEL_TEST_REDIS", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


def _redis_up() -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except RedisError:
        return False


pytestmark = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and _redis_up()), reason="ffmpeg or Redis missing"
)


@pytest.fixture()
def queue_prefix() -> Iterator[str]:
    """A queue prefix of the test's own; its Redis keys are removed afterwards."""
    from redis import Redis

    prefix = f"t{uuid.uuid4().hex[:10]}"
    yield prefix
    redis = Redis.from_url(REDIS_URL)
    for key in redis.scan_iter(f"*{prefix}*"):
        redis.delete(key)
    for name in redis.smembers("rq:queues"):
        if prefix in name.decode():
            redis.srem("rq:queues", name)


@pytest.fixture()
def api(queue_prefix: str, make_api: Callable[..., Api]) -> Iterator[Api]:
    """The shared app on PostgreSQL queueing on RQ; uploads start no media processing."""
    api = make_api("postgresql")
    with running_jobs(api, jobs="rq", redis_url=REDIS_URL, queue_prefix=queue_prefix):
        yield api


def _work(api: Api) -> None:
    """`dalel worker --queues media --burst`: run what is queued, then stop."""
    runtime = jobs.configured()
    assert runtime is not None
    env = {
        **os.environ,
        "DALEL_DATABASE_URL": str(api.settings.database_url),
        "DALEL_STORAGE_URL": str(api.settings.storage_url),
        "DALEL_DATA_DIR": str(api.settings.data_dir),
        "DALEL_REDIS_URL": REDIS_URL,
        "DALEL_JOBS": "rq",
        "DALEL_QUEUE_PREFIX": runtime.settings.queue_prefix,
        "DALEL_JOB_RETRIES": "0",
        "OMP_NUM_THREADS": "1",
    }
    args = [sys.executable, "-m", "ingest.worker", "--queues", "media", "--burst"]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]


def test_media_worker_analyses_and_renders(api: Api, team, tmp_path: Path) -> None:
    video = make_video(tmp_path / "clip.mp4", size="320x240", seconds=1)
    r = api.upload(team["case"]["id"], team["prosecutor"], video.read_bytes(), name="cam.mp4")
    item_id = r.json()["id"]
    c, pro = api.client, team["prosecutor"]
    r = c.post(f"/api/v1/items/{item_id}/redactions", json={}, headers=pro)
    assert r.status_code == 202 and r.json()["status"] == "analysing", r.text
    plan_id = r.json()["id"]
    waiting = c.get(f"/api/v1/redactions/{plan_id}", headers=pro).json()
    assert waiting["status"] == "analysing"
    assert waiting["job"]["stage"] == "redact" and waiting["job"]["state"] == "queued"

    _work(api)
    plan = c.get(f"/api/v1/redactions/{plan_id}", headers=pro).json()
    assert plan["status"] == "draft" and plan["job"] is None, plan
    assert any(p["source"] == "face" for p in plan["proposals"])
    r = c.patch(
        f"/api/v1/redactions/{plan_id}/proposals", json={"default": "accepted"}, headers=pro
    )
    plan_id = r.json()["id"]
    r = c.post(f"/api/v1/redactions/{plan_id}/approve", headers=pro)
    assert r.status_code == 202 and r.json()["status"] == "rendering", r.text

    _work(api)
    done = c.get(f"/api/v1/redactions/{plan_id}", headers=pro).json()
    assert done["status"] == "approved" and done["releasable"], done
    derived = c.get(f"/api/v1/items/{done['derivative_id']}", headers=pro).json()
    assert derived["derivative_kind"] == "redacted"
