"""Redaction's jobs on the job runtime: the two per-plan stages, queueing them, a plan's failure.

A video plan is analysed by a ``redact`` job and, once approved, rendered by a
``render`` job (the work itself: ``redaction.jobs``). ``redact`` scans every frame for
faces and plates (about twice the video's duration); ``render`` renders the plan with
its masks and runs the residual check (about 2.6 times the duration). One job per plan
(``Job.subject`` is the plan id), both on the ``media`` queue (``dalel worker --queues
media``), contributed to the runtime's registry (``ingest.runtime.stages``).

The request writes the plan (``analysing`` or ``rendering``) and its custody event,
commits, and only then queues the job (``submit``). Whatever stops the job for good — a
corrupt video, a missing object, the queue being unreachable — leaves the plan
``failed`` with the reason in ``error``, never half-written; failures that another
attempt cannot fix end the job at once.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session, select

import custody
from evidence.errors import StorageError
from evidence.service import WORKER, record_item_event
from evidence.service.access import load_item
from ingest.config import IngestSettings
from ingest.errors import UnsupportedMedia
from ingest.runtime import jobs as ingest_jobs
from ingest.runtime.models import Job, JobState
from ingest.runtime.stages import Context, Stage
from redaction import jobs
from redaction.errors import RedactionError
from redaction.models import PlanStatus, RedactionPlan
from redaction.render import dispatch

log = logging.getLogger(__name__)

ANALYSE = "redact"
RENDER = "render"
PENDING = {PlanStatus.ANALYSING: ANALYSE, PlanStatus.RENDERING: RENDER}
ERROR_CHARS = 1000


def reason(exc: BaseException) -> str:
    """A failure as people read it: the error's kind and message."""
    text = str(exc) or getattr(exc, "title", "") or ""
    return f"{type(exc).__name__}: {text}"[:ERROR_CHARS] if text else type(exc).__name__


def submit(session: Session, *, plan: RedactionPlan) -> None:
    """Queue the job of a committed ``analysing`` or ``rendering`` plan.

    Queueing twice is harmless (the job id is deterministic; an active job is left
    alone, a failed one runs again). When the job cannot be queued the plan fails
    with that reason and the error goes up (the queue's 503).
    """
    stage = PENDING[plan.status]
    # End the caller's transaction (reads too): an inline job writes from its own session,
    # and SQLite allows one writer.
    session.commit()
    try:
        ingest_jobs.submit(item_id=plan.item_id, stage=stage, subject=plan.id)
    except Exception as exc:
        fail(session, plan_id=plan.id, reason=f"could not queue the {stage} job: {reason(exc)}")
        raise


def fail(session: Session, *, plan_id: str, reason: str) -> None:
    """Mark an ``analysing``/``rendering`` plan ``failed`` (anything else is left alone).

    Whatever the failed work left in the session is rolled back first. The failure is
    recorded in custody as a revision of the plan (its status, not the reason's text).
    """
    session.rollback()
    plan = session.get(RedactionPlan, plan_id)
    if plan is None:
        return
    session.refresh(plan)
    if plan.status not in PENDING:
        return
    work = "analysis" if plan.status is PlanStatus.ANALYSING else "rendering"
    plan.status = PlanStatus.FAILED
    plan.error = reason[:ERROR_CHARS]
    session.add(plan)
    item, case = load_item(session, plan.item_id)
    record_item_event(
        session=session,
        action=custody.Action.REDACTION_PLAN_REVISED,
        actor=WORKER,
        item=item,
        case=case,
        details={
            "plan_id": plan.id,
            "version": plan.version,
            "change": f"{work} failed",
            "status": str(plan.status),
        },
    )
    session.commit()
    log.warning("redaction plan %s: %s failed: %s", plan.id, work, reason)


def job_of(session: Session, plan: RedactionPlan) -> Job | None:
    """The latest job of a plan that waits for one."""
    stage = PENDING.get(plan.status)
    if stage is None:
        return None
    query = select(Job).where(
        Job.item_id == plan.item_id, Job.stage == stage, Job.subject == plan.id
    )
    return session.exec(query.order_by(Job.created_at.desc())).first()  # type: ignore[attr-defined]


def reconcile(session: Session, plan: RedactionPlan) -> dict[str, Any] | None:
    """The job of a waiting plan, as shown with it; a job that failed without telling
    the plan (it never reached our code) fails the plan now."""
    job = job_of(session, plan)
    if job is None:
        return None
    if job.state is JobState.FAILED:
        fail(session, plan_id=plan.id, reason=job.error or "the job failed")
        session.refresh(plan)
    return {
        "stage": job.stage, "state": str(job.state), "progress": job.progress,
        "attempts": job.attempts, "error": job.error,
    }  # fmt: skip


DAY = 24 * 3600
# Our failures that no retry can fix: a corrupt or unsupported video, no detector, a plan
# that changed or vanished, and a stored object that is missing or altered.
PERMANENT: tuple[type[BaseException], ...] = (RedactionError, StorageError)


def fingerprint(settings: IngestSettings) -> dict[str, Any]:
    """What changes the output: the renderer's version (detectors are read at run time)."""
    return {"tool": dispatch.TOOL, "version": dispatch.VERSION}


def _final(exc: BaseException) -> bool:
    """Whether this failure ends the job: permanent, or the last attempt."""
    if isinstance(exc, (*ingest_jobs.PERMANENT, *PERMANENT)):
        return True
    return ingest_jobs.is_final_attempt()


def _run(ctx: Context, work: str) -> dict[str, Any]:
    plan_id = ctx.job.subject or ""
    finish = jobs.finish_analysis if work == "analysis" else jobs.render_plan
    try:
        plan = finish(session=ctx.session, store=ctx.store, plan_id=plan_id)
    except Exception as exc:
        if _final(exc):
            fail(ctx.session, plan_id=plan_id, reason=reason(exc))
        if isinstance(exc, PERMANENT):  # ingest's job runner: do not try again
            raise UnsupportedMedia(reason(exc)) from exc
        raise
    return {"plan": plan.id, "status": str(plan.status), "derivative": plan.derivative_id}


def run_redact(ctx: Context) -> dict[str, Any]:
    return _run(ctx, "analysis")


def run_render(ctx: Context) -> dict[str, Any]:
    return _run(ctx, "rendering")


STAGES = [
    Stage(name=ANALYSE, queue="media", run=run_redact, fingerprint=fingerprint,
          per_subject=True, default_timeout=DAY),
    Stage(name=RENDER, queue="media", run=run_render, fingerprint=fingerprint,
          per_subject=True, default_timeout=DAY),
]  # fmt: skip
