"""Slow redaction work on the job queue: queueing a plan's job, and a plan's failure.

A video plan is analysed by a ``redact`` job and, once approved, rendered by a
``render`` job (``redaction.stages``; one job per plan: ``Job.subject`` is the plan
id). The request writes the plan (``analysing`` or ``rendering``) and its custody
event, commits, and only then queues the job. Whatever stops the job for good — a
corrupt video, a missing object, the queue being unreachable — leaves the plan
``failed`` with the reason in ``error``, never half-written.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session, select

import custody
from evidence.service import WORKER
from evidence.service.access import load_item
from redaction.models import PlanStatus, RedactionPlan

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
    from ingest import jobs

    stage = PENDING[plan.status]
    # End the caller's transaction (reads too): an inline job writes from its own session,
    # and SQLite allows one writer.
    session.commit()
    try:
        jobs.submit(item_id=plan.item_id, stage=stage, subject=plan.id)
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
    custody.record(
        session=session, action=custody.Action.REDACTION_PLAN_REVISED, actor=WORKER,
        case_id=case.id, case_number=case.number, item_id=item.id, sha256=item.sha256,
        details={"plan_id": plan.id, "version": plan.version, "change": f"{work} failed",
                 "status": str(plan.status)},
    )  # fmt: skip
    session.commit()
    log.warning("redaction plan %s: %s failed: %s", plan.id, work, reason)


def job_of(session: Session, plan: RedactionPlan) -> Any | None:
    """The latest job of a plan that waits for one (None without ingest's tables)."""
    stage = PENDING.get(plan.status)
    if stage is None:
        return None
    try:
        from ingest.models import Job
    except ImportError:
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
    from ingest.models import JobState

    if job.state is JobState.FAILED:
        fail(session, plan_id=plan.id, reason=job.error or "the job failed")
        session.refresh(plan)
    return {
        "stage": job.stage, "state": str(job.state), "progress": job.progress,
        "attempts": job.attempts, "error": job.error,
    }  # fmt: skip
