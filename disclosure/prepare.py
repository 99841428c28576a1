"""Watermarked copies prepared ahead, by jobs (stage `wmark`, queue `media`).

Stamping an hour of video takes minutes, so it never happens inside a request. When a
disclosure is created or a tranche adds items, every entry whose file takes a watermark
(image, video, PDF: `evidence.service.disclosed_content.needs_watermark`) is stored with
`served_id = None` and one `wmark` job is queued for it (`Job.item_id` is the disclosed
item, `Job.subject` the entry's id). The job, acting as the system worker, renders the
copy for the recipient named in its derivation (`watermark_item`), then sets the entry's
`served_id` and records `item.disclosed` on the new copy's chain, naming the prosecutor
who disclosed it and the recipient.

Until then nothing of the entry is readable: the lookup matches `served_id` only, the
portal says "being prepared", and the API refuses with `WatermarkPending` (409 with
Retry-After) instead of waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from disclosure import watermark
from disclosure.models import Disclosure, DisclosureEntry, DisclosureTranche
from evidence.errors import NotFound
from evidence.models import Case, User
from evidence.service.derive import WORKER
from evidence.service.disclosed_content import watermark_item
from ingest.runtime import jobs
from ingest.runtime.models import Job, JobState
from ingest.runtime.stages import Context

log = logging.getLogger(__name__)
State = Literal["ready", "preparing", "failed"]

STAGE = "wmark"
QUEUE = "media"
TIMEOUT = 6 * 3600  # seconds; an hour of 1080p re-encodes in well under that
RETRY_AFTER_DEFAULT = 30  # seconds, when there is no progress to estimate from


@dataclass(frozen=True, slots=True)
class Readiness:
    """Where one entry's served file stands: "ready", "preparing" or "failed"."""

    state: State
    job: Job | None = None

    @property
    def retry_after(self) -> int:
        """Seconds until it is probably ready, from the job's progress (5 s .. 10 min)."""
        job = self.job
        if job is None or job.state is not JobState.RUNNING or not job.started_at:
            return RETRY_AFTER_DEFAULT
        if job.progress <= 0.01:
            return RETRY_AFTER_DEFAULT
        spent = (utc_now() - job.started_at).total_seconds()
        left = spent * (1 - job.progress) / job.progress
        return int(max(5, min(600, left + 2)))


def readiness(session: Session, entries: Iterable[DisclosureEntry]) -> dict[str, Readiness]:
    """State of each entry's served file, by entry id (one query for the pending ones)."""
    entries = list(entries)
    pending = [e.id for e in entries if e.served_id is None]
    latest: dict[str, Job] = {}
    if pending:
        rows = session.exec(
            select(Job)
            .where(Job.stage == STAGE, col(Job.subject).in_(pending))
            .order_by(col(Job.created_at))
        ).all()
        latest = {job.subject: job for job in rows if job.subject}
    out = {}
    for entry in entries:
        if entry.served_id is not None:
            out[entry.id] = Readiness("ready")
            continue
        job = latest.get(entry.id)
        failed = job is not None and job.state is JobState.FAILED
        out[entry.id] = Readiness("failed" if failed else "preparing", job)
    return out


def to_prepare(entries: Iterable[DisclosureEntry]) -> list[tuple[str, str]]:
    """(entry id, item id) of the entries whose copy a job must make — taken before the
    commit, so queueing afterwards reads no row (and holds no SQLite lock)."""
    return [(e.id, e.item_id) for e in entries if e.served_id is None]


def queue_watermarks(pending: list[tuple[str, str]]) -> list[str]:
    """Queue one `wmark` job per (entry id, item id), after the entries are committed.

    With jobs `sync` the job runs right here. A backend that cannot take the job (Redis
    down) leaves it recorded as queued; `POST /disclosures/{id}/prepare` hands it over
    again. Returns the queued entry ids.
    """
    queued = []
    for entry_id, item_id in pending:
        try:
            jobs.submit(item_id=item_id, stage=STAGE, subject=entry_id)
            queued.append(entry_id)
        except Exception:  # the disclosure is committed; the job can be handed over again
            log.exception("could not queue the watermark of entry %s", entry_id)
    return queued


def requeue(session: Session, disclosure_id: str) -> list[str]:
    """Hand every unfinished watermark job of a disclosure to the backend again
    (failed ones are reset; a job already active in RQ is left alone)."""
    entries = session.exec(
        select(DisclosureEntry).where(
            DisclosureEntry.disclosure_id == disclosure_id,
            col(DisclosureEntry.served_id).is_(None),
            col(DisclosureEntry.withdrawn_in).is_(None),
        )
    ).all()
    state = readiness(session, entries)
    todo = [
        (entry.id, entry.item_id)
        for entry in entries
        if (job := state[entry.id].job) is None or job.state is not JobState.RUNNING
    ]
    session.commit()  # end the read: an inline job writes from a session of its own
    for entry_id, item_id in todo:
        jobs.submit(item_id=item_id, stage=STAGE, subject=entry_id, rerun=True)
    return [entry_id for entry_id, _ in todo]


def watermark_fingerprint(_settings: Any) -> dict[str, Any]:
    return {"watermark": watermark.VERSION}


def run_watermark(ctx: Context) -> dict[str, Any]:
    """The `wmark` stage: render the entry's per-recipient copy and serve it."""
    session = ctx.session
    entry = session.get(DisclosureEntry, ctx.job.subject or "")
    if entry is None or entry.item_id != ctx.item.id:
        raise NotFound("the disclosure entry of this watermark is gone")
    if entry.served_id is not None:
        return {"entry": entry.id, "served": entry.served_id}
    disclosure = session.get(Disclosure, entry.disclosure_id)
    tranche = _tranche(session, entry)
    recipient = session.get(User, disclosure.recipient_id) if disclosure else None
    if disclosure is None or tranche is None or recipient is None:
        raise NotFound("the disclosure of this watermark is gone")
    from disclosure.service import status_of

    status = status_of(disclosure)
    if status != "active" or entry.withdrawn_in is not None:
        return {"entry": entry.id, "skipped": status if status != "active" else "withdrawn"}
    # The stamp is dated by its tranche, so a retry tomorrow makes the same copy.
    date = tranche.created_at.date().isoformat()
    text = watermark.watermark_text(
        lawyer=recipient.full_name or recipient.username, disclosure_id=disclosure.id, date=date
    )
    marked = watermark_item(
        session=session,
        store=ctx.store,
        item_id=entry.item_id,
        render=watermark.renderer(text, on_progress=ctx.progress, timeout=TIMEOUT),
        job_key=f"watermark:{disclosure.id}:{entry.item_id}",
        parameters={
            "text": text,
            "recipient": recipient.username,
            "recipient_id": recipient.id,
            "disclosure": disclosure.id,
            "entry": entry.id,
            "tranche": entry.added_in,
            "disclosed_by": tranche.created_by,
            "date": date,
        },
        tool_version=watermark.VERSION,
        actor=WORKER,
        purpose=f"watermark:{disclosure.id}",
    )
    served = serve(session, entry_id=entry.id, served_id=marked.id if marked else entry.item_id)
    return {"entry": entry.id, "served": served}


def _tranche(session: Session, entry: DisclosureEntry) -> DisclosureTranche | None:
    """The tranche that added the entry (its date stamps the watermark)."""
    return session.exec(
        select(DisclosureTranche).where(
            DisclosureTranche.disclosure_id == entry.disclosure_id,
            DisclosureTranche.number == entry.added_in,
        )
    ).first()


def serve(session: Session, *, entry_id: str, served_id: str) -> str:
    """Make `served_id` the entry's readable file; record `item.disclosed` on its chain
    (as the worker, completing the disclosure the prosecutor made). Idempotent."""
    session.expire_all()
    entry = session.get(DisclosureEntry, entry_id)
    if entry is None:
        raise NotFound("the disclosure entry of this watermark is gone")
    if entry.served_id is not None:
        return entry.served_id
    disclosure = session.get(Disclosure, entry.disclosure_id)
    assert disclosure is not None
    case = session.get(Case, disclosure.case_id)
    tranche = _tranche(session, entry)
    entry.served_id = served_id
    session.add(entry)
    if tranche is not None and served_id not in tranche.added:
        tranche.added = [*tranche.added, served_id]  # a tranche lists the files it serves
        session.add(tranche)
    if served_id != entry.item_id:
        custody.record(
            session=session,
            action=custody.Action.ITEM_DISCLOSED,
            actor=WORKER,
            case_id=disclosure.case_id,
            case_number=case.number if case else None,
            item_id=served_id,
            details={
                "disclosure": disclosure.id,
                "tranche": entry.added_in,
                "recipient": disclosure.recipient_id,
                "disclosed_item": entry.item_id,
                "served_item": served_id,
                "disclosed_by": tranche.created_by if tranche else disclosure.created_by,
                "prepared": "watermark",
            },
        )
    session.commit()
    return served_id
