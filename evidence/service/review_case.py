"""Case-level review reads: the item overview (filters, sorting, thumbnails, tags), the
case's tags, note search and the case timeline.

The overview is built from three set queries (items, their thumbnail/proxy derivatives,
their tags), never one query per item: the case page must stay fast at thousands of items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

import custody
from evidence.models import Blob, Case, Item, ItemKind
from evidence.policy import Perm, Principal, allowed
from evidence.review_models import ItemTag, Note, Tag
from evidence.service.access import case_role, load_case, require

SORTS = ("captured", "uploaded", "name", "size", "source", "type")
KINDS = ("video", "audio", "image", "document", "other")
PREVIEW_KINDS = ("thumbnail", "proxy")


def media_kind(media_type: str) -> str:
    """A coarse type for filtering and icons."""
    head = media_type.split("/", 1)[0]
    if head in {"video", "audio", "image"}:
        return head
    if media_type in {"application/pdf", "text/plain"} or "document" in media_type:
        return "document"
    return "other"


@dataclass(slots=True)
class Row:
    """One item line on the case page."""

    item: Item
    blob: Blob
    kind: str
    tags: list[str] = field(default_factory=list)
    thumbnail_id: str | None = None
    proxy_id: str | None = None


@dataclass(frozen=True, slots=True)
class Filters:
    text: str = ""
    source: str = ""
    kind: str = ""
    tag: str = ""
    captured_from: datetime | None = None
    captured_to: datetime | None = None
    sort: str = "captured"
    descending: bool = False


def _visible(session: Session, principal: Principal, case: Case) -> tuple[bool, bool]:
    """(may read every item, may read own uploads) for the caller in this case."""
    role = case_role(session, case_id=case.id, user_id=principal.user_id)
    every = allowed(principal=principal, perm=Perm.ITEM_READ, case_role=role)
    own = allowed(principal=principal, perm=Perm.ITEM_READ, case_role=role, own_item=True)
    return every, own


def case_overview(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    filters: Filters = Filters(),
    client: str | None = None,
) -> tuple[Case, list[Row], list[str]]:
    """The case, its evidence items (originals and unpacked children) after filters and
    sorting, and every tag name used in the case."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_READ, case=case, client=client)
    every, own = _visible(session, principal, case)
    query = (
        select(Item, Blob)
        .join(Blob, col(Blob.sha256) == Item.sha256)
        .where(Item.case_id == case.id, Item.kind != ItemKind.DERIVATIVE)
    )
    if not every:
        if not own:
            return case, [], []
        query = query.where(Item.uploaded_by == principal.user_id)
    if filters.source:
        query = query.where(Item.source_kind == filters.source)
    if filters.captured_from:
        query = query.where(col(Item.captured_at) >= filters.captured_from)
    if filters.captured_to:
        query = query.where(col(Item.captured_at) <= filters.captured_to)
    rows = [Row(item=i, blob=b, kind=media_kind(b.media_type)) for i, b in session.exec(query)]
    if filters.kind:
        rows = [r for r in rows if r.kind == filters.kind]
    if filters.text:
        # Compared in Python: SQL lower() folds only ASCII on SQLite (and under the C
        # collation on PostgreSQL), and Cyrillic names are the common case here.
        needle = filters.text.casefold()
        rows = [r for r in rows if needle in _haystack(r.item)]
    by_id = {r.item.id: r for r in rows}
    tag_rows = session.exec(
        select(ItemTag.item_id, Tag.name)
        .join(Tag, col(Tag.id) == ItemTag.tag_id)
        .where(Tag.case_id == case.id)
        .order_by(Tag.name)
    ).all()
    for item_id, name in tag_rows:
        if item_id in by_id:
            by_id[item_id].tags.append(name)
    if filters.tag:
        rows = [r for r in rows if filters.tag in r.tags]
    previews = session.exec(
        select(Item.parent_id, Item.derivative_kind, Item.id).where(
            Item.case_id == case.id, col(Item.derivative_kind).in_(PREVIEW_KINDS)
        )
    ).all()
    for parent_id, kind, item_id in previews:
        row = by_id.get(parent_id or "")
        if row is not None:
            setattr(row, f"{kind}_id", item_id)
    session.commit()  # end the read transaction before the (slow) render
    _sort(rows, filters)
    return case, rows, sorted({name for _, name in tag_rows})


def _haystack(item: Item) -> str:
    parts = (item.original_name, item.description, item.location, item.device)
    return " ".join(p for p in parts if p).casefold()


def _sort(rows: list[Row], filters: Filters) -> None:
    never = datetime.max if not filters.descending else datetime.min
    keys = {
        "captured": lambda r: (
            r.item.captured_at.replace(tzinfo=None) if r.item.captured_at else never
        ),
        "uploaded": lambda r: r.item.created_at,
        "name": lambda r: r.item.original_name.lower(),
        "size": lambda r: r.blob.size,
        "source": lambda r: str(r.item.source_kind),
        "type": lambda r: r.blob.media_type,
    }
    rows.sort(key=keys.get(filters.sort, keys["captured"]), reverse=filters.descending)  # type: ignore[arg-type]


def search_notes(
    *, session: Session, principal: Principal, case_id: str, text: str, limit: int = 200
) -> list[Note]:
    """Notes of the case containing `text` (case-insensitive in every script) that the
    caller may see. Authorise and record the search first with `record_search`."""
    case = load_case(session, case_id)
    every, own = _visible(session, principal, case)
    query = (
        select(Note)
        .join(Item, col(Item.id) == Note.item_id)
        .where(
            Note.case_id == case.id,
            or_(col(Note.private).is_(False), Note.author_id == principal.user_id),
        )
        .order_by(Note.created_at)
    )
    if not every:
        if not own:
            return []
        query = query.where(Item.uploaded_by == principal.user_id)
    needle = text.casefold()
    # Notes are few per case (people write them), so folding in Python is cheap and
    # correct for Kazakh and Russian, unlike SQLite's ASCII-only lower().
    return [n for n in session.exec(query) if needle in n.body.casefold()][:limit]


def record_search(
    *, session: Session, principal: Principal, case_id: str, text: str, client: str | None = None
) -> Case:
    """Authorise a case search and record it (search results show evidence content)."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_READ, case=case, client=client)
    custody.record(
        session=session,
        action=custody.Action.CASE_SEARCHED,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={"query": text[:200]},
    )
    session.commit()
    return case


def case_timeline(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> tuple[Case, list[Row]]:
    """The case's visible items, in captured-time order (untimed ones last). The read is
    recorded on the case's chain: the timeline also shows chat messages, which are
    evidence content."""
    case, rows, _ = case_overview(
        session=session, principal=principal, case_id=case_id, client=client
    )
    custody.record(
        session=session,
        action=custody.Action.CASE_TIMELINE_READ,
        actor=principal.actor(),
        case_id=case.id,
        case_number=case.number,
        client=client,
        details={"items": len(rows)},
    )
    session.commit()
    return case, rows


def tag_counts(
    *, session: Session, principal: Principal, case_id: str, client: str | None = None
) -> dict[str, int]:
    """How many items carry each tag in a case."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_READ, case=case, client=client)
    counts: dict[str, int] = defaultdict(int)
    for name, n in session.exec(
        select(Tag.name, func.count(col(ItemTag.id)))
        .join(ItemTag, col(ItemTag.tag_id) == Tag.id)
        .where(Tag.case_id == case_id)
        .group_by(Tag.name)
    ):
        counts[name] = n
    return dict(counts)
