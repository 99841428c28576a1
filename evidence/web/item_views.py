"""The item page (player or viewer, transcript, metadata, derived items, custody timeline,
tags, notes, clips) and its forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from evidence import service
from evidence.deps import ClientDep, MediaDep, SessionDep
from evidence.errors import InvalidInput
from evidence.models import Case, Item
from evidence.policy import Perm
from evidence.service import retention_info, review
from evidence.service.access import permits
from evidence.service.review_case import media_kind
from evidence.web.core import Me, WebRoute, page

router = APIRouter(include_in_schema=False, route_class=WebRoute)


def _seconds(value: str) -> float | None:
    """Accept 75, 75.5, 1:15 or 0:01:15 (what people type when they read a player)."""
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        parts = [float(p) for p in value.split(":")]
    except ValueError as exc:
        raise InvalidInput("times are seconds or m:ss") from exc
    total = 0.0
    for part in parts:
        total = total * 60 + part
    return total


@router.get("/items/{item_id}")
def item_page(
    item_id: str, request: Request, me: Me, session: SessionDep, media: MediaDep, client: ClientDep
) -> Response:
    item, blob = service.get_item(session=session, principal=me, item_id=item_id, client=client)
    derived = service.list_derivatives(
        session=session, principal=me, item_id=item.id, client=client
    )
    notes = review.item_annotations(session=session, principal=me, item_id=item.id, client=client)
    event_count, events = service.custody_page(
        session=session, principal=me, item_id=item.id, client=client
    )
    case = session.get(Case, item.case_id)

    def may(perm: Perm) -> bool:
        return permits(session, principal=me, perm=perm, case=case, item=item)

    may_play, may_edit = may(Perm.ITEM_CONTENT), may(Perm.ANNOTATION_WRITE)
    may_export = may(Perm.CLIP_EXPORT)  # a clip's export is new evidence
    may_tag = may(Perm.TAG_WRITE)
    kept = retention_info.item_retention_unchecked(session, item)
    gone = kept.purge is not None and bool(kept.purge.purged_at or kept.purge.purging_at)
    may_play = may_play and not gone
    may_retention = may(Perm.RETENTION_READ)
    may_hold = may(Perm.HOLD_SET) and not gone
    exports = media.clip_exports(session, [c.id for c in notes.clips])
    transcribing = media.transcribing(session, item.id)
    speech = media.speech_state(session, item.id)
    facts = media.file_facts(session, [item.id]).get(item.id, {})
    session.commit()
    by_kind = {child.derivative_kind: (child, b) for child, b in derived if child.derivative_kind}
    proxy = by_kind.get("proxy")
    kind = media_kind(blob.media_type)
    source_id, source_type = item.id, blob.media_type
    if proxy is not None and kind in {"video", "audio"}:
        source_id, source_type = proxy[0].id, proxy[1].media_type
    # A derivative shares its parent's case and uploader, so the caller may see its name.
    parent = session.get(Item, item.parent_id) if item.parent_id else None
    return page(
        request,
        "item.html",
        me,
        item=item,
        blob=blob,
        kind=kind,
        derived=derived,
        parent=parent,
        thumbnail=by_kind.get("thumbnail"),
        source_id=source_id,
        source_type=source_type,
        may_play=may_play,
        may_edit=may_edit,
        may_tag=may_tag,
        may_export=may_export,
        exports=exports,
        transcribing=transcribing,
        speech=speech,
        facts=facts,
        annotations=notes,
        events=events,
        event_count=event_count,
        retention=kept if may_retention else None,
        purged=kept.purge if gone else None,
        may_hold=may_hold,
        wasm=True,  # pdf.js decodes images with WebAssembly
    )


@router.post("/items/{item_id}/tags")
def add_tag(
    item_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    tags: Annotated[str, Form()],
) -> Response:
    names = [n for n in tags.split(",") if n.strip()]
    review.tag_items(session=session, principal=me, item_ids=[item_id], names=names, client=client)
    return RedirectResponse(f"/items/{item_id}#tags", status_code=303)


@router.post("/items/{item_id}/tags/remove")
def remove_tag(
    item_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    tag: Annotated[str, Form()],
) -> Response:
    review.untag_item(session=session, principal=me, item_id=item_id, name=tag, client=client)
    return RedirectResponse(f"/items/{item_id}#tags", status_code=303)


@router.post("/items/{item_id}/notes")
def add_note(
    item_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    body: Annotated[str, Form()],
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
    page_no: Annotated[str, Form(alias="page")] = "",
    region: Annotated[str, Form()] = "",
    private: Annotated[str, Form()] = "",
) -> Response:
    review.add_note(
        session=session,
        principal=me,
        item_id=item_id,
        body=body,
        start=_seconds(start),
        end=_seconds(end),
        page=int(page_no) if page_no.strip().isdigit() else None,
        region=region or None,
        private=private == "1",
        client=client,
    )
    return RedirectResponse(f"/items/{item_id}#notes", status_code=303)


@router.post("/notes/{note_id}/delete")
def delete_note(
    note_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    item: Annotated[str, Form()],
) -> Response:
    review.delete_note(session=session, principal=me, note_id=note_id, client=client)
    return RedirectResponse(f"/items/{item}#notes", status_code=303)


@router.post("/items/{item_id}/clips")
def add_clip(
    item_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    start: Annotated[str, Form()],
    end: Annotated[str, Form()],
    title: Annotated[str, Form()] = "",
) -> Response:
    begin, finish = _seconds(start), _seconds(end)
    if begin is None or finish is None:
        raise InvalidInput("a clip needs a start and an end")
    review.add_clip(
        session=session,
        principal=me,
        item_id=item_id,
        start=begin,
        end=finish,
        title=title,
        client=client,
    )
    return RedirectResponse(f"/items/{item_id}#clips", status_code=303)


@router.post("/clips/{clip_id}/delete")
def delete_clip(
    clip_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    client: ClientDep,
    item: Annotated[str, Form()],
) -> Response:
    review.delete_clip(session=session, principal=me, clip_id=clip_id, client=client)
    return RedirectResponse(f"/items/{item}#clips", status_code=303)


@router.post("/clips/{clip_id}/export")
def export_clip(
    clip_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    media: MediaDep,
    client: ClientDep,
    item: Annotated[str, Form()],
) -> Response:
    media.export_clip(session=session, principal=me, clip_id=clip_id, client=client)
    return RedirectResponse(f"/items/{item}#clips", status_code=303)


@router.post("/items/{item_id}/jobs/{stage}/cancel")
def cancel_job(
    item_id: str,
    stage: str,
    request: Request,
    me: Me,
    session: SessionDep,
    media: MediaDep,
    client: ClientDep,
) -> Response:
    media.cancel_job(session=session, principal=me, item_id=item_id, stage=stage, client=client)
    return RedirectResponse(f"/items/{item_id}", status_code=303)


@router.post("/items/{item_id}/transcribe")
def transcribe_in(
    item_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    media: MediaDep,
    client: ClientDep,
    language: Annotated[str, Form()],
) -> Response:
    media.transcribe_in(
        session=session, principal=me, item_id=item_id, language=language, client=client
    )
    return RedirectResponse(f"/items/{item_id}", status_code=303)
