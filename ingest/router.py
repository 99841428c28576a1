"""Ingest endpoints (mounted under /api/v1): jobs, transcripts, text, chat messages,
metadata and case search. Thin: every decision is in `ingest.service`/`ingest.search`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import AwareDatetime

from evidence.deps import ClientDep, CurrentPrincipal, SessionDep, StoreDep
from evidence.errors import InvalidInput
from evidence.models import SourceKind
from ingest import errors, service
from ingest import search as search_mod
from ingest.media import transcript_export
from ingest.models import Transcript
from ingest.schemas import (
    SEARCH_SYNTAX,
    FindingPublic,
    HitKind,
    JobPublic,
    MessagePublic,
    MetadataPublic,
    SearchHit,
    SearchResults,
    TextPagePublic,
    TextPublic,
    TranscribeIn,
    TranscriptEdit,
    TranscriptPublic,
    TranscriptVersion,
)

router = APIRouter(tags=["processing"])

# HTTP status of each ingest error, for `evidence.problems` (most specific first).
ERROR_STATUS: list[tuple[type[Exception], int]] = [
    (errors.UnknownStage, 404),
    (errors.NotProcessed, 404),
    (errors.EditConflict, 409),
    (errors.JobNotActive, 409),
    (errors.InvalidEdit, 422),
    (errors.QueueUnavailable, 503),
    (errors.ModelMissing, 503),
    (errors.ToolMissing, 503),
    (errors.UnsupportedMedia, 415),
    (errors.ArchiveRejected, 422),
    (errors.ChatExportInvalid, 422),
    (errors.ToolFailed, 502),
    (errors.IngestError, 500),
]

_EXPORT_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _transcript(row: Transcript) -> TranscriptPublic:
    return TranscriptPublic.model_validate(
        {
            "item_id": row.item_id,
            "language": row.language,
            "segments": row.segments,
            "version": row.version,
            "origin": str(row.origin),
            "verified": row.verified,
            "edited_by": row.edited_by,
            "created_at": row.created_at,
            "duration": row.duration,
        }
    )


@router.get("/items/{item_id}/jobs", response_model=list[JobPublic], summary="Processing jobs")
def item_jobs(
    item_id: str, session: SessionDep, principal: CurrentPrincipal, client: ClientDep
) -> list[Any]:
    """State, attempts, progress and failure reason of every processing stage of an item.

    Reveals no content, so administrators may look too.
    """
    rows = service.list_jobs(session=session, principal=principal, item_id=item_id, client=client)
    return [JobPublic.model_validate(row, from_attributes=True) for row in rows]


@router.post(
    "/items/{item_id}/jobs/{stage}/rerun",
    response_model=JobPublic,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Re-run a processing stage",
)
def rerun_stage(
    item_id: str, stage: str, session: SessionDep, principal: CurrentPrincipal, client: ClientDep
) -> Any:
    """Queue a stage (detect, thumbnail, proxy, transcribe, ocr, unpack) again.

    Administrators, or the case's investigators and prosecutors. Outputs a previous run
    already registered are reused, never duplicated.
    """
    job = service.rerun(
        session=session, principal=principal, item_id=item_id, stage=stage, client=client
    )
    return JobPublic.model_validate(job, from_attributes=True)


@router.post(
    "/items/{item_id}/jobs/{stage}/cancel",
    response_model=JobPublic,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Cancel a queued or running stage",
)
def cancel_stage(
    item_id: str,
    stage: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    client: ClientDep,
    subject: str | None = None,
) -> Any:
    """Cancel the item's newest queued or running job of `stage` (`subject`: the language
    of an `asr` job). A queued job never starts; a running transcription stops within
    about a second and its state becomes `cancelled` (re-run or transcribe again to start
    over). 409 when nothing of that stage is queued or running, or the stage cannot stop
    once running. Administrators, or the case's investigators and prosecutors.
    """
    job = service.cancel(
        session=session, principal=principal, item_id=item_id, stage=stage, subject=subject,
        client=client,
    )  # fmt: skip
    return JobPublic.model_validate(job, from_attributes=True)


@router.post(
    "/clips/{clip_id}/export",
    response_model=JobPublic,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Export a clip as a derivative",
)
def export_clip(
    clip_id: str, session: SessionDep, principal: CurrentPrincipal, client: ClientDep
) -> Any:
    """Cut the clip's time range out of the original into a new `clip` derivative (MP4
    for video, M4A for audio; frame-exact, full resolution, metadata stripped), made by
    a `clip` job. The case's investigators and prosecutors only; the request is recorded
    in custody. Asking again returns the same job; a failed export is queued again.
    Poll `GET /clips/{clip_id}/export`: `result.derivative` is the new item's id."""
    job = service.export_clip(session=session, principal=principal, clip_id=clip_id, client=client)
    return JobPublic.model_validate(job, from_attributes=True)


@router.get("/clips/{clip_id}/export", response_model=JobPublic, summary="Clip export state")
def clip_export(
    clip_id: str, session: SessionDep, principal: CurrentPrincipal, client: ClientDep
) -> Any:
    """The clip's export job; 404 when it was never exported."""
    job = service.clip_export(session=session, principal=principal, clip_id=clip_id, client=client)
    return JobPublic.model_validate(job, from_attributes=True)


@router.post(
    "/items/{item_id}/transcribe",
    response_model=JobPublic,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Transcribe again in a chosen language",
)
def transcribe_in(
    item_id: str,
    body: TranscribeIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    client: ClientDep,
) -> Any:
    """Queue an `asr` job that transcribes the recording in `language` (kk, ru or en)
    instead of the detected or configured one; the result becomes the next machine
    version of the transcript (earlier and reviewed versions are kept). The case's
    investigators and prosecutors, or administrators; 415 for items without sound."""
    job = service.transcribe_in(
        session=session, principal=principal, item_id=item_id, language=body.language,
        client=client,
    )  # fmt: skip
    return JobPublic.model_validate(job, from_attributes=True)


@router.get("/items/{item_id}/transcript", response_model=TranscriptPublic, summary="Transcript")
def get_transcript(
    item_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    client: ClientDep,
    version: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> Any:
    """The latest transcript version (or `?version=`): segments with word timestamps.

    Recorded in custody as a read of the item's content.
    """
    row = service.get_transcript(
        session=session, principal=principal, item_id=item_id, version=version, client=client
    )
    return _transcript(row)


@router.put(
    "/items/{item_id}/transcript", response_model=TranscriptPublic, summary="Edit transcript"
)
def put_transcript(
    item_id: str,
    body: TranscriptEdit,
    session: SessionDep,
    store: StoreDep,
    principal: CurrentPrincipal,
    client: ClientDep,
) -> Any:
    """Save a reviewed version (optionally marked verified) as a new version.

    The machine version and earlier versions stay; the new one is also stored as a
    `transcript` derivative made by the reviewer. Investigators and prosecutors only.
    """
    row = service.edit_transcript(
        session=session,
        store=store,
        principal=principal,
        item_id=item_id,
        segments=[s.model_dump() for s in body.segments],
        verified=body.verified,
        language=body.language,
        base_version=body.base_version,
        client=client,
    )
    return _transcript(row)


@router.get(
    "/items/{item_id}/transcript/versions",
    response_model=list[TranscriptVersion],
    summary="Transcript versions",
)
def transcript_versions(
    item_id: str, session: SessionDep, principal: CurrentPrincipal, client: ClientDep
) -> list[Any]:
    """Version history: machine version first, then each reviewer's version."""
    rows = service.transcript_versions(
        session=session, principal=principal, item_id=item_id, client=client
    )
    return [
        TranscriptVersion.model_validate(
            {**row.model_dump(), "origin": str(row.origin)}, from_attributes=False
        )
        for row in rows
    ]


@router.get(
    "/items/{item_id}/transcript.{fmt}",
    summary="Transcript export",
    response_class=Response,
    responses={200: {"content": {t.split(";")[0]: {} for t in _EXPORT_TYPES.values()}}},
)
def export_transcript(
    item_id: str,
    fmt: Literal["txt", "srt", "vtt", "docx", "pdf"],
    session: SessionDep,
    principal: CurrentPrincipal,
    client: ClientDep,
    version: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> Response:
    """The transcript as plain text, SubRip, WebVTT, or a protocol draft (DOCX or PDF)
    that says plainly it is an unverified machine transcript until a reviewer marks it."""
    row = service.get_transcript(
        session=session, principal=principal, item_id=item_id, version=version, client=client
    )
    data = {"language": row.language, "duration": row.duration, "segments": row.segments}
    if fmt == "txt":
        body: bytes = transcript_export.to_txt(data).encode()
    elif fmt == "srt":
        body = transcript_export.to_srt(data).encode()
    elif fmt == "vtt":
        body = transcript_export.to_vtt(data).encode()
    else:
        item = service.item_of(session, item_id)
        fields = {
            "Файл": item.original_name,
            "Версия": str(row.version),
            "Проверено": "да" if row.verified else "нет",
        }
        write = transcript_export.write_docx if fmt == "docx" else transcript_export.write_pdf
        with tempfile.TemporaryDirectory(prefix="dalel-draft-") as tmp:
            out = Path(tmp) / f"draft.{fmt}"
            write(data, output=out, fields=fields)
            body = out.read_bytes()
    stem = Path(service.item_of(session, item_id).original_name).stem or "transcript"
    return Response(
        body,
        media_type=_EXPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{_ascii(stem)}.{fmt}"'},
    )


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c not in '"\\' else "_" for c in name) or "transcript"


@router.get("/items/{item_id}/text", response_model=TextPublic, summary="Extracted text")
def item_text(
    item_id: str, session: SessionDep, principal: CurrentPrincipal, client: ClientDep
) -> Any:
    """Text of an image or PDF: per page, with word boxes (pixels at the page's dpi)."""
    pages = service.get_text(session=session, principal=principal, item_id=item_id, client=client)
    return TextPublic(
        item_id=item_id,
        text="\n\f".join(p.text for p in pages),
        pages=[TextPagePublic.model_validate(p, from_attributes=True) for p in pages],
    )


@router.get(
    "/items/{item_id}/messages", response_model=list[MessagePublic], summary="Chat messages"
)
def item_messages(
    item_id: str,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    client: ClientDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> list[Any]:
    """Messages of a Telegram or WhatsApp export item, in order; attachments link to
    the child items unpacked from the same export. Total count in `X-Total-Count`."""
    total, rows = service.list_messages(
        session=session, principal=principal, item_id=item_id, limit=limit, offset=offset,
        client=client,
    )  # fmt: skip
    response.headers["X-Total-Count"] = str(total)
    return [MessagePublic.model_validate(r, from_attributes=True) for r in rows]


@router.get("/items/{item_id}/metadata", response_model=MetadataPublic, summary="Media metadata")
def item_metadata(
    item_id: str, session: SessionDep, principal: CurrentPrincipal, client: ClientDep
) -> Any:
    """Type detected from the content (and any extension mismatch), ffprobe/exiftool/PDF
    metadata, C2PA result, and archive members that were not extracted, with reasons."""
    info, findings = service.get_metadata(
        session=session, principal=principal, item_id=item_id, client=client
    )
    return MetadataPublic(
        item_id=item_id,
        media_type=info.media_type,
        kind=info.kind,
        extension=info.extension,
        extension_mismatch=info.extension_mismatch,
        mismatch_reason=info.mismatch_reason,
        probe=info.probe,
        probe_error=info.probe_error,
        c2pa=info.c2pa,
        archive_findings=[FindingPublic.model_validate(f, from_attributes=True) for f in findings],
    )


@router.get("/cases/{case_id}/search", response_model=SearchResults, summary="Search a case")
def search_case(
    case_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    client: ClientDep,
    q: Annotated[str, Query(max_length=500, description=SEARCH_SYNTAX)] = "",
    kind: Annotated[
        list[HitKind] | None, Query(description="only hits of these kinds (repeatable)")
    ] = None,
    source_kind: Annotated[
        list[SourceKind] | None, Query(description="only items from these sources (repeatable)")
    ] = None,
    since: Annotated[
        AwareDatetime | None, Query(description="sent (chats) or captured at or after")
    ] = None,
    until: Annotated[
        AwareDatetime | None, Query(description="sent (chats) or captured at or before")
    ] = None,
    tag: Annotated[str | None, Query(max_length=64, description="items with this tag")] = None,
    sender: Annotated[
        str | None, Query(max_length=300, description="chat messages from this name or number")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Any:
    """Full text over transcripts, OCR, PDF and office text, and chat messages (with their
    senders' names and numbers) of one case, in any word form, in kk, ru and en.

    Only items the caller may read; each hit names its item and where to look:
    `{"start","end"}` seconds, `{"page"}`, or `{"message"}`. Exact and stemmed hits come
    first, then hits found only through a similar name (`fuzzy: true`). A query needs
    words (`q`) or a `sender`.
    """
    if not q.strip() and not (sender or "").strip():
        raise InvalidInput("give words to search for (q) or a sender")
    filters = search_mod.Filters(
        kinds=tuple(kind or ()), source_kinds=tuple(s.value for s in source_kind or ()),
        since=since, until=until, tag=tag or None, sender=(sender or "").strip() or None,
    )  # fmt: skip
    hits = search_mod.search(
        session=session, principal=principal, case_id=case_id, q=q, limit=limit, offset=offset,
        filters=filters, client=client,
    )  # fmt: skip
    return SearchResults(q=q, hits=[SearchHit(**h.as_dict()) for h in hits])
