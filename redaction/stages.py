"""Redaction's job stages, contributed to ingest's registry (``ingest.stages``).

``redact`` analyses the item of an ``analysing`` plan (video: every frame scanned for
faces and plates, about twice the video's duration); ``render`` renders an approved
video plan with its masks and runs the residual check (about 2.6 times the duration).
One job per plan (``Job.subject`` is the plan id), both on the ``media`` queue
(``dalel worker --queues media``). A job that fails for good leaves its plan ``failed``
with the reason; failures that another attempt cannot fix end the job at once.
"""

from __future__ import annotations

from typing import Any

from evidence.errors import StorageError
from ingest import jobs as ingest_jobs
from ingest.config import IngestSettings
from ingest.errors import UnsupportedMedia
from ingest.stages import Context, Stage
from redaction import background, jobs
from redaction.errors import RedactionError
from redaction.render import dispatch

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
            background.fail(ctx.session, plan_id=plan_id, reason=background.reason(exc))
        if isinstance(exc, PERMANENT):  # ingest's job runner: do not try again
            raise UnsupportedMedia(background.reason(exc)) from exc
        raise
    return {"plan": plan.id, "status": str(plan.status), "derivative": plan.derivative_id}


def run_redact(ctx: Context) -> dict[str, Any]:
    return _run(ctx, "analysis")


def run_render(ctx: Context) -> dict[str, Any]:
    return _run(ctx, "rendering")


STAGES = [
    Stage(name=background.ANALYSE, queue="media", run=run_redact, fingerprint=fingerprint,
          per_subject=True, default_timeout=DAY),
    Stage(name=background.RENDER, queue="media", run=run_render, fingerprint=fingerprint,
          per_subject=True, default_timeout=DAY),
]  # fmt: skip
