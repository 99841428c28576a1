"""Case-level review reads: the item overview (filters, sorting, thumbnails, tags), the
case's tags, note search and the case timeline.

The overview is built from three set queries (items, their thumbnail/proxy derivatives,
their tags), never one query per item: the case page must stay fast at thousands of items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
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
class ItemSummary:
    """The item columns a listing needs (plain values: building 2,000 ORM objects costs
    more than the query)."""

    id: str
    original_name: str
    kind: str
    source_kind: str
    captured_at: datetime | None
    created_at: datetime
    uploaded_by: str
    description: str | None
    location: str | None
    device: str | None


@dataclass(slots=True)
class BlobSummary:
    size: int
    media_type: str


_ITEM_COLUMNS = tuple(getattr(Item, name) for name in ItemSummary.__slots__)


@dataclass(slots=True)
class Row:
    """One item line on the case page."""

    item: ItemSummary
    blob: BlobSummary
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


@dataclass(frozen=True, slots=True)
class Overview:
    case: Case
    rows: list[Row]  # the requested page, sorted
    total: int  # items matching the filters
    tags: list[str]  # every tag name used in the case


def case_overview(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    filters: Filters = Filters(),
    offset: int = 0,
    limit: int | None = None,
    client: str | None = None,
) -> Overview:
    """A case's evidence items (originals and unpacked children) after filters and
    sorting, one page of them (`offset`, `limit`) with tags and previews filled in."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_READ, case=case, client=client)
    every, own = _visible(session, principal, case)
    tags = list(session.exec(select(Tag.name).where(Tag.case_id == case.id).order_by(Tag.name)))
    if not every and not own:
        return Overview(case=case, rows=[], total=0, tags=tags)
    query = _query(case=case, principal=principal, every=every, filters=filters)
    if filters.text:
        # Text matching is done in Python (see _matching), so sort and slice there too.
        rows = _matching(session, query, filters)
        _sort(rows, filters)
        total = len(rows)
        page = rows[offset : None if limit is None else offset + limit]
    else:
        # Everything in SQL: a 2,000-item case fetches only the shown page.
        total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        ordered = query.order_by(*_order(filters))
        if limit is not None:
            ordered = ordered.offset(offset).limit(limit)
        page = _rows(session, ordered)
    _decorate(session, case=case, rows=page)
    session.commit()  # end the read transaction before the render
    return Overview(case=case, rows=page, total=total, tags=tags)


def _kind_clause(kind: str) -> Any:
    """SQL for `media_kind(media_type) == kind`."""
    media = col(Blob.media_type)
    document = or_(media.in_(["application/pdf", "text/plain"]), media.like("%document%"))
    if kind in {"video", "audio", "image"}:
        return media.like(f"{kind}/%")
    if kind == "document":
        return document
    return ~or_(media.like("video/%"), media.like("audio/%"), media.like("image/%"), document)


def _order(filters: Filters) -> list[Any]:
    """ORDER BY for the sort key; undated items last either way; id breaks ties so pages
    never overlap."""
    column = {
        "captured": col(Item.captured_at),
        "uploaded": col(Item.created_at),
        "name": col(Item.original_name),
        "size": col(Blob.size),
        "source": col(Item.source_kind),
        "type": col(Blob.media_type),
    }.get(filters.sort, col(Item.captured_at))
    first = [col(Item.captured_at).is_(None)] if filters.sort == "captured" else []
    return [*first, column.desc() if filters.descending else column.asc(), col(Item.id)]


def matching_ids(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    filters: Filters,
    client: str | None = None,
) -> list[str]:
    """Ids of every item matching the filters (bulk actions on "all matching items")."""
    case = load_case(session, case_id)
    require(session, principal=principal, perm=Perm.CASE_READ, case=case, client=client)
    every, own = _visible(session, principal, case)
    if not every and not own:
        return []
    query = _query(case=case, principal=principal, every=every, filters=filters)
    return [r.item.id for r in _matching(session, query, filters)]


def _query(*, case: Case, principal: Principal, every: bool, filters: Filters) -> Any:
    """Items of the case the caller may read, narrowed by every filter except text."""
    # More columns than sqlmodel's typed select takes (four): sqlalchemy's, untyped here.
    columns: list[Any] = [*_ITEM_COLUMNS, Blob.size, Blob.media_type]
    query: Any = sa_select(*columns)
    query = query.join(Blob, col(Blob.sha256) == Item.sha256).where(
        Item.case_id == case.id, Item.kind != ItemKind.DERIVATIVE
    )
    if not every:
        query = query.where(Item.uploaded_by == principal.user_id)
    if filters.source:
        query = query.where(Item.source_kind == filters.source)
    if filters.kind:
        query = query.where(_kind_clause(filters.kind))
    if filters.captured_from:
        query = query.where(col(Item.captured_at) >= filters.captured_from)
    if filters.captured_to:
        query = query.where(col(Item.captured_at) <= filters.captured_to)
    if filters.tag:
        tagged = (
            select(ItemTag.item_id)
            .join(Tag, col(Tag.id) == ItemTag.tag_id)
            .where(Tag.case_id == case.id, Tag.name == filters.tag)
        )
        query = query.where(col(Item.id).in_(tagged))
    return query


def _rows(session: Session, query: Any) -> list[Row]:
    width = len(_ITEM_COLUMNS)
    return [
        Row(
            item=ItemSummary(*values[:width]),
            blob=BlobSummary(values[width], values[width + 1]),
            kind=media_kind(values[width + 1]),
        )
        for values in session.execute(query)
    ]


def _matching(session: Session, query: Any, filters: Filters) -> list[Row]:
    """Rows of the query whose name, description, location or device contain the text.

    Compared in Python: SQL lower() folds only ASCII on SQLite (and under the C
    collation on PostgreSQL), and Cyrillic names are the common case here.
    """
    rows = _rows(session, query)
    if filters.text:
        needle = filters.text.casefold()
        rows = [r for r in rows if needle in _haystack(r.item)]
    return rows


def _decorate(session: Session, *, case: Case, rows: list[Row]) -> None:
    """Fill in tags and preview (thumbnail, proxy) ids for the shown rows only."""
    by_id = {r.item.id: r for r in rows}
    ids = list(by_id)
    for chunk in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        part = ids[chunk : chunk + 900]
        for item_id, name in session.exec(
            select(ItemTag.item_id, Tag.name)
            .join(Tag, col(Tag.id) == ItemTag.tag_id)
            .where(col(ItemTag.item_id).in_(part))
            .order_by(Tag.name)
        ):
            by_id[item_id].tags.append(name)
        for parent_id, kind, item_id in session.exec(
            select(Item.parent_id, Item.derivative_kind, Item.id).where(
                Item.case_id == case.id,
                col(Item.parent_id).in_(part),
                col(Item.derivative_kind).in_(PREVIEW_KINDS),
            )
        ):
            setattr(by_id[parent_id or ""], f"{kind}_id", item_id)


def _haystack(item: ItemSummary) -> str:
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
    rows.sort(key=keys.get(filters.sort, keys["captured"]), reverse=filters.descending)


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
            or_(col(Note.private).is_(False), col(Note.author_id) == principal.user_id),
        )
        .order_by(col(Note.created_at))
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
    overview = case_overview(session=session, principal=principal, case_id=case_id, client=client)
    case, rows = overview.case, overview.rows
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
