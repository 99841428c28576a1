"""Review annotations: tags (single and bulk), notes and clips on items.

Reading annotations needs `annotation.read`, writing them `annotation.write` (policy
table): the prosecution's work product, never served to the defence, who cannot annotate
prosecution items either (their own notes live in the portal, visible to them alone).
Every write is a custody event in the same transaction as the row it describes, so the
ledger tells who marked what, and when.
Private notes are visible to their author only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

import custody
from custody.events import utc_now
from evidence import hooks
from evidence.errors import AccessDenied, InvalidInput, NotFound
from evidence.models import Case, Item
from evidence.policy import Perm, Principal
from evidence.review_models import Clip, ItemTag, Note, Tag
from evidence.service.access import load_item, require
from evidence.service.item_events import record_item_event

MAX_TAG = 64
MAX_BULK = 5000


def _tag_name(name: str) -> str:
    """Tags compare case-insensitively; surrounding space and empty names are refused."""
    clean = " ".join(name.split()).lower()
    if not clean or len(clean) > MAX_TAG:
        raise InvalidInput("a tag is 1 to %(max)d characters", max=MAX_TAG)
    return clean


def _writable(
    session: Session, principal: Principal, item_id: str, client: str | None,
    perm: Perm = Perm.ANNOTATION_WRITE,
) -> tuple[Item, Case]:  # fmt: skip
    item, case = load_item(session, item_id)
    require(session, principal=principal, perm=perm, case=case, item=item, client=client)
    return item, case


def _tag_row(session: Session, *, case: Case, name: str, principal: Principal) -> Tag:
    tag = session.exec(select(Tag).where(Tag.case_id == case.id, Tag.name == name)).first()
    if tag is None:
        tag = Tag(case_id=case.id, name=name, created_by=principal.user_id, created_at=utc_now())
        session.add(tag)
        session.flush()
    return tag


def tag_items(
    *,
    session: Session,
    principal: Principal,
    item_ids: list[str],
    names: list[str],
    client: str | None = None,
) -> int:
    """Add tags to items (bulk tagging); returns how many new item-tag links were made.

    All items must belong to one case and each must be writable by the caller, or nothing
    changes. Links that already exist are left as they are (idempotent).
    """
    clean = sorted({_tag_name(n) for n in names})
    if not clean or not item_ids:
        raise InvalidInput("choose at least one item and one tag")
    if len(item_ids) > MAX_BULK:
        raise InvalidInput("tag at most %(max)d items at once", max=MAX_BULK)
    targets = [
        _writable(session, principal, item_id, client, Perm.TAG_WRITE)
        for item_id in dict.fromkeys(item_ids)
    ]
    if len({case.id for _, case in targets}) != 1:
        raise InvalidInput("bulk tagging works inside one case")
    case = targets[0][1]
    tags = [_tag_row(session, case=case, name=name, principal=principal) for name in clean]
    existing = set(
        session.exec(
            select(ItemTag.item_id, ItemTag.tag_id).where(
                col(ItemTag.item_id).in_([item.id for item, _ in targets]),
                col(ItemTag.tag_id).in_([t.id for t in tags]),
            )
        ).all()
    )
    added = 0
    now = utc_now()
    for item, _ in targets:
        new = [t for t in tags if (item.id, t.id) not in existing]
        for tag in new:
            session.add(
                ItemTag(item_id=item.id, tag_id=tag.id, added_by=principal.user_id, added_at=now)
            )
        if new:
            added += len(new)
            record_item_event(
                session=session,
                action=custody.Action.ITEM_TAGGED,
                actor=principal.actor(),
                item=item,
                case=case,
                client=client,
                details={"tags": [t.name for t in new]},
            )
    session.commit()
    return added


def untag_item(
    *, session: Session, principal: Principal, item_id: str, name: str, client: str | None = None
) -> None:
    """Remove one tag from one item (the removal is recorded; the tag stays in the case)."""
    item, case = _writable(session, principal, item_id, client, Perm.TAG_WRITE)
    clean = _tag_name(name)
    tag = session.exec(select(Tag).where(Tag.case_id == case.id, Tag.name == clean)).first()
    link = (
        session.exec(
            select(ItemTag).where(ItemTag.item_id == item.id, ItemTag.tag_id == tag.id)
        ).first()
        if tag
        else None
    )
    if link is None:
        raise NotFound("the item has no tag %(tag)s", tag=clean)
    session.delete(link)
    record_item_event(
        session=session,
        action=custody.Action.ITEM_UNTAGGED,
        actor=principal.actor(),
        item=item,
        case=case,
        client=client,
        details={"tag": clean},
    )
    session.commit()


# Longer than any recording we hold (about 11.5 days); also refuses inf and NaN.
MAX_SECONDS = 1_000_000.0
# Slack for rounding between a player's clock and the probed duration.
_DURATION_SLACK = 0.5


def _check_range(session: Session, item: Item, start: float | None, end: float | None) -> None:
    """A time range on an item: finite, ordered, and inside the media when its duration
    is known (the pipeline's probe)."""
    for value in (start, end):
        if value is not None and not (0 <= value <= MAX_SECONDS):
            raise InvalidInput("a time offset is between 0 and %(max)d seconds", max=MAX_SECONDS)
    if end is not None and (start is None or end < start):
        raise InvalidInput("a range ends after it starts")
    duration = hooks.media_duration(session, item.id)
    last = end if end is not None else start
    if duration is not None and last is not None and last > duration + _DURATION_SLACK:
        raise InvalidInput(
            "the time is past the end of the media (%(duration).1f s)", duration=duration
        )


def _check_region(region: str | None) -> str | None:
    if not region:
        return None
    try:
        parts = [float(p) for p in region.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or not all(0 <= p <= 1 for p in parts):
        raise InvalidInput("a region is x,y,w,h as fractions between 0 and 1")
    return ",".join(f"{p:.4f}" for p in parts)


def add_note(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    body: str,
    start: float | None = None,
    end: float | None = None,
    page: int | None = None,
    region: str | None = None,
    private: bool = False,
    client: str | None = None,
) -> Note:
    """Write a note on an item, optionally at a time (range), a page or a region."""
    item, case = _writable(session, principal, item_id, client)
    body = body.strip()
    if not body or len(body) > 4000:
        raise InvalidInput("a note is 1 to 4000 characters")
    _check_range(session, item, start, end)
    if page is not None and page < 1:
        raise InvalidInput("pages are numbered from 1")
    note = Note(
        item_id=item.id,
        case_id=case.id,
        author_id=principal.user_id,
        body=body,
        start=start,
        end=end,
        page=page,
        region=_check_region(region),
        private=private,
        created_at=utc_now(),
    )
    session.add(note)
    session.flush()
    # The ledger holds the note's id and a digest-free summary, not its text: notes may
    # hold work product that a disclosed custody report must not reveal.
    details: dict[str, object] = {"note": note.id, "private": private}
    if start is not None:
        details["start"] = start
    record_item_event(
        session=session,
        action=custody.Action.ITEM_NOTE_ADDED,
        actor=principal.actor(),
        item=item,
        case=case,
        client=client,
        details=details,
    )
    session.commit()
    return note


def delete_note(
    *, session: Session, principal: Principal, note_id: str, client: str | None = None
) -> None:
    """Authors delete their own notes; the ledger keeps the fact that it existed."""
    note = session.get(Note, note_id)
    if note is None or (note.private and note.author_id != principal.user_id):
        raise NotFound("no such note")
    item, case = _writable(session, principal, note.item_id, client)
    if note.author_id != principal.user_id:
        raise AccessDenied("only the author may delete a note")
    session.delete(note)
    record_item_event(
        session=session,
        action=custody.Action.ITEM_NOTE_DELETED,
        actor=principal.actor(),
        item=item,
        case=case,
        client=client,
        details={"note": note.id},
    )
    session.commit()


def add_clip(
    *,
    session: Session,
    principal: Principal,
    item_id: str,
    start: float,
    end: float,
    title: str,
    client: str | None = None,
) -> Clip:
    """Bookmark a time range of an item."""
    item, case = _writable(session, principal, item_id, client)
    _check_range(session, item, start, end)
    if end <= start:
        raise InvalidInput("a clip ends after it starts")
    title = title.strip() or f"{start:.1f}–{end:.1f}"
    clip = Clip(
        item_id=item.id,
        case_id=case.id,
        author_id=principal.user_id,
        title=title[:200],
        start=start,
        end=end,
        created_at=utc_now(),
    )
    session.add(clip)
    session.flush()
    details = {"clip": clip.id, "start": start, "end": end}
    record_item_event(
        session=session,
        action=custody.Action.ITEM_CLIP_ADDED,
        actor=principal.actor(),
        item=item,
        case=case,
        client=client,
        details=details,
    )
    session.commit()
    return clip


def delete_clip(
    *, session: Session, principal: Principal, clip_id: str, client: str | None = None
) -> None:
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise NotFound("no such clip")
    item, case = _writable(session, principal, clip.item_id, client)
    session.delete(clip)
    record_item_event(
        session=session,
        action=custody.Action.ITEM_CLIP_DELETED,
        actor=principal.actor(),
        item=item,
        case=case,
        client=client,
        details={"clip": clip.id},
    )
    session.commit()


def export_clip(
    *,
    session: Session,
    principal: Principal,
    clip_id: str,
    prepare: Callable[[Clip, Item], str],
    client: str | None = None,
) -> Clip:
    """Authorise and record a request to export a clip as a derivative.

    Only the case's investigators and prosecutors may (a derivative is new evidence).
    `prepare` (the media pipeline's) checks the item can be cut and names the job that
    will; it may refuse, and then nothing is recorded. The caller queues the job after
    this commits.
    """
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise NotFound("no such clip")
    item, case = load_item(session, clip.item_id)
    require(
        session, principal=principal, perm=Perm.CLIP_EXPORT, case=case, item=item, client=client
    )
    job = prepare(clip, item)
    details = {"clip": clip.id, "start": clip.start, "end": clip.end, "job": job}
    record_item_event(
        session=session,
        action=custody.Action.ITEM_CLIP_EXPORT,
        actor=principal.actor(),
        item=item,
        case=case,
        client=client,
        details=details,
    )
    session.commit()
    return clip


@dataclass(frozen=True, slots=True)
class Annotations:
    tags: list[str]
    notes: list[Note]
    clips: list[Clip]


def item_annotations(
    *, session: Session, principal: Principal, item_id: str, client: str | None = None
) -> Annotations:
    """Tags, visible notes (shared ones and the caller's private ones) and clips of an item."""
    item, case = load_item(session, item_id)
    require(
        session, principal=principal, perm=Perm.ANNOTATION_READ, case=case, item=item,
        client=client,
    )  # fmt: skip
    tags = session.exec(
        select(Tag.name)
        .join(ItemTag, col(ItemTag.tag_id) == Tag.id)
        .where(ItemTag.item_id == item.id)
        .order_by(Tag.name)
    ).all()
    notes = session.exec(
        select(Note)
        .where(
            Note.item_id == item.id,
            or_(col(Note.private).is_(False), col(Note.author_id) == principal.user_id),
        )
        .order_by(col(Note.start).is_(None), col(Note.start), col(Note.created_at))
    ).all()
    clips = session.exec(
        select(Clip).where(Clip.item_id == item.id).order_by(col(Clip.start))
    ).all()
    return Annotations(tags=list(tags), notes=list(notes), clips=list(clips))
