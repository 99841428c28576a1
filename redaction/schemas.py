"""API shapes of redaction plans (``/api/v1/items/{id}/redactions``, ``/redactions``)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator

from redaction.models import Decision, PlanStatus

# Proposals in one plan (and so decisions in one revision).
MAX_PROPOSALS = 100_000


class RedactionCreate(BaseModel):
    """Options of an analysis (all optional)."""

    language: str = Field(
        default="auto", max_length=8, description="kk, ru, en or auto (per chunk)"
    )
    entities: list[Annotated[str, Field(max_length=64)]] | None = Field(
        default=None,
        max_length=100,
        description="entity types to propose (default: the deployment policy)",
    )


class ProposalPublic(BaseModel):
    """One proposal. ``target``: span {start,end} | box {page,left,top,width,height[,
    t_start,t_end]} | time {start,end} | track {t_start,t_end,boxes:[{t,left,top,width,
    height}]}; ``regions``: the page boxes or time ranges a span covers."""

    number: int
    entity_type: str
    score: float
    source: str = Field(description="analyzer | manual | face | plate")
    reason: str = Field(
        description="legal basis: a code of `GET /redaction-bases`, e.g. KZ-PDL-art.8 "
        "(suggested by entity type; the reviewer may change it)"
    )
    decision: Decision
    text: str | None = None
    target: dict[str, Any]
    regions: list[dict[str, Any]] = []
    note: str | None = None
    explanation: str | None = Field(
        default=None,
        description="the detector's reason, e.g. 'checksum fails' for a possible IIN typo",
    )


class PlanSummary(BaseModel):
    """A plan version. ``status``: ``draft`` (under review), ``approved`` (rendered; see
    ``releasable``), ``superseded``; for video also ``analysing`` (a ``redact`` job is
    finding faces and plates: no proposals yet), ``rendering`` (approved; a ``render``
    job is making the redacted copy) and ``failed`` (see ``error``; a plan whose
    rendering failed has ``approved_at`` and can be approved again to retry)."""

    id: str
    item_id: str
    case_id: str
    version: int
    status: PlanStatus
    mode: str
    audio: str
    created_by: str
    created_at: datetime
    change: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    derivative_id: str | None = Field(default=None, description="the `redacted` derivative")
    transcript_id: str | None = Field(
        default=None, description="the redacted transcript (JSON), for audio and video"
    )
    releasable: bool = Field(description="rendered and passed the residual check")
    error: str | None = Field(
        default=None, description="why the background analysis or rendering failed (`failed`)"
    )


class PlanPublic(PlanSummary):
    """A plan version with its proposals and the residual check of its rendering."""

    source_kind: str = Field(description="text | pages | transcript | media")
    language: str
    residual: dict[str, Any] | None = Field(
        default=None, description="{passed, checks, blocking: [why release is refused], warnings}"
    )
    proposals: list[ProposalPublic]
    job: dict[str, Any] | None = Field(
        default=None,
        description="while analysing or rendering: the job's stage, state, progress (0-1), "
        "attempts and last error",
    )


class DecisionItem(BaseModel):
    number: int = Field(ge=1, le=MAX_PROPOSALS)
    decision: Decision | None = Field(default=None, description="unchanged when omitted")
    basis: str | None = Field(
        default=None, max_length=64,
        description="legal basis of this region: a code of `GET /redaction-bases` (422 otherwise)",
    )  # fmt: skip
    note: str | None = Field(
        default=None, max_length=500, description="note for the exemption log ('' clears it)"
    )


class DecisionsUpdate(BaseModel):
    """Decisions by proposal number; ``default`` decides every other pending proposal."""

    decisions: list[DecisionItem] = Field(default_factory=list, max_length=MAX_PROPOSALS)
    default: Decision | None = None
    mode: str | None = Field(
        default=None, max_length=16, description="text rendering: placeholder | mask"
    )


class DecisionUpdate(BaseModel):
    decision: Decision | None = None
    basis: str | None = Field(default=None, max_length=64, description="a legal-basis code")
    note: str | None = Field(default=None, max_length=500)


class BasisPublic(BaseModel):
    """A legal basis a reviewer may give a hidden region."""

    code: str
    label: str = Field(description="in the requested language")


class ManualTarget(BaseModel):
    target: dict[str, Any] = Field(
        description="a span, page box, video box or time range (at most 20 fields)"
    )
    entity_type: str = Field(default="MANUAL", max_length=64)
    reason: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)

    @field_validator("target")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        # A target is a handful of numbers: refuse anything big before it is parsed on.
        if len(value) > 20 or len(json.dumps(value, default=str)) > 2000:
            raise ValueError("a target has at most 20 fields and 2,000 characters")
        return value


class ManualCreate(BaseModel):
    """Reviewer-drawn spans, page boxes, video boxes over a time range, or time ranges."""

    items: list[ManualTarget] = Field(min_length=1, max_length=1_000)


class ResidualOverride(BaseModel):
    """Release a plan the residual check blocked: why what it still reads may go out."""

    reason: str = Field(min_length=10, max_length=1000)


class RedactEverywhere(BaseModel):
    """A name, number or phrase to propose in every item of the case under review."""

    text: str = Field(min_length=1, max_length=500)
    entity_type: str = Field(default="PERSON", max_length=64)
    reason: str | None = Field(default=None, max_length=64, description="a legal-basis code")
    decision: Decision = Field(
        default=Decision.PENDING, description="pending (review them) or accepted (hide them)"
    )
    dry_run: bool = Field(default=False, description="only show what would be proposed")


class EverywhereItem(BaseModel):
    item_id: str
    name: str
    plan_id: str = Field(description="the new plan version (the current one on a dry run)")
    version: int
    proposals: list[ProposalPublic]


class EverywhereSkipped(BaseModel):
    item_id: str
    name: str
    why: str = Field(description="not analysed | plan approved | plan superseded | no text …")


class EverywherePublic(BaseModel):
    """What was proposed, grouped by item, and the items it could not reach."""

    text: str
    dry_run: bool
    forms: list[list[str]] = Field(description="the forms searched, per word of the text")
    items: list[EverywhereItem]
    skipped: list[EverywhereSkipped]


class RedactAll(BaseModel):
    """Hide every occurrence of a string in the analysed text."""

    text: str = Field(min_length=1, max_length=500)
    entity_type: str = Field(default="MANUAL", max_length=64)
    reason: str | None = Field(default=None, max_length=200)


class PageBox(BaseModel):
    """A box on a page, in the page's pixels (origin top-left)."""

    # Wide bounds: a box off the page is refused by the plan's check (400, with why).
    page: int = Field(ge=-1_000_000, le=1_000_000)
    left: float = Field(ge=-1_000_000, le=1_000_000)
    top: float = Field(ge=-1_000_000, le=1_000_000)
    width: float = Field(ge=-1_000_000, le=1_000_000)
    height: float = Field(ge=-1_000_000, le=1_000_000)


class BoxesUpdate(BaseModel):
    """New geometry of one proposal: one box for a box proposal, the boxes that replace a
    span's word boxes for a span on a page. Each must lie on a page of the item."""

    boxes: list[PageBox] = Field(min_length=1, max_length=100)


class ReviewPage(BaseModel):
    page: int
    width: int = Field(description="the page's width in box pixels")
    height: int = Field(description="the page's height in box pixels")
    dpi: int | None = None
    open: int = Field(description="undecided proposals with a box on this page")


class ReviewBox(BaseModel):
    """A proposal's box as the review draws it: the rectangle the renderer fills."""

    number: int
    part: int = Field(description="which box of the proposal (a span may have several)")
    page: int
    left: int
    top: int
    width: int
    height: int
    entity_type: str
    score: float
    source: str
    decision: Decision
    reason: str
    explanation: str | None = None
    text: str | None = None
    kind: str | None = Field(default=None, description="box | span: the proposal's target kind")


class ReviewPages(BaseModel):
    """The pages of a plan's item and every box drawn on them."""

    pages: list[ReviewPage]
    boxes: list[ReviewBox]
