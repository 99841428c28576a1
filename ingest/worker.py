"""`dalel worker [--queues ...]`: an RQ worker for the ingest queues.

Run one worker per expensive queue (asr, media) and at least one for `fast`, so a
transcription backlog never delays thumbnails. Without arguments a worker serves
every queue, highest priority first.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from ingest.config import get_ingest_settings
from ingest.errors import IngestError, QueueUnavailable
from ingest.queue import QUEUES, redis_connection, rq_queue

# How often a worker looks for jobs abandoned by a killed worker (RQ's default is 10 min).
MAINTENANCE_SECONDS = 60


def run_worker(
    queues: Sequence[str] | None = None, burst: bool = False, *, with_scheduler: bool = True
) -> bool:
    """Work the given queues (short names: fast, media, asr, ocr, default) until stopped.

    With `burst`, return once the queues are empty. Abandoned jobs (worker killed,
    SIGKILL) are retried by RQ's registry maintenance, which we run every minute.
    """
    from rq import Worker

    from ingest import jobs

    settings = get_ingest_settings()
    if not settings.redis_url:
        raise QueueUnavailable("DALEL_REDIS_URL is not set: there is no queue to work")
    names = list(queues or QUEUES)
    unknown = sorted(set(names) - set(QUEUES))
    if unknown:
        raise QueueUnavailable(f"unknown queue(s) {', '.join(unknown)}; known: {', '.join(QUEUES)}")
    jobs.configure(settings=settings)  # one engine and store per worker process
    worker = Worker(
        [rq_queue(settings, name) for name in names],
        connection=redis_connection(settings.redis_url),
        maintenance_interval=MAINTENANCE_SECONDS,
    )
    return bool(worker.work(burst=burst, with_scheduler=with_scheduler))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dalel worker", description=__doc__)
    parser.add_argument("--queues", nargs="*", default=None, help=", ".join(QUEUES))
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    try:
        run_worker(args.queues, burst=args.burst)
    except IngestError as exc:
        print(f"dalel worker: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
