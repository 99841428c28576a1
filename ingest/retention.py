"""What ingest derived from an item's content goes with the item's bytes when the item is
purged after its retention: its transcripts, text pages, chat messages, media metadata,
archive findings and search entries. Called by the purge (through `evidence.hooks`) in
the transaction that records `item.purged`, so they go together or not at all.

The purge itself runs as the job runtime's `purge` stage (`ingest.stages.purge`):
`submit_purge` queues it once the second person has approved, `run_purge_now` runs it
at once (`dalel retention purge ID`)."""

from __future__ import annotations

from sqlalchemy import delete, text
from sqlmodel import Session, col, select

from evidence.errors import NotFound
from evidence.models import Item
from evidence.retention_models import PurgeItem, PurgeRequest, PurgeState
from ingest.models import ArchiveFinding, ChatMessage, MediaInfo, TextPage, Transcript
from ingest.runtime import jobs
from ingest.runtime.models import Job, JobState
from ingest.search import index as search_index
from ingest.stages.purge import STAGE


def forget_item(session: Session, item_id: str) -> None:
    """Remove every row of content ingest derived from one item (no commit)."""
    case_id = session.execute(
        text("SELECT case_id FROM item WHERE id = :item"), {"item": item_id}
    ).scalar_one()
    # Its entries, the names only it brought into the case's vocabulary, and (SQLite)
    # the deleted words left in the full-text index's pages.
    search_index.forget_item(session=session, case_id=case_id, item_id=item_id)
    for model in (TextPage, Transcript, ChatMessage, ArchiveFinding, MediaInfo):
        session.execute(delete(model).where(col(model.item_id) == item_id))


def purge_anchor(session: Session, purge_id: str) -> str:
    """The item a purge's job is attached to: the first item the proposer named."""
    rows = session.exec(
        select(PurgeItem.item_id, PurgeItem.via)
        .where(PurgeItem.purge_id == purge_id)
        .order_by(col(PurgeItem.item_id))
    ).all()
    if not rows:
        raise NotFound("no such purge request")
    named = [item_id for item_id, via in rows if via is None]
    return (named or [rows[0][0]])[0]


def submit_purge(purge_id: str) -> bool:
    """Queue the `purge` job of an approved request (RQ, the in-process pool or inline,
    as `DALEL_JOBS` says); a job already queued, running or done is left alone."""
    rt = jobs.runtime()
    with Session(rt.engine) as session:
        anchor = purge_anchor(session, purge_id)
        item = session.get(Item, anchor)
        request = session.get(PurgeRequest, purge_id)
        assert item is not None and request is not None
        job_id, _key, _fp = jobs.job_identity(
            item=item, stage=STAGE, settings=rt.settings, subject=purge_id
        )
        earlier = session.get(Job, job_id)
        # A job that ended before the approval (run by hand too early) starts again.
        again = (
            earlier is not None
            and earlier.state is JobState.DONE
            and request.state is PurgeState.APPROVED
        )
    jobs.submit(item_id=anchor, stage=STAGE, subject=purge_id, rerun=again)
    return True


def run_purge_now(purge_id: str) -> Job:
    """Run (or finish) a purge's job in this process, whatever the backend: the job row
    is reset to queued and run with no retry (`dalel retention purge ID`). An exception
    of the stage is recorded on the job and raised."""
    rt = jobs.runtime()
    with Session(rt.engine, expire_on_commit=False) as session:
        anchor = purge_anchor(session, purge_id)
        job = jobs.prepare(
            session=session, item_id=anchor, stage=STAGE, subject=purge_id, rerun=True
        )
    assert job is not None
    token = jobs.final_attempt.set(True)
    try:
        jobs.run_job(job.id)
    finally:
        jobs.final_attempt.reset(token)
    with Session(rt.engine, expire_on_commit=False) as session:
        fresh = session.get(Job, job.id)
    assert fresh is not None
    return fresh
