"""Case pages: my cases, one case (items with filters, sorting, bulk tagging, upload),
case search and the case timeline."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidence import i18n, service
from evidence.deps import ClientDep, SessionDep, SettingsDep, StoreDep
from evidence.errors import EvidenceError, InvalidInput
from evidence.models import SourceKind
from evidence.schemas import ItemCreate
from evidence.service import review, review_case
from evidence.streaming import parse_upload
from evidence.web import ingest_link
from evidence.web.core import (
    Me,
    WebRoute,
    check_csrf,
    language,
    page,
    signed_in,
    web_principal,
)
from evidence.web.rows import render_rows

router = APIRouter(include_in_schema=False, route_class=WebRoute)


def _date(value: str | None, *, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("dates are YYYY-MM-DD") from exc
    if end and len(value) <= 10:
        day = day.replace(hour=23, minute=59, second=59)
    return day if day.tzinfo else day.replace(tzinfo=UTC)


@router.get("/cases")
def cases(request: Request, me: Me, session: SessionDep) -> Response:
    rows = service.list_cases(session=session, principal=me)
    return page(request, "cases.html", me, cases=rows)


PER_PAGE = 200
FILTER_FIELDS = ("q", "source", "kind", "tag", "since", "until")


def _filters(values: dict[str, str]) -> review_case.Filters:
    sort = values.get("sort", "captured")
    return review_case.Filters(
        text=values.get("q", "").strip(),
        source=values.get("source", "") if values.get("source") in set(SourceKind) else "",
        kind=values.get("kind", "") if values.get("kind") in review_case.KINDS else "",
        tag=values.get("tag", "").strip().lower(),
        captured_from=_date(values.get("since")),
        captured_to=_date(values.get("until"), end=True),
        sort=sort if sort in review_case.SORTS else "captured",
        descending=values.get("order") == "desc",
    )


def _labels() -> dict[str, str]:
    """Translated words of the item rows, looked up once per page (not once per row)."""
    labels = {k: i18n.gettext(k) for k in review_case.KINDS}
    labels |= {f"source:{s}": i18n.gettext(str(s)) for s in SourceKind}
    labels |= {f"state:{s}": i18n.gettext(s) for s in ("processing", "failed")}
    labels |= {"state:done": i18n.gettext("ready"), "select": i18n.gettext("Select")}
    labels["unpacked"] = i18n.gettext("unpacked")
    return labels


@router.get("/cases/{case_id}")
def case_page(
    case_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    """The items of a case: filters, sorting, pages of 200, bulk tagging, upload."""
    values = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    filters = _filters(values)
    try:
        number = max(1, int(values.get("page", "1")))
    except ValueError:
        number = 1
    show_all = values.get("per") == "all"
    overview = review_case.case_overview(
        session=session,
        principal=me,
        case_id=case_id,
        filters=filters,
        offset=0 if show_all else (number - 1) * PER_PAGE,
        limit=None if show_all else PER_PAGE,
        client=client,
    )
    ids = [r.item.id for r in overview.rows]
    state = ingest_link.processing(session, ids)
    lengths = ingest_link.durations(session, ids)
    session.commit()
    i18n.activate(language(request))
    current = {k: values.get(k, "") for k in FILTER_FIELDS}
    kept = {k: v for k, v in current.items() if v}

    def link(**changes: object) -> str:
        params = {**kept, "sort": filters.sort, "order": "desc" if filters.descending else "asc"}
        return "?" + urlencode({**params, **changes})

    return page(
        request,
        "case.html",
        me,
        case=overview.case,
        rows=overview.rows,
        total=overview.total,
        row_html=render_rows(overview.rows, labels=_labels(), state=state, lengths=lengths),
        tags=overview.tags,
        filters=filters,
        current=current,
        page_no=number,
        pages=1 if show_all else max(1, -(-overview.total // PER_PAGE)),
        all_link=link(per="all"),
        page_link=lambda n: link(page=n),
        kinds=review_case.KINDS,
        sources=[str(s) for s in SourceKind],
        sort_link=lambda key: link(
            sort=key, order="desc" if filters.sort == key and not filters.descending else "asc"
        ),
        message=values.get("tagged"),
    )


@router.post("/cases/{case_id}/tags")
async def bulk_tag(
    case_id: str, request: Request, session: SessionDep, client: ClientDep
) -> Response:
    """Tag the checked items, or every item matching the page's filters (`all=1`)."""
    form = await request.form()
    principal = signed_in(request, web_principal(request, session), session)
    check_csrf(request, str(form.get("csrf", "")))
    names = [n for n in str(form.get("tags", "")).split(",") if n.strip()]
    if form.get("all") == "1":
        fields = {k: str(form.get(k, "")) for k in FILTER_FIELDS}
        item_ids = await run_in_threadpool(
            review_case.matching_ids,
            session=session,
            principal=principal,
            case_id=case_id,
            filters=_filters(fields),
            client=client,
        )
    else:
        item_ids = [str(v) for v in form.getlist("item")]
    added = await run_in_threadpool(
        review.tag_items,
        session=session,
        principal=principal,
        item_ids=item_ids,
        names=names,
        client=client,
    )
    back = str(form.get("back", ""))
    if not back.startswith(f"/cases/{case_id}"):
        back = f"/cases/{case_id}"
    back = re.sub(r"[?&]tagged=\d+", "", back)
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}tagged={added}", status_code=303)


@router.post("/cases/{case_id}/upload")
async def upload(
    case_id: str,
    request: Request,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    client: ClientDep,
) -> Response:
    principal = await run_in_threadpool(
        lambda: signed_in(request, web_principal(request, session), session)
    )
    await run_in_threadpool(
        service.authorize_upload,
        session=session,
        principal=principal,
        case_id=case_id,
        client=client,
    )
    incoming = await run_in_threadpool(
        service.receive, store=store, limit=settings.max_upload_bytes
    )
    try:
        filename, fields = await parse_upload(request, incoming, extra_fields=("csrf",))
        check_csrf(request, fields.pop("csrf", ""))
        fields = {k: v for k, v in fields.items() if v}
        registered = await run_in_threadpool(
            service.register_item,
            session=session,
            principal=principal,
            case_id=case_id,
            incoming=incoming,
            filename=filename,
            metadata=ItemCreate.model_validate(fields),
            client=client,
        )
    except EvidenceError:
        await run_in_threadpool(incoming.abort)
        raise
    return RedirectResponse(f"/items/{registered.item.id}", status_code=303)


@router.get("/cases/{case_id}/search")
def search(
    case_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep, q: str = ""
) -> Response:
    """Search transcripts, OCR text, chat messages (ingest) and notes; hits link to the
    item at the time or page where they occur."""
    q = q.strip()[:200]
    case = service.get_case(session=session, principal=me, case_id=case_id, client=client)
    hits: list[dict[str, object]] | None = []
    notes = []
    if q:
        review_case.record_search(
            session=session, principal=me, case_id=case.id, text=q, client=client
        )
        hits = ingest_link.search(
            session=session, principal=me, case_id=case.id, q=q, client=client
        )
        notes = review_case.search_notes(session=session, principal=me, case_id=case.id, text=q)
    names = _item_names(
        session, [str(h["item_id"]) for h in hits or []] + [n.item_id for n in notes]
    )
    return page(
        request,
        "search.html",
        me,
        case=case,
        q=q,
        hits=hits,
        notes=notes,
        names=names,
        search_available=hits is not None,
    )


def _item_names(session: SessionDep, ids: list[str]) -> dict[str, str]:
    from sqlmodel import col, select

    from evidence.models import Item

    if not ids:
        return {}
    rows = session.exec(select(Item.id, Item.original_name).where(col(Item.id).in_(set(ids))))
    return dict(rows.all())


@router.get("/cases/{case_id}/timeline")
def timeline(
    case_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    """Items and chat messages on one axis by captured (sent) time."""
    case, rows = review_case.case_timeline(
        session=session, principal=me, case_id=case_id, client=client
    )
    messages = ingest_link.chat_messages(session, [r.item.id for r in rows])
    events: list[tuple[datetime, str, object]] = [
        (r.item.captured_at, "item", r) for r in rows if r.item.captured_at
    ]
    events += [(m.sent_at, "message", m) for m in messages or [] if m.sent_at]
    events.sort(key=lambda e: e[0])
    untimed = sum(1 for r in rows if r.item.captured_at is None)
    return page(
        request,
        "timeline.html",
        me,
        case=case,
        events=events,
        untimed=untimed,
        chats_available=messages is not None,
    )
