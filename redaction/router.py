"""HTTP endpoints of redaction plans (mounted under /api/v1 by evidence.app).

Thin layer: each handler calls one service or job function. Text, documents, images
and audio are analysed and rendered in the request (201/200 with the result); video is
analysed and rendered by jobs on the ``media`` queue (202 with the plan ``analysing`` or
``rendering``; poll ``GET /redactions/{plan_id}``).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlmodel import Session

from evidence.deps import ClientDep, CurrentPrincipal, SessionDep, StoreDep
from redaction import background, jobs, revise, service
from redaction.errors import RedactionConfigError, RedactionError, UnsupportedLanguageError
from redaction.faces import DetectorMissing, MediaProbeError
from redaction.models import PlanStatus, RedactionPlan
from redaction.plans import PlanError
from redaction.render.audio import RenderError
from redaction.schemas import (
    DecisionsUpdate,
    DecisionUpdate,
    ManualCreate,
    PlanPublic,
    PlanSummary,
    RedactAll,
    RedactionCreate,
)

router = APIRouter(tags=["redaction"])

# Error classes → HTTP status, for evidence.problems (most specific first).
PROBLEM_STATUSES: list[tuple[type[Exception], int]] = [
    (service.PlanNotFound, 404),
    (service.PlanConflict, 409),
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
    background.submit(session, plan=plan)
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
    plan = jobs.analyse_item(
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
    job = background.reconcile(session, plan)
    return plan_public(session, plan, job)


@router.patch("/redactions/{plan_id}/proposals", response_model=PlanPublic,
              summary="Accept or reject proposals: a new plan version")  # fmt: skip
def decide(
    plan_id: str, body: DecisionsUpdate, session: SessionDep, principal: CurrentPrincipal,
    client: ClientDep,
) -> PlanPublic:  # fmt: skip
    plan = revise.decide(
        session=session, principal=principal, plan_id=plan_id,
        decisions={d.number: d.decision for d in body.decisions}, default=body.default,
        mode=body.mode, client=client,
    )  # fmt: skip
    return plan_public(session, plan)


@router.patch("/redactions/{plan_id}/proposals/{number}", response_model=PlanPublic,
              summary="Accept or reject one proposal: a new plan version")  # fmt: skip
def decide_one(
    plan_id: str, number: int, body: DecisionUpdate, session: SessionDep,
    principal: CurrentPrincipal, client: ClientDep,
) -> PlanPublic:  # fmt: skip
    plan = revise.decide(
        session=session, principal=principal, plan_id=plan_id,
        decisions={number: body.decision}, client=client,
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
