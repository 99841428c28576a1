"""Review endpoints: tags (single and bulk), notes, clips, note search and the case
timeline — everything the review pages do, for other systems and scripts.

Transcript edits, text and full-text case search are ingest's endpoints
(`/items/{id}/transcript`, `/items/{id}/text`, `/cases/{id}/search`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from evidence.deps import ClientDep, CurrentPrincipal, MediaDep, SessionDep
from evidence.service import review, review_case

router = APIRouter(tags=["review"])


# One request tags at most this many items with at most this many tags: a tag is a
# custody event per item, and a request must never stall the server.
MAX_TAGS = 50
MAX_ITEMS = 2_000
# Seconds of media: about 11.5 days, longer than any recording we hold.
MAX_SECONDS = 1_000_000.0
# Longer than the service rule (a tag is at most 64 characters, a clear 400 message),
# short enough to refuse floods before they are parsed further.
Tag = Annotated[str, Field(min_length=1, max_length=200)]
ItemId = Annotated[str, Field(min_length=1, max_length=64)]


class TagsAdd(BaseModel):
    tags: list[Tag] = Field(
        min_length=1, max_length=MAX_TAGS, description="tag names (case-insensitive)"
    )


class BulkTag(TagsAdd):
    items: list[ItemId] = Field(
        min_length=1, max_length=MAX_ITEMS, description="ids of items of this case"
    )


class Tagged(BaseModel):
    added: int = Field(description="new item-tag links (existing ones are left alone)")


class NoteCreate(BaseModel):
    body: str = Field(min_length=1, max_length=4000)
    start: float | None = Field(
        default=None,
        ge=0,
        le=MAX_SECONDS,
        description="seconds from the start (within the media's duration)",
    )
    end: float | None = Field(default=None, ge=0, le=MAX_SECONDS)
    page: int | None = Field(default=None, ge=1, le=1_000_000)
    region: str | None = Field(
        default=None, max_length=100, description="x,y,w,h as fractions of the frame or page"
    )
    private: bool = Field(default=False, description="visible to the author only")


class NotePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    item_id: str
    author_id: str
    body: str
    start: float | None
    end: float | None
    page: int | None
    region: str | None
    private: bool
    created_at: datetime


class ClipCreate(BaseModel):
    start: float = Field(ge=0, le=MAX_SECONDS, description="within the media's duration")
    end: float = Field(gt=0, le=MAX_SECONDS)
    title: str = Field(default="", max_length=200)


class ClipPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    item_id: str
    author_id: str
    title: str
    start: float
    end: float
    created_at: datetime


class Annotations(BaseModel):
    tags: list[str]
    notes: list[NotePublic]
    clips: list[ClipPublic]


class TimelineEntry(BaseModel):
    at: datetime
    kind: Literal["item", "message"]
    item_id: str
    name: str | None = Field(default=None, description="item name (items)")
    source_kind: str | None = None
    sender: str | None = Field(default=None, description="sender (chat messages)")
    text: str | None = None


@router.get("/cases/{case_id}/tags", response_model=dict[str, int], summary="Tags of a case")
def case_tags(
    case_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> dict[str, int]:
    """Every tag used in the case with the number of items carrying it."""
    return review_case.tag_counts(
        session=session, principal=principal, case_id=case_id, client=client
    )


@router.post("/cases/{case_id}/tags", response_model=Tagged, summary="Tag many items")
def bulk_tag(
    case_id: str, body: BulkTag, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> Tagged:
    """Add tags to many items of one case at once; all or nothing. Each changed item gets
    an `item.tag.added` custody event."""
    review_case.tag_counts(session=session, principal=principal, case_id=case_id, client=client)
    added = review.tag_items(
        session=session, principal=principal, item_ids=body.items, names=body.tags, client=client
    )
    return Tagged(added=added)


@router.get("/items/{item_id}/annotations", response_model=Annotations, summary="Annotations")
def item_annotations(
    item_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> Any:
    """Tags, notes (shared, and the caller's private ones) and clips of an item."""
    found = review.item_annotations(
        session=session, principal=principal, item_id=item_id, client=client
    )
    return Annotations(
        tags=found.tags,
        notes=[NotePublic.model_validate(n) for n in found.notes],
        clips=[ClipPublic.model_validate(c) for c in found.clips],
    )


@router.post("/items/{item_id}/tags", response_model=Tagged, summary="Tag an item")
def tag_item(
    item_id: str, body: TagsAdd, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> Tagged:
    added = review.tag_items(
        session=session, principal=principal, item_ids=[item_id], names=body.tags, client=client
    )
    return Tagged(added=added)


@router.delete("/items/{item_id}/tags/{name}", status_code=204, summary="Untag an item")
def untag_item(
    item_id: str, name: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> None:
    review.untag_item(
        session=session, principal=principal, item_id=item_id, name=name, client=client
    )


@router.post(
    "/items/{item_id}/notes", response_model=NotePublic, status_code=201, summary="Add a note"
)
def add_note(
    item_id: str,
    body: NoteCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> Any:
    """A note on the item, optionally at a time (range), a page or a region. The custody
    event names the note, not its text."""
    note = review.add_note(
        session=session, principal=principal, item_id=item_id, client=client, **body.model_dump()
    )
    return NotePublic.model_validate(note)


@router.delete("/notes/{note_id}", status_code=204, summary="Delete own note")
def delete_note(
    note_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> None:
    review.delete_note(session=session, principal=principal, note_id=note_id, client=client)


@router.post(
    "/items/{item_id}/clips", response_model=ClipPublic, status_code=201, summary="Add a clip"
)
def add_clip(
    item_id: str,
    body: ClipCreate,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
) -> Any:
    """Bookmark a time range of an audio or video item."""
    clip = review.add_clip(
        session=session, principal=principal, item_id=item_id, client=client, **body.model_dump()
    )
    return ClipPublic.model_validate(clip)


@router.delete("/clips/{clip_id}", status_code=204, summary="Delete a clip")
def delete_clip(
    clip_id: str, principal: CurrentPrincipal, session: SessionDep, client: ClientDep
) -> None:
    review.delete_clip(session=session, principal=principal, clip_id=clip_id, client=client)


@router.get("/cases/{case_id}/notes", response_model=list[NotePublic], summary="Search notes")
def search_notes(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    client: ClientDep,
    q: str = Query(min_length=1, max_length=200),
) -> Any:
    """Notes of the case containing `q` (case-insensitive) that the caller may see."""
    review_case.record_search(
        session=session, principal=principal, case_id=case_id, text=q, client=client
    )
    notes = review_case.search_notes(session=session, principal=principal, case_id=case_id, text=q)
    return [NotePublic.model_validate(n) for n in notes]


@router.get(
    "/cases/{case_id}/timeline", response_model=list[TimelineEntry], summary="Case timeline"
)
def timeline(
    case_id: str,
    principal: CurrentPrincipal,
    session: SessionDep,
    media: MediaDep,
    client: ClientDep,
) -> list[TimelineEntry]:
    """Items (by captured time) and chat messages (by sent time) on one axis. Items
    without a captured time are left out. Recorded as `case.timeline.read`."""
    _, rows = review_case.case_timeline(
        session=session, principal=principal, case_id=case_id, client=client
    )
    entries = [
        TimelineEntry(
            at=r.item.captured_at,
            kind="item",
            item_id=r.item.id,
            name=r.item.original_name,
            source_kind=str(r.item.source_kind),
        )
        for r in rows
        if r.item.captured_at
    ]
    for m in media.chat_messages(session, [r.item.id for r in rows]) or []:
        entries.append(
            TimelineEntry(
                at=m.sent_at, kind="message", item_id=m.item_id, sender=m.sender, text=m.text
            )
        )
    entries.sort(key=lambda e: e.at)
    return entries
