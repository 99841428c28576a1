"""Case pages: my cases, one case (items with filters, sorting, bulk tagging, upload)
and the case timeline (the search page is `search_views`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from evidence import i18n, service
from evidence.deps import ClientDep, MediaDep, SessionDep, SettingsDep, StoreDep
from evidence.errors import InvalidInput
from evidence.models import Item, Role, SourceKind
from evidence.policy import Perm, allowed
from evidence.service import review, review_case
from evidence.service.access import case_role
from evidence.streaming import upload_from_request
from evidence.web import upload_form
from evidence.web.core import (
    Me,
    WebRoute,
    language,
    page,
    signed_in,
    web_principal,
)
from evidence.web.rows import render_rows

router = APIRouter(include_in_schema=False, route_class=WebRoute)


def form_date(value: str | None, *, end: bool = False) -> datetime | None:
    """A form's date field (`YYYY-MM-DD` or ISO time) as UTC; `end`: a day reaches its end."""
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
def cases(request: Request, me: Me, session: SessionDep, media: MediaDep) -> Response:
    rows = service.list_cases(session=session, principal=me)
    # Administrators see what the server lacks (they set it up; others need not know).
    setup = media.transcription_setup() if me.role is Role.ADMIN else None
    may_create = allowed(principal=me, perm=Perm.CASE_CREATE)
    return page(request, "cases.html", me, cases=rows, setup=setup, may_create=may_create)


PER_PAGE = 200
FILTER_FIELDS = ("q", "source", "kind", "tag", "since", "until")


def _filters(values: dict[str, str]) -> review_case.Filters:
    sort = values.get("sort", "captured")
    return review_case.Filters(
        text=values.get("q", "").strip(),
        source=values.get("source", "") if values.get("source") in set(SourceKind) else "",
        kind=values.get("kind", "") if values.get("kind") in review_case.KINDS else "",
        tag=values.get("tag", "").strip().lower(),
        captured_from=form_date(values.get("since")),
        captured_to=form_date(values.get("until"), end=True),
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
    case_id: str,
    request: Request,
    me: Me,
    session: SessionDep,
    media: MediaDep,
    settings: SettingsDep,
    client: ClientDep,
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
    uploading = upload_form.upload_context(
        session, principal=me, case=overview.case, limit=settings.max_upload_bytes
    )
    # Each role sees only the forms and previews the policy lets it use.
    role = case_role(session, case_id=overview.case.id, user_id=me.user_id)
    may_tag = allowed(principal=me, perm=Perm.TAG_WRITE, case_role=role)
    watches = allowed(principal=me, perm=Perm.ITEM_CONTENT, case_role=role)
    watches_own = allowed(principal=me, perm=Perm.ITEM_CONTENT, case_role=role, own_item=True)

    def preview(item: Item) -> bool:
        return watches or (watches_own and item.uploaded_by == me.user_id)

    ids = [r.item.id for r in overview.rows]
    state = media.processing(session, ids)
    lengths = media.durations(session, ids)
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
        row_html=render_rows(
            overview.rows,
            labels=_labels(),
            state=state,
            lengths=lengths,
            preview=preview,
            selectable=may_tag,
        ),
        may_tag=may_tag,
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
        wasm=True,  # the upload's streaming SHA-256 (hash-wasm)
        **uploading,
    )


@router.post("/cases/{case_id}/tags")
async def bulk_tag(
    case_id: str, request: Request, session: SessionDep, client: ClientDep
) -> Response:
    """Tag the checked items, or every item matching the page's filters (`all=1`)."""
    form = await request.form()
    principal = signed_in(request, web_principal(request, session), session)
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
    """The page's upload form: the same orchestration as the API's upload."""
    principal = await run_in_threadpool(
        lambda: signed_in(request, web_principal(request, session), session)
    )
    registered = await upload_from_request(
        request,
        session=session,
        store=store,
        settings=settings,
        principal=principal,
        case_id=case_id,
        client=client,
        form_fields=("time_zone",),
        adjust=upload_form.zoned_fields,
    )
    return RedirectResponse(f"/items/{registered.item.id}", status_code=303)


@router.get("/cases/{case_id}/timeline")
def timeline(
    case_id: str, request: Request, me: Me, session: SessionDep, media: MediaDep, client: ClientDep
) -> Response:
    """Items and chat messages on one axis by captured (sent) time."""
    case, rows = review_case.case_timeline(
        session=session, principal=me, case_id=case_id, client=client
    )
    messages = media.chat_messages(session, [r.item.id for r in rows])
    events: list[tuple[datetime, str, object]] = [
        (r.item.captured_at, "item", r) for r in rows if r.item.captured_at
    ]
    # An item the uploader gave no capture time: the time its file records, marked so.
    facts = media.file_facts(session, [r.item.id for r in rows if r.item.captured_at is None])
    from_file = {
        r.item.id: facts[r.item.id]["captured_at"]
        for r in rows
        if r.item.captured_at is None and "captured_at" in facts.get(r.item.id, {})
    }
    events += [(from_file[r.item.id], "item", r) for r in rows if r.item.id in from_file]
    events += [(m.sent_at, "message", m) for m in messages or [] if m.sent_at]
    events.sort(key=lambda e: e[0])
    untimed = sum(1 for r in rows if r.item.captured_at is None and r.item.id not in from_file)
    return page(
        request,
        "timeline.html",
        me,
        case=case,
        events=events,
        untimed=untimed,
        from_file=from_file,
        chats_available=messages is not None,
    )
