"""Jobs are never stranded: the sweeper that `dalel serve` and `dalel worker` run.

Every `sweep_seconds` (RQ backend only) it
1. queues on RQ every job the database holds as queued that RQ does not know (it could
   not be queued while Redis was down, or Redis lost it), so it starts once Redis is back;
2. hands back to RQ every running job whose process is gone: the process running a job
   keeps a key alive in Redis (`keepalive`, refreshed every third of `job_alive_seconds`);
   once it has lapsed, RQ's own abandoned-job handling retries it (or fails it when its
   attempts are spent) — within a minute of a kill -9, where RQ alone waits for its
   heartbeat and its next registry maintenance (minutes);
3. removes the scratch folders of jobs whose process is dead (see `job_scope`).

A job's scratch folder sits under the data directory (`tmp/jobs/`, evidence.scratch),
never /tmp: an RQ work horse (one job per process) points `tempfile` and `TMPDIR` there,
so every temporary file of the job and of the tools it runs is inside; in-process jobs
(threads of the API process) make theirs there through evidence.scratch. The folder is
removed in every outcome; a kill -9 leaves it to step 3, or, for the API process, to
its next start (ingest.pipeline.resume_pending).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from custody.events import utc_now
from evidence import scratch
from ingest.config import IngestSettings
from ingest.runtime.models import Job, JobState

log = logging.getLogger(__name__)

QUEUED_GRACE = timedelta(seconds=5)  # a job just recorded is being queued by its submitter


def scratch_root(settings: IngestSettings) -> Path:
    return settings.data_dir.resolve() / "tmp" / "jobs"


def alive_key(settings: IngestSettings, job_id: str) -> str:
    from ingest.runtime.queue import rq_job_id

    return f"{settings.queue_prefix}:alive:{rq_job_id(job_id)}"


def _under_rq() -> bool:
    try:
        from rq import get_current_job

        return get_current_job() is not None
    except Exception:  # not under RQ
        return False


@contextlib.contextmanager
def job_scope(job_id: str, settings: IngestSettings) -> Iterator[None]:
    """Around one job: its scratch folder under the data directory (evidence.scratch),
    removed afterwards whatever happens, and under RQ the keepalive.

    An RQ work horse runs one job, so the folder also becomes the process's temporary
    directory (`tempfile` and TMPDIR: the tools it starts write there too). Threads in
    the API process share one temporary directory: their code asks evidence.scratch."""
    from ingest.runtime.queue import rq_job_id

    with scratch.folder(scratch_root(settings)) as folder:
        if not _under_rq():
            yield
            return
        saved = tempfile.tempdir, os.environ.get("TMPDIR")
        tempfile.tempdir = str(folder)
        os.environ["TMPDIR"] = str(folder)
        log.debug("job %s works in %s", rq_job_id(job_id), folder)
        try:
            with keepalive(job_id, settings):
                yield
        finally:
            tempfile.tempdir = saved[0]
            if saved[1] is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = saved[1]


@contextlib.contextmanager
def keepalive(job_id: str, settings: IngestSettings) -> Iterator[None]:
    """Keep `alive_key` set while the job runs (a daemon thread; the key lapses
    `job_alive_seconds` after the process dies)."""
    from ingest.runtime.queue import redis_connection

    if not settings.redis_url:
        yield
        return
    redis = redis_connection(settings.redis_url, settings.redis_timeout_seconds)
    key, ttl = alive_key(settings, job_id), max(3, settings.job_alive_seconds)
    stop = threading.Event()

    def beat() -> None:
        while True:
            with contextlib.suppress(Exception):  # Redis away: the job goes on regardless
                redis.set(key, str(os.getpid()), ex=ttl)
            if stop.wait(ttl / 3):
                return

    with contextlib.suppress(Exception):
        redis.set(key, str(os.getpid()), ex=ttl)  # before the job shows as running
    threading.Thread(target=beat, name="dalel-keepalive", daemon=True).start()
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            redis.delete(key)


@dataclass
class SweepReport:
    queued: list[str] = field(default_factory=list)  # enqueued again (pending)
    retried: list[str] = field(default_factory=list)  # abandoned, handed back to RQ
    failed: list[str] = field(default_factory=list)  # abandoned with no attempt left
    removed: list[Path] = field(default_factory=list)  # scratch folders of dead jobs


def sweep(*, engine: Engine, settings: IngestSettings) -> SweepReport:
    """One pass of the three steps above (RQ backend; Redis must be reachable)."""
    from ingest.runtime.queue import mode

    report = SweepReport()
    report.removed = remove_dead_scratch(settings)
    if mode(settings) != "rq":
        return report
    now = utc_now()
    with Session(engine, expire_on_commit=False) as session:
        waiting = session.exec(
            select(Job).where(
                Job.state == JobState.QUEUED, col(Job.updated_at) < now - QUEUED_GRACE
            )
        ).all()
        running = session.exec(
            select(Job).where(
                Job.state == JobState.RUNNING,
                col(Job.started_at) < now - timedelta(seconds=settings.job_alive_seconds),
            )
        ).all()
    if waiting:
        report.queued = _queue_unknown(waiting, settings)
    if running:
        _hand_back(engine, running, settings, report)
    return report


def _rq_states(jobs: Sequence[Job], settings: IngestSettings) -> dict[str, str | None]:
    """RQ's status of each job (None: RQ does not know it), in one round trip."""
    from ingest.runtime.queue import redis_connection, rq_job_id

    redis = redis_connection(str(settings.redis_url), settings.redis_timeout_seconds)
    with redis.pipeline(transaction=False) as pipe:
        for job in jobs:
            pipe.hget(f"rq:job:{rq_job_id(job.id)}", "status")
        found = pipe.execute()
    return {
        job.id: (value.decode() if isinstance(value, bytes) else value)
        for job, value in zip(jobs, found, strict=True)
    }


def _queue_unknown(jobs: Sequence[Job], settings: IngestSettings) -> list[str]:
    from ingest.runtime.queue import ACTIVE, enqueue_rq

    queued = []
    states = _rq_states(jobs, settings)
    for job in jobs:
        if states[job.id] in ACTIVE:
            continue
        enqueue_rq(job_id=job.id, queue=job.queue, stage=job.stage, settings=settings)
        log.warning("job %s was not on the queue: queued it", job.id)
        queued.append(job.id)
    return queued


def _hand_back(
    engine: Engine, jobs: Sequence[Job], settings: IngestSettings, report: SweepReport
) -> None:
    """Running jobs whose keepalive lapsed: RQ retries them (its abandoned-job path)."""
    from rq.registry import StartedJobRegistry

    from ingest.runtime.queue import ACTIVE, enqueue_rq, redis_connection, rq_job_id, rq_queue

    redis = redis_connection(str(settings.redis_url), settings.redis_timeout_seconds)
    with redis.pipeline(transaction=False) as pipe:
        for job in jobs:
            pipe.exists(alive_key(settings, job.id))
        alive = pipe.execute()
    lost = [job for job, up in zip(jobs, alive, strict=True) if not up]
    for job in lost:
        rid = rq_job_id(job.id)
        queue = rq_queue(settings, job.queue)
        registry = StartedJobRegistry(queue=queue)
        entries = [
            entry
            for entry in redis.zrange(registry.key, 0, -1)
            if registry.parse_job_id(entry) == rid
        ]
        if entries:  # as if its heartbeat had lapsed long ago: RQ's clean-up takes it
            redis.zadd(registry.key, dict.fromkeys(entries, 0), xx=True)
            registry.cleanup(timestamp=1)
        status = _rq_states([job], settings)[job.id]
        attempts_left = job.attempts < settings.job_retries + 1
        if status not in ACTIVE and attempts_left:
            enqueue_rq(job_id=job.id, queue=job.queue, stage=job.stage, settings=settings)
            status = "queued"
        with Session(engine) as session:
            fresh = session.get(Job, job.id)
            if fresh is None or (fresh.state, fresh.started_at) != (
                JobState.RUNNING,
                job.started_at,
            ):
                continue  # it ended, or another attempt started, meanwhile
            fresh.updated_at = utc_now()
            fresh.error = "the process running it stopped (killed or lost)"
            if status in ACTIVE:
                fresh.state = JobState.QUEUED
                report.retried.append(job.id)
            else:
                fresh.state, fresh.finished_at = JobState.FAILED, fresh.updated_at
                report.failed.append(job.id)
            session.add(fresh)
            session.commit()
        log.warning("job %s: its process is gone; %s", job.id, fresh.state)


def remove_dead_scratch(settings: IngestSettings) -> list[Path]:
    """Scratch folders of this host's jobs whose process is no longer running."""
    return scratch.remove_dead(scratch_root(settings))


def redis_problem(settings: IngestSettings) -> Exception | None:
    """Why Redis does not answer a ping (None: it does)."""
    from ingest.runtime.queue import redis_connection

    try:
        redis_connection(str(settings.redis_url), settings.redis_timeout_seconds).ping()
    except Exception as exc:
        return exc
    return None


# RQ forks a work horse per job from the process this thread runs in. A fork while a
# pass holds a lock (a module's import lock, the connection pool's, psycopg's) gives the
# child a lock nobody will ever release: the horse hung at 0 % CPU on a futex, right
# after its fork, when the first pass (importing rq.registry, connecting) met the first
# job under load. So a fork waits for the pass under way, and passes wait for the fork.
_passing = threading.Lock()
os.register_at_fork(
    before=_passing.acquire, after_in_parent=_passing.release, after_in_child=_passing.release
)


def start(*, engine: Engine, settings: IngestSettings) -> threading.Event | None:
    """Run `sweep` every `sweep_seconds` in a daemon thread (RQ backend); returns the
    event that stops it. A pass that fails (Redis or the database away) is logged and
    the next one tries again."""
    from ingest.runtime.queue import mode

    if mode(settings) != "rq" or settings.sweep_seconds <= 0:
        return None
    stop = threading.Event()

    def loop() -> None:
        failing = False
        while True:
            try:
                with _passing:
                    report = sweep(engine=engine, settings=settings)
            except Exception as exc:
                if not failing:
                    log.warning("job sweeper: %s (will retry)", exc)
                failing = True
            else:
                failing = False
                if report.queued or report.retried or report.failed:
                    log.info("job sweeper: %s", report)
            if stop.wait(settings.sweep_seconds):
                return

    threading.Thread(target=loop, name="dalel-job-sweeper", daemon=True).start()
    return stop
