"""Where processing starts: the vault's item-added hook → detection → by kind.

`on_item_added` is registered by `evidence.app` (via `install`). Detection decides the
follow-up stages (see `ingest.stages.detect.follow_ups`): video → thumbnail, proxy,
transcription; audio → proxy, transcription; image → web JPEG, thumbnail, OCR;
PDF → text/OCR; archives and chat exports → unpack.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from evidence.hooks import Hooks
from evidence.models import ItemKind
from evidence.storage import ObjectStore
from ingest.config import IngestSettings
from ingest.runtime import jobs, queue, sweeper
from ingest.runtime.models import Job, JobState

log = logging.getLogger(__name__)


def on_item_added(item_id: str, kind: str) -> None:
    """Start processing a new original or unpacked child (derivatives are outputs, not
    inputs: they are never processed again)."""
    if kind == str(ItemKind.DERIVATIVE):
        return
    jobs.submit(item_id=item_id, stage="detect")


def on_items_added(item_ids: list[str], kind: str) -> None:
    """`on_item_added` for a batch: the detect jobs of all of them in one transaction."""
    if kind == str(ItemKind.DERIVATIVE):
        return
    jobs.submit_many(item_ids=item_ids, stage="detect")


def install(
    *, engine: Engine, store: ObjectStore, hooks: Hooks, settings: IngestSettings | None = None
) -> None:
    """Wire ingest into an application: jobs use its engine and store, and new items
    (told through the app's `hooks`) start the pipeline. Called by `create_app`."""
    jobs.configure(engine=engine, store=store, settings=settings)
    listen(hooks)


def listen(hooks: Hooks) -> None:
    """Start processing the items `hooks` tell of (`Hooks.forget(on_item_added)` stops it)."""
    hooks.on_item_added(on_item_added)
    hooks.on_items_added(on_items_added, instead_of=on_item_added)


def resume_pending() -> int:
    """Hand queued or interrupted jobs back to the in-process pool after a restart.

    First the scratch folders of jobs whose process died (a kill -9 of the server
    mid-job leaves its copy of the evidence there) are removed. Resuming is only for
    the thread backend: RQ keeps its own queues (and retries abandoned jobs), inline
    and off modes have nothing waiting. Returns how many jobs were resumed.
    """
    rt = jobs.runtime()
    for folder in sweeper.remove_dead_scratch(rt.settings):
        log.warning("removed the scratch folder of a job whose process died: %s", folder)
    if queue.mode(rt.settings) != "thread":
        return 0
    try:
        with Session(rt.engine) as session:
            pending = session.exec(
                select(Job).where(Job.state.in_([JobState.QUEUED, JobState.RUNNING]))  # type: ignore[attr-defined]
            ).all()
    except SQLAlchemyError:  # no tables yet (before the first migration): nothing to resume
        log.warning("could not look for pending jobs", exc_info=True)
        return 0
    for job in pending:
        queue.dispatch(job_id=job.id, queue_name=job.queue, stage=job.stage, settings=rt.settings)
    return len(pending)


def shutdown() -> None:
    """Stop in-process job threads (application shutdown)."""
    queue.shutdown(wait=False)
