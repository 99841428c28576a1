"""The `purge` stage: an approved purge request, run by the job runtime like any stage.

One job per purge request (`Job.subject` is the request id), attached to the first item
the proposer named, so it is listed with that item's jobs (`GET /items/{id}/jobs`). It
runs `evidence.service.purge_run.run_purge`, which is crash-safe and safe to run again:
a killed worker's job is retried and finishes the request once. While the object store
still keeps an item (its lock is later than the database's date), the job fails with the
reason and is retried on the usual backoff; `dalel retention purge ID` runs it by hand.
"""

from __future__ import annotations

from typing import Any

from evidence.retention_models import PurgeRequest, PurgeState
from evidence.service.purge_run import run_purge
from ingest.config import IngestSettings
from ingest.errors import PurgeIncomplete
from ingest.runtime.stages import Context, Stage

STAGE = "purge"
QUEUE = "default"
TIMEOUT = 6 * 3600  # thousands of objects, each deleted with every version
VERSION = 1


def fingerprint(settings: IngestSettings) -> dict[str, Any]:
    return {"tool": "dalel-purge", "version": VERSION}


def run(ctx: Context) -> dict[str, Any]:
    purge_id = ctx.job.subject or ""
    current = ctx.session.get(PurgeRequest, purge_id)
    if current is not None and current.state not in {PurgeState.APPROVED, PurgeState.DONE}:
        # Rejected or still proposed: nothing to do, and no retry would change that.
        return {"purge": purge_id, "state": str(current.state), "skipped": True}
    request = run_purge(session=ctx.session, store=ctx.store, purge_id=purge_id)
    if request.state is not PurgeState.DONE:
        raise PurgeIncomplete(
            "purge %(purge)s is not finished: %(reason)s",
            purge=purge_id,
            reason=request.error or str(request.state),
        )
    return {"purge": purge_id, "state": str(request.state)}


STAGES = [
    Stage(name=STAGE, queue=QUEUE, run=run, fingerprint=fingerprint, per_subject=True,
          default_timeout=TIMEOUT),
]  # fmt: skip
