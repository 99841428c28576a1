"""Job backends: RQ on Redis, a thread pool in the API process, inline, or off.

Queues are split by cost so a transcription backlog never blocks thumbnails: run a
worker per queue (or per group of queues) in production. The same `run_job(job_id)`
runs under every backend.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from ingest.config import IngestSettings
from ingest.errors import QueueUnavailable

log = logging.getLogger(__name__)

# Highest priority first: a worker serving several queues drains them in this order.
QUEUES = ("fast", "default", "ocr", "media", "asr")
RUN_JOB = "ingest.runtime.jobs.run_job"
ACTIVE = {"queued", "started", "deferred", "scheduled"}


def mode(settings: IngestSettings) -> str:
    """The backend in effect: `auto` means RQ with Redis, else threads in-process."""
    if settings.jobs != "auto":
        return settings.jobs
    return "rq" if settings.redis_url else "thread"


def queue_name(settings: IngestSettings, name: str) -> str:
    return f"{settings.queue_prefix}-{name}"


def rq_job_id(job_id: str) -> str:
    """RQ ids allow letters, digits, '_' and '-' only."""
    return job_id.replace(":", "_")


def dispatch(*, job_id: str, queue_name: str, stage: str, settings: IngestSettings) -> None:
    """Hand a prepared job to the backend in effect."""
    backend = mode(settings)
    if backend == "off":
        return
    if backend == "sync":
        run_with_retries(job_id, settings=settings, sleep=False)
    elif backend == "thread":
        _pool(queue_name, settings.thread_workers_per_queue).submit(
            run_with_retries, job_id, settings=settings, sleep=True, queue_name=queue_name
        )
    elif backend == "rq":
        enqueue_rq(job_id=job_id, queue=queue_name, stage=stage, settings=settings)
    else:  # pragma: no cover - settings validation forbids it
        raise ValueError(f"unknown jobs mode {backend!r}")


def run_with_retries(
    job_id: str,
    *,
    settings: IngestSettings,
    sleep: bool,
    queue_name: str = "default",
    attempt: int = 0,
) -> None:
    """In-process attempts with the same retry count and backoff as RQ's.

    Inline (`sleep=False`) retries at once; in the thread pool a retry is scheduled on
    a timer, so a failing job's backoff never holds up the rest of its queue.
    """
    from ingest.runtime.jobs import final_attempt, run_job

    attempts = settings.job_retries + 1
    while True:
        final = attempt >= attempts - 1
        token = final_attempt.set(final)
        try:
            run_job(job_id)
            return
        except Exception:
            if final:
                log.error("job %s failed after %d attempts", job_id, attempts)
                return
        finally:
            final_attempt.reset(token)
        attempt += 1
        if sleep:
            intervals = settings.retry_intervals or [0]
            delay = intervals[min(attempt - 1, len(intervals) - 1)]
            timer = threading.Timer(delay, _resubmit, args=(job_id, settings, queue_name, attempt))
            timer.daemon = True
            timer.start()
            return


def _resubmit(job_id: str, settings: IngestSettings, queue_name: str, attempt: int) -> None:
    _pool(queue_name, settings.thread_workers_per_queue).submit(
        run_with_retries, job_id, settings=settings, sleep=True, queue_name=queue_name,
        attempt=attempt,
    )  # fmt: skip


_pools: dict[str, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(name: str, workers: int) -> ThreadPoolExecutor:
    # One pool per queue: a long transcription never holds up a thumbnail.
    with _pools_lock:
        if name not in _pools:
            _pools[name] = ThreadPoolExecutor(max(1, workers), thread_name_prefix=f"dalel-{name}")
        return _pools[name]


def shutdown(wait: bool = False) -> None:
    """Stop the in-process pools (at application shutdown)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=wait, cancel_futures=not wait)


@cache
def redis_connection(url: str, timeout: float | None = None):  # type: ignore[no-untyped-def]
    """One client per URL. `timeout` bounds connecting and every reply (an RQ worker
    raises the reply limit of its own connection above its blocking waits)."""
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def rq_queue(settings: IngestSettings, name: str):  # type: ignore[no-untyped-def]
    from rq import Queue

    if not settings.redis_url:
        raise QueueUnavailable("DALEL_REDIS_URL is not set")
    connection = redis_connection(settings.redis_url, settings.redis_timeout_seconds)
    return Queue(queue_name(settings, name), connection=connection)


def enqueue_rq(*, job_id: str, queue: str, stage: str, settings: IngestSettings) -> None:
    """Enqueue on RQ under the deterministic id; an active RQ job with it is left alone."""
    from redis.exceptions import RedisError
    from rq import Retry
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RqJob

    from ingest.runtime.stages import stages

    rid = rq_job_id(job_id)
    try:
        q = rq_queue(settings, queue)
        try:
            existing = RqJob.fetch(rid, connection=q.connection)
            if existing.get_status(refresh=False) in ACTIVE:
                return
            existing.delete()
        except NoSuchJobError:
            pass
        retries = settings.job_retries
        q.enqueue(
            RUN_JOB,
            job_id,
            job_id=rid,
            job_timeout=stages()[stage].timeout(settings),
            retry=Retry(max=retries, interval=settings.retry_intervals) if retries else None,
            result_ttl=7 * 86400,
            failure_ttl=30 * 86400,
            description=f"{stage} {job_id}",
        )
    except RedisError as exc:
        raise QueueUnavailable(
            "cannot reach Redis to queue %(stage)s: %(reason)s", stage=stage, reason=str(exc)
        ) from exc
