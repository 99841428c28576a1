"""Processing jobs of an item, for people: list them, run a stage again, cancel one.

The runtime (`ingest.runtime`) runs jobs; this is the policy-checked service the REST
endpoints and pages call (re-exported by `ingest.service`).
"""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from evidence.models import Case, Item
from evidence.policy import Perm, Principal
from evidence.service.access import load_item, permits, require
from ingest.errors import JobNotActive, UnknownStage
from ingest.runtime import jobs, queue
from ingest.runtime.models import Job, JobState

__all__ = ["cancel", "list_jobs", "requeue_not_configured", "require_manage", "rerun"]


def list_jobs(
    *, session: Session, principal: Principal, item_id: str, client: str | None = None
) -> list[Job]:
    """An item's jobs with state and failure reason, so administrators (who never read
    evidence) may see them too (`job.read`). A failure's text can quote the evidence
    (a parser naming what it choked on): those who may not read the item's content see
    only the kind of failure."""
    item, case = load_item(session, item_id)
    require(session, principal=principal, perm=Perm.JOB_READ, case=case, item=item, client=client)
    return _as_seen(session, principal, item, case, jobs.jobs_for(session=session, item_id=item_id))


def _as_seen(
    session: Session, principal: Principal, item: Item, case: Case, rows: list[Job]
) -> list[Job]:
    """Jobs as this caller may see them: whole for those who may read the item's
    content, else with each error reduced to the kind of failure (never written back)."""
    if permits(session, principal=principal, perm=Perm.ITEM_CONTENT, case=case, item=item):
        return rows
    for job in rows:
        session.expunge(job)  # what this caller sees is never written back
        job.error = _content_free(job.error)
    return rows


_KIND = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::|$)")


def _content_free(error: str | None) -> str | None:
    """A job error without its text: the failure's kind (`UnsupportedMedia: a.xlsx: …`
    becomes `UnsupportedMedia`), for people who may not read the item."""
    if error is None:
        return None
    kind = _KIND.match(error)
    name = kind.group(1) if kind else "failed"
    return f"{name} (the reason is shown to those who may read the item)"


def rerun(
    *, session: Session, principal: Principal, item_id: str, stage: str, client: str | None = None
) -> Job:
    """Queue a stage again (administrators, or the case's investigators and prosecutors)."""
    from ingest.runtime.stages import stages

    item, case = load_item(session, item_id)
    require_manage(session, principal, item, case, client)
    if stage not in stages():
        raise UnknownStage(
            "no such stage: %(stage)s; stages are %(stages)s",
            stage=stage,
            stages=", ".join(sorted(stages())),
        )
    session.commit()
    job = jobs.submit(item_id=item_id, stage=stage, rerun=True)
    assert job is not None
    session.expire_all()
    fresh = session.get(Job, job.id)
    return _as_seen(session, principal, item, case, [fresh or job])[0]


def cancel(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    stage: str,
    subject: str | None = None,
    client: str | None = None,
) -> Job:
    """Cancel the item's queued or running job of `stage` (managers, as for re-runs).

    A queued job never starts; a running one stops at its next progress report, which
    only stages marked `cancellable` (transcription) make; others run to their end.
    """
    from ingest.runtime.stages import stages

    item, case = load_item(session, item_id)
    require_manage(session, principal, item, case, client)
    spec = stages().get(stage)
    if spec is None:
        raise UnknownStage(
            "no such stage: %(stage)s; stages are %(stages)s",
            stage=stage,
            stages=", ".join(sorted(stages())),
        )
    active = [
        job
        for job in jobs.jobs_for(session=session, item_id=item_id)
        if job.stage == stage and (subject is None or job.subject == subject)
        and job.state in {JobState.QUEUED, JobState.RUNNING}
    ]  # fmt: skip
    if not active:
        raise JobNotActive("no %(stage)s job of this item is queued or running", stage=stage)
    job = active[-1]
    if job.state is JobState.RUNNING and not spec.cancellable:
        raise JobNotActive(
            "a running %(stage)s job cannot be stopped; it ends by itself", stage=stage
        )
    # A job waiting for its next attempt keeps the last one's error: the canceller may
    # be an administrator, who sees only its kind.
    return _as_seen(session, principal, item, case, [jobs.cancel(session=session, job=job)])[0]


def require_manage(
    session: Session, principal: Principal, item: Item, case: Case, client: str | None
) -> None:
    """`job.run`: administrators, or the case's investigators and prosecutors."""
    require(session, principal=principal, perm=Perm.JOB_RUN, case=case, item=item, client=client)


# Stages that end `not_configured` while the server has no speech model.
WAITING_FOR_MODEL = ("transcribe", "asr")


def requeue_not_configured(
    *, stages: tuple[str, ...] = WAITING_FOR_MODEL, dispatch: bool = True
) -> list[Job]:
    """Queue again every job that ended "not configured" (no model), after a model was
    installed or configured (`dalel models install|import|requeue`): the operator's
    bulk re-run, no item at a time. Each gets the job of today's settings (its id names
    the model now found); the old row, which produced nothing, makes way for it. With
    `dispatch` False the rows are only queued (the in-process runner of `dalel serve`
    starts queued jobs when it starts). Jobs still lacking their model end
    "not configured" again. Returns the queued jobs."""
    rt = jobs.runtime()
    with Session(rt.engine, expire_on_commit=False) as session:
        waiting = list(
            session.exec(
                select(Job)
                .where(Job.state == JobState.NOT_CONFIGURED, col(Job.stage).in_(stages))
                .order_by(col(Job.created_at))
            )
        )
    queued: list[Job] = []
    for old in waiting:
        with Session(rt.engine, expire_on_commit=False) as session:
            job = jobs.prepare(
                session=session, item_id=old.item_id, stage=old.stage, subject=old.subject
            )
            if job is None:  # today's job of that stage ran already (re-run by hand)
                continue
            if job.id != old.id:
                stale = session.get(Job, old.id)
                if stale is not None and stale.state is JobState.NOT_CONFIGURED:
                    session.delete(stale)
                    session.commit()
        if dispatch:
            queue.dispatch(
                job_id=job.id, queue_name=job.queue, stage=job.stage, settings=rt.settings
            )
        queued.append(job)
    return queued
