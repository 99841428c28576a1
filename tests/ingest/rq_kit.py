"""RQ on the real Redis for the ingest tests (tests/ingest/test_jobs_rq.py and
test_jobs_stranded.py load it with `pytest_plugins`): a queue prefix of each test's own,
the app queueing on it, real worker processes, and polls of the jobs' states."""

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

from ingest.runtime.models import Job
from tests.app_kit import Api
from tests.ingest.conftest_integration import build_api, ingest_settings

REDIS_URL = os.environ.get("DALEL_TEST_REDIS", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


def redis_up() -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except RedisError:
        return False


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
        for pid in [*descendants(proc.pid), proc.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                self.kill(proc)


def descendants(pid: int) -> list[int]:
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


def alive(pid: int) -> bool:
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


def job_of(api: Api, item_id: str, stage: str) -> Job | None:
    with Session(api.engine) as session:
        job = session.exec(select(Job).where(Job.item_id == item_id, Job.stage == stage)).first()
        if job is not None:
            session.expunge(job)
        return job


def wait_until(
    check: Callable[[], bool], timeout: float, what: str, log: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def job_state(api: Api, item_id: str, stage: str) -> str | None:
    job = job_of(api, item_id, stage)
    return str(job.state) if job else None


def ffmpeg_media(tmp_path: Path, name: str, *args: str) -> Path:
    out = tmp_path / name
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args, str(out)], check=True, timeout=120)
    return out
