"""Queue entry points: job rows, submission and `run_job` (ids in, rows reloaded).

A job is one stage of one item. Its id is deterministic — the content SHA-256, the
stage, a hash of the tool versions and settings, and the item — so submitting twice
gives one row and a retried job finds the outputs of the first attempt.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert
from sqlmodel import Session, col, select

from custody.events import utc_now
from evidence.errors import IntegrityMismatch, NotFound
from evidence.hooks import Hooks
from evidence.models import Item
from evidence.storage import ObjectStore
from ingest.config import IngestSettings, get_ingest_settings
from ingest.errors import (
    ArchiveRejected,
    ChatExportInvalid,
    IngestError,
    JobCancelled,
    JobNotActive,
    ModelMissing,
    NotConfigured,
    ToolMissing,
    UnknownStage,
    UnsupportedMedia,
)
from ingest.runtime.models import RESTARTABLE, Job, JobState

log = logging.getLogger(__name__)

# Retrying cannot fix these: the failure is recorded and the job ends.
PERMANENT = (
    ModelMissing,
    ToolMissing,
    UnsupportedMedia,
    ArchiveRejected,
    ChatExportInvalid,
    IntegrityMismatch,
    NotFound,
)
# Set by the backend running the job: False while another attempt will follow.
final_attempt: contextvars.ContextVar[bool | None] = contextvars.ContextVar(
    "final_attempt", default=None
)


@dataclass
class Runtime:
    engine: Engine
    store: ObjectStore
    settings: IngestSettings


# One per process: RQ runs `run_job` by name in a worker process, which must find the
# engine and store without an app; the app configures it at start (`ingest.pipeline`).
_runtime: Runtime | None = None


def configure(
    *,
    engine: Engine | None = None,
    store: ObjectStore | None = None,
    settings: IngestSettings | None = None,
    hooks: Hooks | None = None,
) -> Runtime:
    """Point jobs at an engine and store (the app does this at start-up; tests too).

    Anything not given is built from the environment, as a worker process does; an
    engine built here carries `hooks` (the domain packages' registry) when given.
    """
    global _runtime
    if engine is None or store is None:
        from evidence.config import get_settings
        from evidence.db import make_engine
        from evidence.storage import open_store

        vault = get_settings()
        if engine is None:
            engine = make_engine(vault.database_url or "", timeouts=vault.db_timeouts)
            engine = hooks.bind(engine) if hooks is not None else engine
        store = store or open_store(vault.storage_url or "", timeouts=vault.storage_timeouts)
    _runtime = Runtime(engine=engine, store=store, settings=settings or get_ingest_settings())
    return _runtime


def configured() -> Runtime | None:
    """The process's runtime if something configured it (a CLI command asks first)."""
    return _runtime


def reset() -> None:
    """Forget the runtime (a test's app is gone; the next use configures afresh)."""
    global _runtime
    _runtime = None


def runtime() -> Runtime:
    """The process's engine, store and settings (built once per worker process)."""
    return _runtime or configure()


def fingerprint_hash(fingerprint: dict[str, Any]) -> str:
    raw = json.dumps(fingerprint, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:12]


def job_identity(
    *, item: Item, stage: str, settings: IngestSettings, subject: str | None = None
) -> tuple[str, str, dict[str, Any]]:
    """(job id, content key, fingerprint) of one stage of one item (and subject).

    Per-subject stages (a clip export) need their subject, the others refuse one.
    """
    from ingest.runtime.stages import stages

    spec = stages().get(stage)
    if spec is None:
        raise UnknownStage("no such stage: %(stage)s", stage=stage)
    if spec.per_subject and subject is None:
        raise UnknownStage("stage %(stage)s works on a subject", stage=stage)
    if not spec.per_subject and subject is not None:
        raise UnknownStage("stage %(stage)s takes no subject", stage=stage)
    fingerprint = {"stage": stage, **spec.fingerprint(settings)}
    key = f"{item.sha256}:{stage}:{fingerprint_hash(fingerprint)}"
    job_id = f"{key}:{item.id}" + (f":{subject}" if subject else "")
    return job_id, key, fingerprint


def prepare(
    *,
    session: Session,
    item_id: str,
    stage: str,
    rerun: bool = False,
    subject: str | None = None,
    commit: bool = True,
) -> Job | None:
    """Create (or, with `rerun`, reset) the job row; None when it needs no run.

    An existing job that is queued, running or done is left alone, so the item-added
    hook firing twice never processes an item twice. Without `commit` the row is only
    added to the session (a finished job's follow-ups commit with it).
    """
    from ingest.runtime.stages import stages

    settings = runtime().settings
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound("no such item")
    job_id, key, fingerprint = job_identity(
        item=item, stage=stage, settings=settings, subject=subject
    )
    now = utc_now()
    job = session.get(Job, job_id)
    if job is not None and not rerun and job.state not in RESTARTABLE:
        return None
    if job is None:
        job = Job(
            id=job_id,
            key=key,
            item_id=item_id,
            stage=stage,
            subject=subject,
            queue=stages()[stage].queue,
            fingerprint=fingerprint,
            created_at=now,
            updated_at=now,
        )
    job.state, job.error, job.progress, job.updated_at = JobState.QUEUED, None, 0.0, now
    job.finished_at = None
    session.add(job)
    if commit:
        session.commit()
    return job


def submit(
    *, item_id: str, stage: str, rerun: bool = False, subject: str | None = None
) -> Job | None:
    """Record the job and hand it to the configured backend."""
    from ingest.runtime import queue

    rt = runtime()
    with Session(rt.engine, expire_on_commit=False) as session:
        job = prepare(session=session, item_id=item_id, stage=stage, rerun=rerun, subject=subject)
    if job is not None:
        queue.dispatch(job_id=job.id, queue_name=job.queue, stage=stage, settings=rt.settings)
    return job


def submit_many(*, item_ids: list[str], stage: str) -> list[str]:
    """`submit` for many items in one transaction (a batch upload's new items): one
    commit for all their job rows, then each is handed to the backend; the new job ids."""
    from ingest.runtime import queue
    from ingest.runtime.stages import stages

    rt = runtime()
    prepared: list[tuple[str, str]] = []
    with Session(rt.engine, expire_on_commit=False) as session:
        items = session.exec(select(Item).where(col(Item.id).in_(item_ids))).all()
        now = utc_now()
        identities = {
            item.id: job_identity(item=item, stage=stage, settings=rt.settings) for item in items
        }
        wanted = [identity[0] for identity in identities.values()]
        known = set(session.exec(select(Job.id).where(col(Job.id).in_(wanted))).all())
        rows = [
            {
                "id": job_id,
                "key": key,
                "item_id": item_id,
                "stage": stage,
                "subject": None,
                "queue": stages()[stage].queue,
                "state": JobState.QUEUED,
                "attempts": 0,
                "progress": 0.0,
                "fingerprint": fingerprint,
                "created_at": now,
                "updated_at": now,
            }
            for item_id, (job_id, key, fingerprint) in identities.items()
            if job_id not in known  # already recorded: the hook fired twice
        ]
        if rows:
            # A Core insert: an ORM object per job cost more than the job row itself.
            session.execute(insert(Job.__table__), rows)  # type: ignore[attr-defined]
        prepared = [(str(row["id"]), str(row["queue"])) for row in rows]
        session.commit()
    for job_id, queue_name in prepared:
        queue.dispatch(job_id=job_id, queue_name=queue_name, stage=stage, settings=rt.settings)
    return [job_id for job_id, _ in prepared]


def _finish(session: Session, job: Job, state: JobState, **changes: Any) -> None:
    if state is not JobState.DONE:
        session.rollback()  # drop whatever the failed stage left half-done
    fresh = session.get(Job, job.id)
    assert fresh is not None
    fresh.state, fresh.updated_at = state, utc_now()
    for name, value in changes.items():
        setattr(fresh, name, value)
    if state is not JobState.QUEUED:
        fresh.finished_at = fresh.updated_at
    session.add(fresh)
    session.commit()


def run_job(job_id: str) -> dict[str, Any]:
    """Run one job by id: the RQ and in-process entry point. Safe to run twice.

    The job works in its own scratch folder under the data directory, removed in every
    outcome, and under RQ keeps a keepalive (`ingest.runtime.sweeper.job_scope`)."""
    from ingest.runtime.sweeper import job_scope

    with job_scope(job_id, runtime().settings):
        return _run_job(job_id)


def _run_job(job_id: str) -> dict[str, Any]:
    from ingest.runtime.stages import Context, stages

    rt = runtime()
    with Session(rt.engine, expire_on_commit=False) as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound("no such job: %(job)s", job=job_id)
        if job.state is JobState.DONE:
            return job.result or {}
        if job.state is JobState.CANCELLED:  # cancelled while it waited in the queue
            return {"cancelled": True}
        item = session.get(Item, job.item_id)
        if item is None:
            _finish(session, job, JobState.FAILED, error="NotFound: the item is gone")
            return {}
        job.state, job.attempts = JobState.RUNNING, job.attempts + 1
        job.started_at = job.updated_at = utc_now()
        job.error = None
        session.add(job)
        session.commit()
        ctx = Context(
            session=session,
            store=rt.store,
            engine=rt.engine,
            job=job,
            item=item,
            settings=rt.settings,
        )
        try:
            result = stages()[job.stage].run(ctx)
        except NotConfigured as exc:
            log.info("job %s: not configured: %s", job_id, exc)
            _finish(
                session, job, JobState.NOT_CONFIGURED, error=str(exc),
                result={"setting": exc.setting},
            )  # fmt: skip
            return {"not_configured": exc.setting}
        except JobCancelled:
            log.info("job %s cancelled", job_id)
            _finish(session, job, JobState.CANCELLED, error=None)
            return {"cancelled": True}
        except PERMANENT as exc:
            log.warning("job %s failed for good: %s", job_id, exc)
            _finish(session, job, JobState.FAILED, error=_reason(exc))
            return {"error": _reason(exc)}
        except Exception as exc:
            log.exception("job %s failed", job_id)
            state = JobState.FAILED if is_final_attempt() else JobState.QUEUED
            _finish(session, job, state, error=_reason(exc))
            raise
        # The follow-ups' rows commit with this job's end: in between, every job of the
        # item was done and its page said so, then "processing" again.
        follow_ups = _follow_ups(session, job, result.get("next", []))
        _finish(session, job, JobState.DONE, result=result, progress=1.0, error=None)
    from ingest.runtime import queue

    for follow in follow_ups:
        try:
            queue.dispatch(
                job_id=follow.id, queue_name=follow.queue, stage=follow.stage, settings=rt.settings
            )
        except Exception:  # queued in the database: the sweeper hands it out later
            log.exception("could not hand %s to the queue", follow.id)
    return result


def _follow_ups(session: Session, job: Job, names: list[str]) -> list[Job]:
    """The job rows of a finished job's next stages, added to its session uncommitted."""
    found = []
    for stage in names:
        try:
            follow = prepare(session=session, item_id=job.item_id, stage=stage, commit=False)
        except Exception:  # one follow-up failing to queue must not undo this job
            log.exception("could not queue %s for %s", stage, job.item_id)
            continue
        if follow is not None:
            found.append(follow)
    return found


def cancel(*, session: Session, job: Job) -> Job:
    """Stop a queued or running job: a queued one never starts, a running one stops at
    its next progress report (stages that report progress, such as transcription)."""
    if job.state not in {JobState.QUEUED, JobState.RUNNING}:
        raise JobNotActive(
            "the %(stage)s job is %(state)s: nothing to cancel", stage=job.stage, state=job.state
        )
    job.state, job.updated_at = JobState.CANCELLED, utc_now()
    if job.started_at is None:
        job.finished_at = job.updated_at
    session.add(job)
    session.commit()
    return job


def _reason(exc: BaseException) -> str:
    name = type(exc).__name__
    text = str(exc) or getattr(exc, "title", "") or name
    return text if isinstance(exc, IngestError) and text.startswith(name) else f"{name}: {text}"


def is_final_attempt() -> bool:
    """Whether no further attempt follows this one (RQ knows its own retries)."""
    flag = final_attempt.get()
    if flag is not None:
        return flag
    try:
        from rq import get_current_job

        current = get_current_job()
    except Exception:  # not under RQ
        return True
    return current is None or not current.retries_left


def jobs_for(*, session: Session, item_id: str) -> list[Job]:
    """Every job of an item, oldest first."""
    return list(
        session.exec(
            select(Job).where(Job.item_id == item_id).order_by(Job.created_at)  # type: ignore[arg-type]
        )
    )
