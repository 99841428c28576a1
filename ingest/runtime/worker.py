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

from evidence.hooks import Hooks
from ingest.config import get_ingest_settings
from ingest.errors import IngestError, QueueUnavailable
from ingest.runtime.queue import QUEUES, queue_name, redis_connection

# How often a worker looks for jobs abandoned by a killed worker (RQ's default is 10 min).
MAINTENANCE_SECONDS = 60


def run_worker(
    queues: Sequence[str] | None = None,
    burst: bool = False,
    *,
    with_scheduler: bool = True,
    hooks: Hooks | None = None,
) -> bool:
    """Work the given queues (short names: fast, media, asr, ocr, default) until stopped.

    With `burst`, return once the queues are empty. Abandoned jobs (worker killed,
    SIGKILL) are handed back to RQ within `job_alive_seconds` + `sweep_seconds` by the
    sweeper this process runs (ingest.runtime.sweeper), which also queues jobs that
    could not be queued while Redis was down. `hooks` are the domain packages'
    (`evidence.app.install_domains`): the jobs' engine carries them.
    """
    from rq import Queue, Worker

    from evidence.config import get_settings
    from evidence.db import make_engine
    from ingest.runtime import jobs, sweeper

    settings = get_ingest_settings()
    if not settings.redis_url:
        raise QueueUnavailable("DALEL_REDIS_URL is not set: there is no queue to work")
    names = list(queues or QUEUES)
    unknown = sorted(set(names) - set(QUEUES))
    if unknown:
        raise QueueUnavailable(
            "unknown queue(s) %(unknown)s; known: %(known)s",
            unknown=", ".join(unknown),
            known=", ".join(QUEUES),
        )
    rt = jobs.configure(settings=settings, hooks=hooks)  # one engine and store per worker process
    # Both dependencies answer before any work starts (an unreachable one is named).
    redis_connection(settings.redis_url, settings.redis_timeout_seconds).ping()
    with rt.engine.connect():
        pass
    rt.engine.dispose()  # the work horses open their own connections
    # The sweeper has its own engine: the work horses fork from this process and use the
    # jobs' engine, whose pool must hold no connection the parent is using.
    vault = get_settings()
    sweeper_engine = make_engine(vault.database_url or "", timeouts=vault.db_timeouts)
    sweeper.start(
        engine=hooks.bind(sweeper_engine) if hooks is not None else sweeper_engine,
        settings=settings,
    )
    # The worker's own connection: RQ gives it reply limits above its blocking waits.
    connection = redis_connection(settings.redis_url)
    worker = Worker(
        [Queue(queue_name(settings, name), connection=connection) for name in names],
        connection=connection,
        maintenance_interval=MAINTENANCE_SECONDS,
    )
    return bool(worker.work(burst=burst, with_scheduler=with_scheduler))


def main(argv: Sequence[str] | None = None, *, hooks: Hooks | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dalel worker", description=__doc__)
    parser.add_argument("--queues", nargs="*", default=None, help=", ".join(QUEUES))
    parser.add_argument("--burst", action="store_true", help="stop when the queues are empty")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    try:
        run_worker(args.queues, burst=args.burst, hooks=hooks)
    except IngestError as exc:
        print(f"dalel worker: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # an unreachable database or Redis: one line naming it
        from evidence.cli import unreachable
        from evidence.config import get_settings

        line = unreachable(exc, get_settings())
        if line is None:
            raise
        print(f"dalel worker: {line}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
