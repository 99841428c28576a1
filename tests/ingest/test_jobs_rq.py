"""RQ workers on the real Redis (127.0.0.1:6379) with real worker processes: queues split
by cost, and a worker killed with SIGKILL mid-job leads to a retry and one derivative.

Every test uses its own queue-name prefix, so parallel runs never meet.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from evidence.models import Item
from ingest.runtime.models import Job
from tests.ingest.conftest_integration import Api, build_api, ingest_settings, make_team

pytest_plugins = ["tests.ingest.conftest_integration"]

REDIS_URL = os.environ.get("DALEL_TEST_REDIS", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


def _redis_up() -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="Redis not reachable")


@pytest.fixture()
def prefix() -> Iterator[str]:
    name = f"t{uuid.uuid4().hex[:10]}"
    yield name
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    for key in redis.scan_iter("rq:job:*"):
        origin = redis.hget(key, "origin") if redis.type(key) == b"hash" else None
        if origin and origin.decode().startswith(f"{name}-"):
            job_id = key.decode().removeprefix("rq:job:")
            redis.delete(key, f"rq:results:{job_id}", f"rq:executions:{job_id}")
            for execution in redis.scan_iter(f"rq:execution:{job_id}:*"):
                redis.delete(execution)
    for key in redis.scan_iter(f"*{name}*"):
        redis.delete(key)
    for queue in redis.smembers("rq:queues"):
        if name in queue.decode():
            redis.srem("rq:queues", queue)


@pytest.fixture()
def rq_api(
    request: pytest.FixtureRequest, tmp_path: Path, tiny_whisper_dir: Path, prefix: str
) -> Iterator[Api]:
    settings = ingest_settings(
        tiny_whisper_dir, jobs="rq", redis_url=REDIS_URL, queue_prefix=prefix, job_retries=2
    )
    yield from build_api(request, tmp_path, "postgresql", settings)


class Workers:
    """Worker subprocesses, each in its own process group (work horses and ffmpeg too)."""

    def __init__(self, api: Api, prefix: str, whisper_dir: Path) -> None:
        self.env = {
            **os.environ,
            "DALEL_DATABASE_URL": str(api.settings.database_url),
            "DALEL_STORAGE_URL": str(api.settings.storage_url),
            "DALEL_DATA_DIR": str(api.settings.data_dir),
            "DALEL_REDIS_URL": REDIS_URL,
            "DALEL_JOBS": "rq",  # tests/conftest.py turns jobs off by default
            "DALEL_QUEUE_PREFIX": prefix,
            "DALEL_RETRY_INTERVALS": "[0]",
            "DALEL_JOB_RETRIES": "2",
            "DALEL_WHISPER_MODEL": "tiny",
            "DALEL_WHISPER_DIR": str(whisper_dir),
            "DALEL_WHISPER_CHUNK_SECONDS": "5",
            "DALEL_WHISPER_DECODE_OPTIONS": '{"sample_len": 8}',
            "OMP_NUM_THREADS": "1",
        }
        self.procs: list[subprocess.Popen[bytes]] = []
        self.log = Path(api.settings.data_dir) / "workers.log"

    def start(self, *queues: str, burst: bool = False) -> subprocess.Popen[bytes]:
        args = [sys.executable, "-m", "ingest.worker", "--queues", *queues]
        proc = subprocess.Popen(
            [*args, *(["--burst"] if burst else [])],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("ab"),  # shown when a test fails
        )
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and everything under it. RQ's work horse calls setpgrp(),
        so killing the worker's process group alone would leave the job running."""
        for pid in [*_descendants(proc.pid), proc.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                self.kill(proc)


def _descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc (children first found, then theirs)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """Running (a killed process may linger as a zombie until it is reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture()
def workers(rq_api: Api, prefix: str, tiny_whisper_dir: Path) -> Iterator[Workers]:
    pool = Workers(rq_api, prefix, tiny_whisper_dir)
    yield pool
    pool.stop_all()


def _job(api: Api, item_id: str, stage: str) -> Job | None:
    with Session(api.engine) as session:
        job = session.exec(select(Job).where(Job.item_id == item_id, Job.stage == stage)).first()
        if job is not None:
            session.expunge(job)
        return job


def _wait(check: Callable[[], bool], timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def _state(api: Api, item_id: str, stage: str) -> str | None:
    job = _job(api, item_id, stage)
    return str(job.state) if job else None


def _media(tmp_path: Path, name: str, *args: str) -> Path:
    out = tmp_path / name
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args, str(out)], check=True, timeout=120)
    return out


def test_long_transcription_never_blocks_fast_jobs(
    rq_api: Api, workers: Workers, tmp_path: Path, photo_jpeg: Path
) -> None:
    api = rq_api
    team = make_team(api)
    case_id, pro = team["case"]["id"], team["prosecutor"]
    audio = _media(
        tmp_path, "long.wav", "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=16000",
        "-t", "120",
    )  # fmt: skip
    workers.start("fast")
    workers.start("asr")
    long_item = api.upload(case_id, pro, audio.read_bytes(), name="long.wav").json()["id"]
    _wait(
        lambda: _state(api, long_item, "transcribe") == "running", 90, "transcription start",
        workers.log,
    )  # fmt: skip
    photo = api.upload(case_id, pro, photo_jpeg.read_bytes(), name="photo.jpg").json()["id"]
    _wait(lambda: _state(api, photo, "thumbnail") == "done", 90, "the thumbnail", workers.log)
    # The fast queue was served while the asr worker was still busy.
    assert _state(api, long_item, "transcribe") == "running"
    assert _state(api, photo, "ocr") == "queued"  # nobody serves the ocr queue here


def test_sigkill_mid_job_retries_and_makes_one_derivative(
    rq_api: Api, workers: Workers, tmp_path: Path, prefix: str
) -> None:
    from rq import Queue
    from rq.registry import StartedJobRegistry

    from ingest.runtime.queue import redis_connection

    api = rq_api
    team = make_team(api)
    video = _media(
        tmp_path, "shift.mp4", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
        "-f", "lavfi", "-i", "sine=frequency=440", "-t", "8", "-c:v", "libx264",
        "-preset", "ultrafast", "-c:a", "aac",
    )  # fmt: skip
    item = api.upload(team["case"]["id"], team["prosecutor"], video.read_bytes(), name="s.mp4")
    item_id = item.json()["id"]
    workers.start("fast")
    first = workers.start("media")

    def transcoding() -> bool:
        job = _job(api, item_id, "proxy")
        return job is not None and str(job.state) == "running" and job.progress > 0

    _wait(transcoding, 120, "the proxy transcode to make progress", workers.log)
    horses = _descendants(first.pid)
    assert horses, "the worker should have forked a work horse"
    workers.kill(first)  # SIGKILL to the worker, its work horse and ffmpeg
    _wait(lambda: not any(_alive(pid) for pid in horses), 10, "the work horse to die")
    assert _state(api, item_id, "proxy") == "running"

    # RQ's maintenance retries abandoned jobs once their heartbeat lapses (~90 s, then
    # within a minute); run that clean-up now as if the time had passed.
    queue = Queue(f"{prefix}-media", connection=redis_connection(REDIS_URL))
    registry = StartedJobRegistry(queue=queue)
    assert registry.get_job_ids(), "the killed job should still be registered as started"
    registry.cleanup(timestamp=time.time() + 3600)

    second = workers.start("media", burst=True)
    second.wait(timeout=180)
    job = _job(api, item_id, "proxy")
    assert job is not None and str(job.state) == "done", job
    assert job.attempts == 2
    with Session(api.engine) as session:
        proxies = session.exec(
            select(Item).where(Item.parent_id == item_id, Item.derivative_kind == "proxy")
        ).all()
    assert len(proxies) == 1
