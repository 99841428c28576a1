"""HTTP endpoints of redaction plans (mounted under /api/v1 by evidence.app).

Thin layer: each handler calls one service or job function. Text, documents, images
and audio are analysed and rendered in the request (201/200 with the result); video is
analysed and rendered by jobs on the ``media`` queue (202 with the plan ``analysing`` or
``rendering``; poll ``GET /redactions/{plan_id}``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from evidence.deps import ClientDep, CurrentPrincipal, SessionDep, StoreDep
from redaction import everywhere, exemptions, jobs, review_pages, revise, service, stages
from redaction.errors import RedactionConfigError, RedactionError, UnsupportedLanguageError
from redaction.faces import DetectorMissing, MediaProbeError
from redaction.models import PlanStatus, RedactionPlan
from redaction.plans import PlanError
from redaction.render.audio import RenderError
from redaction.schemas import (
    MAX_PROPOSALS,
    BasisPublic,
    BoxesUpdate,
    DecisionsUpdate,
    DecisionUpdate,
    EverywherePublic,
    ManualCreate,
    PlanPublic,
    PlanSummary,
    RedactAll,
    RedactEverywhere,
    RedactionCreate,
    ResidualOverride,
    ReviewPages,
)

router = APIRouter(tags=["redaction"])

# Error classes → HTTP status, for evidence.problems (most specific first).
PROBLEM_STATUSES: list[tuple[type[Exception], int]] = [
    (service.PlanNotFound, 404),
    (service.PlanConflict, 409),
    (exemptions.UnknownBasis, 422),
    (PlanError, 400),
    (UnsupportedLanguageError, 400),
    (MediaProbeError, 422),
    (RenderError, 422),
    (DetectorMissing, 503),
    (RedactionConfigError, 500),
    (RedactionError, 500),
]


def plan_public(
    session: Session, plan: RedactionPlan, job: dict[str, object] | None = None
) -> PlanPublic:
    from redaction.models import RedactionSource

    source = session.get(RedactionSource, plan.source_id)
    assert source is not None
    return PlanPublic.model_validate(
        {
            **plan.model_dump(),
            "source_kind": str(source.kind),
            "language": source.language,
            "proposals": [service.proposal_dict(p) for p in service.proposals_of(session, plan.id)],
            "job": job,
        }
    )


def _queued(session: Session, plan: RedactionPlan) -> JSONResponse:
    """202 with the plan as it was queued, then the job (inline under ``DALEL_JOBS=sync``)."""
    body = jsonable_encoder(plan_public(session, plan))
    stages.submit(session, plan=plan)
    location = f"/api/v1/redactions/{plan.id}"
    return JSONResponse(body, status_code=202, headers={"Location": location})


ACCEPTED = {
    202: {
        "model": PlanPublic,
        "description": "Video: the work was queued as a job on the `media` queue; the plan "
        "is `analysing` or `rendering` (no result yet). Poll `GET /redactions/{plan_id}` "
        "(the `Location` header) until it is `draft`/`approved` or `failed`.",
    },
    503: {"description": "the job queue is unreachable (the plan is left `failed`)"},
}


@router.post(
    "/items/{item_id}/redactions", response_model=PlanPublic, status_code=201,
    summary="Analyse an item for personal data: a new plan version",
    description="Text, documents, images and audio are analysed at once: **201** with a "
    "`draft` plan and its proposals. Video (faces and plates in every frame, about twice "
    "the video's duration) is analysed by a `redact` job: **202** with the plan "
    "`analysing` and no proposals; it becomes `draft` with its proposals, or `failed` "
    "with the reason in `error`. Unsupported media or language: 4xx, nothing recorded.",
    responses=ACCEPTED,  # type: ignore[arg-type]
)  # fmt: skip
def create_plan(
    item_id: str, body: RedactionCreate, session: SessionDep, store: StoreDep,
    principal: CurrentPrincipal, client: ClientDep,
) -> PlanPublic | JSONResponse:  # fmt: skip
    plan = service.analyse_item(
        session=session, store=store, principal=principal, item_id=item_id,
        language=body.language, entities=body.entities, client=client,
    )  # fmt: skip
    if plan.status is PlanStatus.ANALYSING:
        return _queued(session, plan)
    return plan_public(session, plan)


@router.get("/items/{item_id}/redactions", response_model=list[PlanSummary],
            summary="Plan versions of an item, newest first")  # fmt: skip
def list_plans(
    item_id: str, session: SessionDep, principal: CurrentPrincipal, client: ClientDep
) -> list[PlanSummary]:
    plans = service.list_plans(session=session, principal=principal, item_id=item_id, client=client)
    return [PlanSummary.model_validate(p.model_dump()) for p in plans]


@router.get("/redactions/{plan_id}", response_model=PlanPublic,
            summary="A plan version, its proposals and its residual check")  # fmt: skip
def get_plan(
    plan_id: str, session: SessionDep, principal: CurrentPrincipal, client: ClientDep
) -> PlanPublic:
    plan, _, _ = service.get_plan(
        session=session, principal=principal, plan_id=plan_id, client=client
    )
    job = stages.reconcile(session, plan)
    return plan_public(session, plan, job)


@router.patch("/redactions/{plan_id}/proposals", response_model=PlanPublic,
              summary="Accept or reject proposals: a new plan version")  # fmt: skip
def decide(
    plan_id: str, body: DecisionsUpdate, session: SessionDep, principal: CurrentPrincipal,
    client: ClientDep,
) -> PlanPublic:  # fmt: skip
    plan = revise.decide(
        session=session, principal=principal, plan_id=plan_id,
        decisions={d.number: d.decision for d in body.decisions if d.decision is not None},
        default=body.default, mode=body.mode,
        bases={d.number: d.basis for d in body.decisions if d.basis is not None},
        notes={d.number: d.note for d in body.decisions if d.note is not None}, client=client,
    )  # fmt: skip
    return plan_public(session, plan)


@router.patch("/redactions/{plan_id}/proposals/{number}", response_model=PlanPublic,
              summary="Accept or reject one proposal: a new plan version")  # fmt: skip
def decide_one(
    plan_id: str, number: Annotated[int, Path(ge=1, le=MAX_PROPOSALS)], body: DecisionUpdate,
    session: SessionDep,
    principal: CurrentPrincipal, client: ClientDep,
) -> PlanPublic:  # fmt: skip
    plan = revise.decide(
        session=session, principal=principal, plan_id=plan_id,
        decisions={number: body.decision} if body.decision is not None else {},
        bases={number: body.basis} if body.basis is not None else None,
        notes={number: body.note} if body.note is not None else None, client=client,
    )  # fmt: skip
    return plan_public(session, plan)


@router.post("/redactions/{plan_id}/proposals", response_model=PlanPublic, status_code=201,
             summary="Add manual spans, boxes or time ranges: a new plan version")  # fmt: skip
def add_manual(
    plan_id: str, body: ManualCreate, session: SessionDep, principal: CurrentPrincipal,
    client: ClientDep,
) -> PlanPublic:  # fmt: skip
    plan = revise.add_manual(
        session=session, principal=principal, plan_id=plan_id,
        targets=[t.model_dump() for t in body.items], client=client,
    )  # fmt: skip
    return plan_public(session, plan)


@router.post("/redactions/{plan_id}/redact-all", response_model=PlanPublic,
             summary="Redact every occurrence of a string: a new plan version")  # fmt: skip
def redact_all(
    plan_id: str, body: RedactAll, session: SessionDep, principal: CurrentPrincipal,
    client: ClientDep,
) -> PlanPublic:  # fmt: skip
    plan = revise.redact_all(
        session=session, principal=principal, plan_id=plan_id, text=body.text,
        entity_type=body.entity_type, reason=body.reason, client=client,
    )  # fmt: skip
    return plan_public(session, plan)


@router.post(
    "/redactions/{plan_id}/approve", response_model=PlanPublic,
    summary="Approve (prosecutors): render the redacted derivative, check it",
    description="The approval is recorded in custody in the request. Text, documents, "
    "images and audio are rendered and checked at once: **200** with `releasable`, "
    "`residual` and `derivative_id`. Video is rendered by a `render` job: **202** with the "
    "plan `rendering`; it becomes `approved` (derivative and residual report) or `failed` "
    "(approve again to retry).",
    responses=ACCEPTED,  # type: ignore[arg-type]
)  # fmt: skip
def approve(
    plan_id: str, session: SessionDep, store: StoreDep, principal: CurrentPrincipal,
    client: ClientDep,
) -> PlanPublic | JSONResponse:  # fmt: skip
    plan = service.approve(session=session, principal=principal, plan_id=plan_id, client=client)
    if plan.status is PlanStatus.RENDERING:
        return _queued(session, plan)
    plan = jobs.render_plan(session=session, store=store, plan_id=plan_id)
    return plan_public(session, plan)


@router.post(
    "/redactions/{plan_id}/override", response_model=PlanPublic,
    summary="Release a plan the residual check blocked, for a recorded reason (prosecutors)",
    description="The residual check blocks release while any approved value can still be "
    "read in the output. The reviewer either adds a box (a new version) or overrides the "
    "block here with a reason, recorded as a `redaction.residual.overridden` custody event "
    "and kept in the plan's `residual.override`; the output is then registered and the plan "
    "is `releasable`. **409**: not the latest approved plan, not blocked, already "
    "overridden, or a video (revise its plan instead).",
)  # fmt: skip
def override(
    plan_id: str, body: ResidualOverride, session: SessionDep, store: StoreDep,
    principal: CurrentPrincipal, client: ClientDep,
) -> PlanPublic:  # fmt: skip
    plan = service.override_residual(
        session=session, principal=principal, plan_id=plan_id, reason=body.reason, client=client
    )
    plan = jobs.render_plan(session=session, store=store, plan_id=plan_id)
    return plan_public(session, plan)


@router.get("/redaction-bases", response_model=list[BasisPublic],
            summary="The legal bases a reviewer may give a hidden region")  # fmt: skip
def list_bases(principal: CurrentPrincipal, language: str = "en") -> list[BasisPublic]:
    """The configured list (``redaction/data/reasons.yaml``, ``bases``); labels in
    ``language`` (kk, ru, en)."""
    return [
        BasisPublic(code=code, label=exemptions.basis_label(code, language))
        for code in exemptions.bases()
    ]


@router.post(
    "/cases/{case_id}/redact-everywhere", response_model=EverywherePublic,
    summary="Propose a name, number or phrase, with its inflected forms, in every item",
    description="Searches the analysed text (text, OCR, transcript, chat) of every item of "
    "the case whose plan is under review for the text and its inflected forms (Russian by "
    "dictionary, Kazakh case endings by rule) and adds each new occurrence as a proposal: "
    "one new plan version per item, listed by item. Items without a plan under review are "
    "listed in `skipped`. `dry_run` writes nothing. A `reason` not in the list: 422.",
)  # fmt: skip
def redact_everywhere(
    case_id: str, body: RedactEverywhere, session: SessionDep, principal: CurrentPrincipal,
    client: ClientDep,
) -> EverywherePublic:  # fmt: skip
    result = everywhere.redact_everywhere(
        session=session, principal=principal, case_id=case_id, text=body.text,
        entity_type=body.entity_type, reason=body.reason, decision=str(body.decision),
        dry_run=body.dry_run, client=client,
    )  # fmt: skip
    return EverywherePublic.model_validate({**result, "forms": everywhere.forms_of(result["text"])})


IMAGE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@router.get("/redactions/{plan_id}/pages", response_model=ReviewPages,
            summary="The pages of a plan's image or document, and their boxes")  # fmt: skip
def review_pages_of(
    plan_id: str, session: SessionDep, principal: CurrentPrincipal, client: ClientDep
) -> ReviewPages:
    """Each page's size in box pixels with its count of undecided proposals, and every
    proposal's box as the renderer will fill it (a word box padded, a drawn box as
    drawn). A read of the plan (recorded)."""
    _, rows, source = service.get_plan(
        session=session, principal=principal, plan_id=plan_id, client=client
    )
    boxes = review_pages.boxes(source, rows)
    counts = review_pages.open_counts(boxes)
    listed = [{**p, "open": counts.get(p["page"], 0)} for p in review_pages.pages(source)]
    return ReviewPages.model_validate({"pages": listed, "boxes": boxes})


@router.get(
    "/redactions/{plan_id}/pages/{page}/image", response_class=Response,
    summary="A page or image of the plan's item at screen width (JPEG)",
    description="Rendered on the server from the original the first time (and kept as a "
    "`review_page` derivative), read from that derivative later; every view is a recorded "
    "read. `width`: 240, 1200 or 2400. Boxes of `GET /pages` are in the page's pixels: "
    "scale them by the image's width over the page's.",
    responses={200: {"content": {"image/jpeg": {}}}},
)  # fmt: skip
def page_image(
    plan_id: str, page: Annotated[int, Path(ge=1, le=100_000)], session: SessionDep,
    store: StoreDep, principal: CurrentPrincipal, client: ClientDep,
    width: Annotated[int, Query(ge=1, le=10_000)] = review_pages.DEFAULT_WIDTH,
) -> Response:  # fmt: skip
    shown = review_pages.page_image(
        session=session, store=store, principal=principal, plan_id=plan_id, page=page,
        width=width, client=client,
    )  # fmt: skip
    headers = IMAGE_HEADERS | {"X-Page-Width": str(shown.page_width),
                               "X-Page-Height": str(shown.page_height)}  # fmt: skip
    return Response(shown.data, media_type="image/jpeg", headers=headers)


@router.get(
    "/redactions/{plan_id}/pages/{page}/preview", response_class=Response,
    summary="The page as this plan version will render it: hidden boxes burned (PNG)",
    responses={200: {"content": {"image/png": {}}}},
)  # fmt: skip
def page_preview(
    plan_id: str, page: Annotated[int, Path(ge=1, le=100_000)], session: SessionDep,
    store: StoreDep, principal: CurrentPrincipal, client: ClientDep,
    width: Annotated[int, Query(ge=1, le=10_000)] = review_pages.DEFAULT_WIDTH,
) -> Response:  # fmt: skip
    data = review_pages.preview_image(
        session=session, store=store, principal=principal, plan_id=plan_id, page=page,
        width=width, client=client,
    )  # fmt: skip
    return Response(data, media_type="image/png", headers=IMAGE_HEADERS)


@router.put("/redactions/{plan_id}/proposals/{number}/boxes", response_model=PlanPublic,
            summary="Move or resize a proposal's boxes: a new plan version")  # fmt: skip
def set_boxes(
    plan_id: str, number: Annotated[int, Path(ge=1, le=MAX_PROPOSALS)], body: BoxesUpdate,
    session: SessionDep, principal: CurrentPrincipal, client: ClientDep,
) -> PlanPublic:  # fmt: skip
    """A box outside the item's pages, of no size, or on a page it does not have: 400,
    nothing changed. The boxes are burned as given (no padding)."""
    plan = revise.set_boxes(
        session=session, principal=principal, plan_id=plan_id, number=number,
        boxes=[b.model_dump() for b in body.boxes], client=client,
    )  # fmt: skip
    return plan_public(session, plan)


@router.post("/redactions/{plan_id}/undo", response_model=PlanPublic, status_code=201,
             summary="Undo the latest change: a new plan version")  # fmt: skip
def undo(
    plan_id: str, session: SessionDep, principal: CurrentPrincipal, client: ClientDep
) -> PlanPublic:
    """**409** when the version starts from an analysis (nothing to undo)."""
    plan = revise.undo(session=session, principal=principal, plan_id=plan_id, client=client)
    return plan_public(session, plan)
