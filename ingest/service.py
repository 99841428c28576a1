"""Ingest services for the API: job status and re-runs, transcripts (with reviewed
versions), extracted text, chat messages, media metadata.

Keyword-only functions; every one that returns evidence-derived content records the
view through `evidence.service.record_view` first (which also authorises it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from custody.events import utc_now
from evidence import service
from evidence.errors import NotFound
from evidence.i18n import N_
from evidence.models import Item
from evidence.policy import Perm, Principal
from evidence.review_models import Clip
from evidence.service.access import load_item, require
from evidence.storage import ObjectStore
from ingest.errors import (
    EditConflict,
    InvalidEdit,
    NotProcessed,
    UnsupportedMedia,
)

# The job services live in their own module; callers keep using `ingest.service.<name>`.
from ingest.job_service import cancel as cancel
from ingest.job_service import list_jobs as list_jobs
from ingest.job_service import require_manage
from ingest.job_service import rerun as rerun
from ingest.models import (
    ArchiveFinding,
    ChatMessage,
    MediaInfo,
    TextPage,
    Transcript,
    TranscriptOrigin,
)
from ingest.runtime import jobs
from ingest.runtime.models import Job
from ingest.search import replace_entries

REVIEW_TOOL = "dalel-transcript-review"


def _require_sound(session: Session, item: Item, refusal: str) -> None:
    """`refusal` (a message template) unless the item is processed audio or video."""
    info = session.exec(select(MediaInfo).where(MediaInfo.item_id == item.id)).first()
    if info is None or info.kind not in {"video", "audio"}:
        raise UnsupportedMedia(refusal)


def _latest_job(session: Session, *, item_id: str, stage: str, subject: str) -> Job | None:
    """The newest job of a per-subject stage (tool upgrades give new ids, same subject)."""
    session.expire_all()
    return session.exec(
        select(Job)
        .where(Job.item_id == item_id, Job.stage == stage, Job.subject == subject)
        .order_by(col(Job.created_at).desc())
    ).first()


TRANSCRIPT_LANGUAGES = ("kk", "ru", "en")


def transcribe_in(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    language: str,
    client: str | None = None,
) -> Job:
    """Queue a new machine transcript of an item in a chosen language (investigators and
    prosecutors of the case, or administrators). It becomes the next version; earlier
    versions, reviewed ones included, are kept. Asking again returns the same job."""
    if language not in TRANSCRIPT_LANGUAGES:
        raise InvalidEdit(
            "language must be one of %(languages)s", languages=", ".join(TRANSCRIPT_LANGUAGES)
        )
    item, case = load_item(session, item_id)
    require_manage(session, principal, item, case, client)
    _require_sound(session, item, N_("only processed audio and video items can be transcribed"))
    session.commit()
    jobs.submit(item_id=item_id, stage="asr", subject=language)
    found = _latest_job(session, item_id=item_id, stage="asr", subject=language)
    assert found is not None
    return found


def _latest(session: Session, item_id: str, version: int | None = None) -> Transcript:
    query = select(Transcript).where(Transcript.item_id == item_id)
    if version is not None:
        query = query.where(Transcript.version == version)
    row = session.exec(query.order_by(Transcript.version.desc())).first()  # type: ignore[attr-defined]
    if row is None:
        if version:
            raise NotProcessed("no version %(version)s of this transcript", version=version)
        raise NotProcessed("no transcript for this item")
    return row


def get_transcript(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    version: int | None = None,
    client: str | None = None,
) -> Transcript:
    """The latest (or a given) version of an item's transcript; the view is recorded."""
    service.record_view(
        session=session, principal=principal, item_id=item_id, view="transcript", client=client
    )
    return _latest(session, item_id, version)


def transcript_versions(
    *, session: Session, principal: Principal, item_id: str, client: str | None = None
) -> list[Transcript]:
    """Every version, machine first; the machine version is never changed."""
    service.record_view(
        session=session, principal=principal, item_id=item_id, view="transcript.versions",
        client=client,
    )  # fmt: skip
    return list(
        session.exec(
            select(Transcript).where(Transcript.item_id == item_id).order_by(Transcript.version)  # type: ignore[arg-type]
        )
    )


def _check_segments(segments: list[dict[str, Any]]) -> None:
    floor = 0.0
    for n, seg in enumerate(segments, 1):
        if seg["end"] < seg["start"]:
            raise InvalidEdit("segment %(n)s ends before it starts", n=n)
        if seg["start"] < floor:
            raise InvalidEdit("segment %(n)s starts before the previous one", n=n)
        for word in seg.get("words") or []:
            if word["end"] < word["start"]:
                raise InvalidEdit("a word of segment %(n)s ends before it starts", n=n)
        floor = seg["start"]


def edit_transcript(
    *,
    session: Session,
    store: ObjectStore,
    principal: Principal,
    item_id: str,
    segments: list[dict[str, Any]],
    verified: bool,
    language: str | None = None,
    base_version: int | None = None,
    client: str | None = None,
) -> Transcript:
    """Save a reviewer's version as a new version (and a `transcript` derivative made by
    the reviewer); the machine version stays. Investigators and prosecutors only."""
    item, case = load_item(session, item_id)
    require(
        session, principal=principal, perm=Perm.TRANSCRIPT_EDIT, case=case, item=item,
        client=client,
    )  # fmt: skip
    item = service.record_view(
        session=session, principal=principal, item_id=item_id, view="transcript.edit", client=client
    )
    latest = _latest(session, item_id)
    if base_version is not None and base_version != latest.version:
        raise EditConflict(
            "version %(base)s was edited; the latest is %(latest)s: reload and retry",
            base=base_version,
            latest=latest.version,
        )
    _check_segments(segments)
    version = latest.version + 1
    language = language or latest.language
    body = {"language": language, "segments": segments, "version": version, "verified": verified}
    derivation = {
        "tool": REVIEW_TOOL,
        "version": "1",
        "parameters": {"version": version, "base_version": latest.version, "verified": verified},
    }
    derivative = service.register_derivative(
        session=session,
        store=store,
        parent_id=item_id,
        source=json.dumps(body, ensure_ascii=False, indent=1).encode(),
        name=f"{Path(item.original_name).stem or 'item'}.transcript.v{version}.json",
        derivative_kind="transcript",
        derivation=derivation,
        actor=principal.actor(),
    )
    row = Transcript(
        item_id=item_id,
        version=version,
        origin=TranscriptOrigin.REVIEWED,
        language=language,
        duration=latest.duration,
        segments=segments,
        verified=verified,
        edited_by=principal.user_id,
        derivative_id=derivative.id,
        derivation=derivation,
        created_at=utc_now(),
    )
    session.add(row)
    # Search follows the latest version: reviewers fix the words people search for.
    replace_entries(
        session=session, case_id=item.case_id, item_id=item_id, source="transcript",
        entries=[(s["text"], {"start": s["start"], "end": s["end"]}) for s in segments],
        language=language,
    )  # fmt: skip
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise EditConflict("another edit saved the same version first: reload and retry") from exc
    return row


def get_text(
    *, session: Session, principal: Principal, item_id: str, client: str | None = None
) -> list[TextPage]:
    """Extracted or OCR text of an image/PDF item, per page with word boxes."""
    service.record_view(
        session=session, principal=principal, item_id=item_id, view="text", client=client
    )
    pages = list(
        session.exec(select(TextPage).where(TextPage.item_id == item_id).order_by(TextPage.page))  # type: ignore[arg-type]
    )
    if not pages:
        raise NotProcessed("no extracted text for this item")
    return pages


def list_messages(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    limit: int = 200,
    offset: int = 0,
    client: str | None = None,
) -> tuple[int, list[ChatMessage]]:
    """Messages parsed from a chat export item, in export order: (total, page)."""
    service.record_view(
        session=session, principal=principal, item_id=item_id, view="messages", client=client
    )
    total = session.exec(
        select(func.count()).select_from(ChatMessage).where(ChatMessage.item_id == item_id)
    ).one()
    if not total:
        raise NotProcessed("no chat messages for this item")
    rows = session.exec(
        select(ChatMessage)
        .where(ChatMessage.item_id == item_id)
        .order_by(ChatMessage.position)  # type: ignore[arg-type]
        .offset(offset)
        .limit(limit)
    )
    return int(total), list(rows)


def get_metadata(
    *, session: Session, principal: Principal, item_id: str, client: str | None = None
) -> tuple[MediaInfo, list[ArchiveFinding]]:
    """Detected type, probe metadata (device, GPS, times), C2PA, archive findings."""
    service.record_view(
        session=session, principal=principal, item_id=item_id, view="metadata", client=client
    )
    info = session.get(MediaInfo, item_id)
    if info is None:
        raise NotProcessed("the item has not been through detection yet")
    findings = list(session.exec(select(ArchiveFinding).where(ArchiveFinding.item_id == item_id)))
    return info, findings


def item_of(session: Session, item_id: str) -> Item:
    return load_item(session, item_id)[0]


def export_clip(
    *, session: Session, principal: Principal, clip_id: str, client: str | None = None
) -> Job:
    """Queue the export of a bookmarked clip as a `clip` derivative of its item.

    The case's investigators and prosecutors only; the request is recorded in custody.
    Exporting again returns the same job (a failed one is queued again).
    """
    from evidence.service import review

    settings = jobs.runtime().settings

    def prepare(clip: Clip, item: Item) -> str:
        _require_sound(session, item, N_("only processed audio and video items can be clipped"))
        job_id, _key, _fp = jobs.job_identity(
            item=item, stage="clip", settings=settings, subject=clip.id
        )
        return job_id

    clip = review.export_clip(
        session=session, principal=principal, clip_id=clip_id, prepare=prepare, client=client
    )
    jobs.submit(item_id=clip.item_id, stage="clip", subject=clip.id)
    return _clip_job(session, clip)


def clip_export(
    *, session: Session, principal: Principal, clip_id: str, client: str | None = None
) -> Job:
    """The export job of a clip (state, progress, and the derivative once done)."""
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise NotFound("no such clip")
    item, case = load_item(session, clip.item_id)
    require(
        session, principal=principal, perm=Perm.ANNOTATION_READ, case=case, item=item,
        client=client,
    )  # fmt: skip
    return _clip_job(session, clip)


def _clip_job(session: Session, clip: Clip) -> Job:
    job = _latest_job(session, item_id=clip.item_id, stage="clip", subject=clip.id)
    if job is None:
        raise NotProcessed("this clip has not been exported")
    return job


def media_duration(session: Session, item_id: str) -> float | None:
    """Seconds of an audio or video item from its probe (None when not media or not yet
    probed); the vault checks clip and note times against it."""
    info = session.get(MediaInfo, item_id)
    value = (info.probe or {}).get("duration") if info is not None else None
    try:
        seconds = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return seconds if seconds and seconds > 0 else None
