"""Redaction review page: proposals with accept/reject, manual spans, boxes and time
ranges, "redact all occurrences", before/after, residual report, approval.

Server-rendered with the shared layout (``evidence/web/templates/base.html``) and plain
forms (no JavaScript needed); every form carries the CSRF token and goes through the
same service functions as the API. Mounted by including ``router`` next to the web
pages; the item page can link to ``/items/{id}/redaction``. While a video plan is
analysed or rendered by its job the page says so and asks the browser to reload it
(``Refresh`` header); a failed job's reason is shown with the way to try again. Our
strings are gettext messages of the shared catalogs (table: ``redaction/translations.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from evidence import i18n
from evidence.csrf import csrf_token
from evidence.deps import ClientDep, SessionDep, StoreDep
from evidence.errors import InvalidInput
from evidence.policy import Perm
from evidence.service.access import load_item, permits
from evidence.web import core
from evidence.web.core import Me, WebRoute
from redaction import exemptions, jobs, labels, review_pages, revise, service, stages
from redaction.errors import RedactionError
from redaction.models import Decision, PlanStatus
from redaction.render.text import render_plain_text

router = APIRouter(include_in_schema=False, route_class=WebRoute)
PREVIEW_CHARS = 200_000
HEADERS = {  # as evidence.web.core.page: evidence is shown, nothing may cache or frame it
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
}
_env = core.package_templates("redaction")
_env.globals.update(labels.GLOBALS)
REFRESH_SECONDS = 10
# Entity types a reviewer's drawn box may be given on the page.
BOX_TYPES = ("MANUAL", "PERSON", "FACE", "KZ_VEHICLE_PLATE", "ADDRESS", "KZ_IIN", "PHONE_NUMBER")


def _render(
    request: Request, me: Any, name: str, refresh: bool = False, **context: Any
) -> Response:
    """Render one of our templates with the shared layout's context and headers."""
    lang = core.language(request)
    i18n.activate(lang)
    context |= {
        "principal": me, "csrf": csrf_token(request), "lang": lang,
        "path": request.url.path, "request": request, "enrol_due": False,
        "nav": core.navigation(request, me),
    }  # fmt: skip
    html = _env.get_template(name).render(**context)
    headers = HEADERS | ({"Refresh": str(REFRESH_SECONDS)} if refresh else {})
    return Response(html, media_type="text/html", headers=headers)


@router.get("/redaction/review.css")
def stylesheet() -> Response:
    """The review page's few styles (served here: the page's CSP forbids inline styles)."""
    css = (Path(__file__).parent / "templates" / "review.css").read_text(encoding="utf-8")
    return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


def _pieces(text: str, proposals: list[dict[str, Any]]) -> list[tuple[str, str, int | None]]:
    """The analysed text cut into (text, decision, number) pieces for highlighting."""
    spans = sorted(
        (p["target"]["start"], p["target"]["end"], p["decision"], p["number"])
        for p in proposals
        if p["target"].get("kind") == "span"
    )
    out: list[tuple[str, str, int | None]] = []
    cursor = 0
    for start, end, decision, number in spans:
        if start < cursor or start >= PREVIEW_CHARS:
            continue
        out.append((text[cursor:start], "", None))
        out.append((text[start:end], decision, number))
        cursor = end
    out.append((text[cursor:PREVIEW_CHARS], "", None))
    return out


def _redirect(plan_id: str) -> Response:
    return RedirectResponse(f"/redactions/{plan_id}/review", status_code=303)


def _failed(request: Request, me: Any, exc: RedactionError) -> Response:
    return core.page(request, "error.html", me, status_code=409, message=str(exc))


@router.get("/items/{item_id}/redaction")
def latest(
    item_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    """The newest plan of an item, or a form to analyse it."""
    plans = service.list_plans(session=session, principal=me, item_id=item_id, client=client)
    if plans:
        return _redirect(plans[0].id)
    return _render(request, me, "redaction_start.html", item_id=item_id)


@router.post("/items/{item_id}/redaction")
def analyse(
    item_id: str, request: Request, me: Me, session: SessionDep, store: StoreDep,
    client: ClientDep, language: Annotated[str, Form()] = "auto",
) -> Response:  # fmt: skip
    try:
        plan = service.analyse_item(
            session=session, store=store, principal=me, item_id=item_id, language=language,
            client=client,
        )  # fmt: skip
        if plan.status is PlanStatus.ANALYSING:
            stages.submit(session, plan=plan)
    except RedactionError as exc:
        return _failed(request, me, exc)
    return _redirect(plan.id)


def _studio(source: Any, rows: list[Any], page: int) -> dict[str, Any] | None:
    """What the page-and-box review draws (images and documents only): the pages with
    their open counts, the shown page and its boxes."""
    media_type = str(source.media.get("media_type", ""))
    if not (media_type == "application/pdf" or media_type.startswith("image/")):
        return None
    listed = review_pages.pages(source)
    if not listed:
        return None
    boxes = review_pages.boxes(source, rows)
    counts = review_pages.open_counts(boxes)
    for entry in listed:
        entry["open"] = counts.get(entry["page"], 0)
    shown = next((p for p in listed if p["page"] == page), listed[0])
    on_page = [b for b in boxes if b["page"] == shown["page"]]
    return {"pages": listed, "page": shown, "boxes": on_page,
            "numbers": sorted({b["number"] for b in on_page})}  # fmt: skip


@router.get("/redactions/{plan_id}/review")
def review(
    plan_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep,
    page: int = 1,
) -> Response:  # fmt: skip
    plan, rows, source = service.get_plan(
        session=session, principal=me, plan_id=plan_id, client=client
    )
    session.commit()
    studio = _studio(source, rows, page)
    job = stages.reconcile(session, plan)
    proposals = [service.proposal_dict(p) for p in rows]
    accepted = [
        {**p["target"], "entity_type": p["entity_type"]}
        for p in proposals
        if p["decision"] == Decision.ACCEPTED and p["target"].get("kind") == "span"
    ]
    after = None
    if source.text:
        after, _ = render_plain_text(
            text=source.text[:PREVIEW_CHARS],
            spans=[s for s in accepted if s["end"] <= PREVIEW_CHARS],
            language=source.language, mode=plan.mode,
        )  # fmt: skip
    item, case = load_item(session, plan.item_id)
    may_approve = permits(session, principal=me, perm=Perm.REDACTION_APPROVE, case=case, item=item)
    render_failed = plan.status is PlanStatus.FAILED and plan.approved_at is not None
    video_plan = str(source.media.get("media_type", "")).startswith("video/")
    waiting = plan.status in stages.PENDING
    return _render(
        request, me, "redaction_review.html", refresh=waiting, plan=plan, proposals=proposals,
        source=source, pieces=_pieces(source.text, proposals) if source.text else [],
        after=after, job=job, waiting=waiting, render_failed=render_failed,
        video=source.media.get("media_type", "").startswith("video/"),
        editable=plan.status is PlanStatus.DRAFT or (plan.residual and not plan.releasable)
        or render_failed,
        may_approve=may_approve and plan.status is PlanStatus.DRAFT,
        may_override=may_approve and not video_plan and plan.status is PlanStatus.APPROVED
        and bool(plan.residual) and not plan.releasable,
        bases=exemptions.bases(), studio=studio, box_types=BOX_TYPES,
        may_retry=may_approve and render_failed,
        may_analyse=plan.status is PlanStatus.FAILED and not render_failed,
    )  # fmt: skip


@router.post("/redactions/{plan_id}/review/decisions")
async def decisions(
    plan_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep
) -> Response:
    form = await request.form()
    chosen = {
        int(key[2:]): Decision(str(value))
        for key, value in form.items()
        if key.startswith("d-") and str(value) in {d.value for d in Decision}
    }
    default = str(form.get("default") or "")
    # Only what the reviewer changed: the version's note counts real changes.
    current = {p.number: p for p in service.proposals_of(session, plan_id)}
    bases = {
        int(key[2:]): str(value) for key, value in form.items()
        if key.startswith("b-") and key[2:].isdigit() and str(value)
        and (p := current.get(int(key[2:]))) is not None and p.reason != str(value)
    }  # fmt: skip
    notes: dict[int, str | None] = {
        int(key[2:]): str(value).strip() for key, value in form.items()
        if key.startswith("n-") and key[2:].isdigit()
        and (p := current.get(int(key[2:]))) is not None and (p.note or "") != str(value).strip()
    }  # fmt: skip
    try:
        plan = revise.decide(
            session=session, principal=me, plan_id=plan_id, decisions=chosen,
            default=Decision(default) if default else None, bases=bases, notes=notes,
            client=client,
        )  # fmt: skip
    except RedactionError as exc:
        return _failed(request, me, exc)
    return _redirect(plan.id)


def _number(value: str, name: str) -> float:
    try:
        return float(value.replace(",", "."))
    except ValueError as exc:
        raise InvalidInput("%(field)s must be a number", field=name) from exc


@router.post("/redactions/{plan_id}/review/manual")
def manual(
    plan_id: str, request: Request, me: Me, session: SessionDep, client: ClientDep,
    kind: Annotated[str, Form()] = "span",
    entity_type: Annotated[str, Form()] = "MANUAL", a: Annotated[str, Form()] = "",
    b: Annotated[str, Form()] = "", page: Annotated[str, Form()] = "1",
    left: Annotated[str, Form()] = "", top: Annotated[str, Form()] = "",
    width: Annotated[str, Form()] = "", height: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """One form for the four manual kinds: span (a, b = characters), time (a, b =
    seconds), box (page and pixels; a, b = optional time range), all occurrences (text)."""
    try:
        if kind == "all":
            plan = revise.redact_all(
                session=session, principal=me, plan_id=plan_id, text=text,
                entity_type=entity_type or "MANUAL", reason=reason or None, client=client,
            )  # fmt: skip
            return _redirect(plan.id)
        target: dict[str, Any] = {"kind": kind}
        if kind in ("span", "time"):
            target |= {"start": _number(a, "start"), "end": _number(b, "end")}
        else:
            box = {"page": page, "left": left, "top": top, "width": width, "height": height}
            target |= {k: _number(v, k) for k, v in box.items()}
            if a.strip() and b.strip():
                target |= {"t_start": _number(a, "start"), "t_end": _number(b, "end")}
        plan = revise.add_manual(
            session=session, principal=me, plan_id=plan_id,
            targets=[{"target": target, "entity_type": entity_type or "MANUAL",
                      "reason": reason or None}], client=client,
        )  # fmt: skip
    except RedactionError as exc:
        return _failed(request, me, exc)
    return _redirect(plan.id)


@router.post("/redactions/{plan_id}/review/override")
def override(
    plan_id: str, request: Request, me: Me, session: SessionDep, store: StoreDep,
    client: ClientDep, reason: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """Release a blocked plan for the reason typed (recorded in custody)."""
    try:
        service.override_residual(
            session=session, principal=me, plan_id=plan_id, reason=reason, client=client
        )
        jobs.render_plan(session=session, store=store, plan_id=plan_id)
    except RedactionError as exc:
        return _failed(request, me, exc)
    return _redirect(plan_id)


@router.post("/redactions/{plan_id}/review/approve")
def approve(
    plan_id: str, request: Request, me: Me, session: SessionDep, store: StoreDep,
    client: ClientDep,
) -> Response:  # fmt: skip
    try:
        plan = service.approve(session=session, principal=me, plan_id=plan_id, client=client)
        if plan.status is PlanStatus.RENDERING:
            stages.submit(session, plan=plan)
        else:
            jobs.render_plan(session=session, store=store, plan_id=plan_id)
    except RedactionError as exc:
        return _failed(request, me, exc)
    return _redirect(plan_id)
