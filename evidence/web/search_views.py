"""The case search page: one box for words (with the search syntax), filters by hit kind,
source, dates, tag and chat sender, and hits with their matching words marked."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape

from evidence import service
from evidence.deps import ClientDep, MediaDep, SessionDep
from evidence.models import SourceKind
from evidence.service import review_case
from evidence.web.case_views import form_date
from evidence.web.core import Me, WebRoute, page

router = APIRouter(include_in_schema=False, route_class=WebRoute)

HIT_KINDS = ("transcript", "ocr", "pdf-text", "text", "document", "chat")
FIELDS = ("q", "kind", "source", "since", "until", "tag", "sender")


def marked(snippet: str, highlights: list[list[int]]) -> Markup:
    """The snippet as HTML: the matching words in <mark> (brackets dropped), the rest
    escaped."""
    out, cursor = [], 0
    for start, end in sorted(highlights):
        if start - 1 < cursor or end + 1 > len(snippet):
            continue  # not a bracketed word (never from our snippets): leave it plain
        out.append(escape(snippet[cursor : start - 1]))
        out.append(Markup("<mark>%s</mark>") % snippet[start:end])
        cursor = end + 1
    out.append(escape(snippet[cursor:]))
    return Markup("").join(out)


def _filters(values: dict[str, str]) -> dict[str, Any]:
    """The ingest filters of the form's fields (unknown choices are ignored)."""
    kind, source = values.get("kind", ""), values.get("source", "")
    return {
        "kinds": (kind,) if kind in HIT_KINDS else (),
        "source_kinds": (source,) if source in set(SourceKind) else (),
        "since": form_date(values.get("since")),
        "until": form_date(values.get("until"), end=True),
        "tag": values.get("tag", "").strip().lower() or None,
        "sender": values.get("sender", "").strip()[:300] or None,
    }


@router.get("/search")
def search_any(request: Request, me: Me, session: SessionDep) -> Response:
    """The navigation's search: pick one of my cases and the words; the case's search
    page answers (one case at a time: need-to-know is per case)."""
    cases = service.list_cases(session=session, principal=me)
    q = str(request.query_params.get("q", "")).strip()[:200]
    chosen = str(request.query_params.get("case", ""))
    if chosen in {c.id for c in cases}:
        return RedirectResponse(f"/cases/{chosen}/search?{urlencode({'q': q})}", status_code=303)
    if len(cases) == 1 and q:
        return RedirectResponse(f"/cases/{cases[0].id}/search?{urlencode({'q': q})}", 303)
    return page(request, "search_any.html", me, cases=cases, q=q)


@router.get("/cases/{case_id}/search")
def search(
    case_id: str, request: Request, me: Me, session: SessionDep, media: MediaDep, client: ClientDep
) -> Response:
    """Search transcripts, OCR and document text, chat messages (ingest) and notes; hits
    link to the item at the time, page or message where they occur."""
    values = {k: str(request.query_params.get(k, "")) for k in FIELDS}
    q = values["q"].strip()[:200]
    case = service.get_case(session=session, principal=me, case_id=case_id, client=client)
    filters = _filters(values)
    narrowed = any(filters[k] for k in ("kinds", "source_kinds", "since", "until", "tag"))
    hits: list[dict[str, Any]] | None = []
    notes = []
    asked = bool(q or filters["sender"])
    if asked:
        recorded = q if not filters["sender"] else f"{q} sender:{filters['sender']}".strip()
        review_case.record_search(
            session=session, principal=me, case_id=case.id, text=recorded, client=client
        )
        hits = media.search(
            session=session, principal=me, case_id=case.id, q=q, client=client, filters=filters
        )
        if q and not narrowed and not filters["sender"]:
            notes = review_case.search_notes(session=session, principal=me, case_id=case.id, text=q)
    tags = sorted(review_case.tag_counts(session=session, principal=me, case_id=case.id))
    shown = [str(h["item_id"]) for h in hits or []] + [n.item_id for n in notes]
    names = _item_names(session, shown)
    for hit in hits or []:
        hit["html"] = marked(str(hit["snippet"]), list(hit.get("highlights") or []))
        hit["href"] = _href(hit)
    return page(
        request, "search.html", me, case=case, q=q, current=values, asked=asked, hits=hits,
        notes=notes, names=names, search_available=hits is not None, tags=tags,
        hit_kinds=HIT_KINDS, sources=[str(s) for s in SourceKind],
    )  # fmt: skip


def _href(hit: dict[str, Any]) -> str:
    """The item page at the hit's place, with the words found marked there too."""
    loc, params = hit["locator"], {}
    for key, name in (("start", "t"), ("page", "page"), ("position", "msg")):
        if key in loc:
            params[name] = loc[key]
            break
    words = {hit["snippet"][a:b] for a, b in hit.get("highlights") or []}
    if words:
        params["mark"] = "|".join(sorted(words))
    return f"/items/{hit['item_id']}" + (f"?{urlencode(params)}" if params else "")


def _item_names(session: SessionDep, ids: list[str]) -> dict[str, str]:
    from sqlmodel import col, select

    from evidence.models import Item

    if not ids:
        return {}
    rows = session.exec(select(Item.id, Item.original_name).where(col(Item.id).in_(set(ids))))
    return dict(rows.all())
