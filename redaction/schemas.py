"""API shapes of redaction plans (``/api/v1/items/{id}/redactions``, ``/redactions``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from redaction.models import Decision, PlanStatus


class RedactionCreate(BaseModel):
    """Options of an analysis (all optional)."""

    language: str = Field(default="auto", description="kk, ru, en or auto (per chunk)")
    entities: list[str] | None = Field(
        default=None, description="entity types to propose (default: the deployment policy)"
    )


class ProposalPublic(BaseModel):
    """One proposal. ``target``: span {start,end} | box {page,left,top,width,height[,
    t_start,t_end]} | time {start,end} | track {t_start,t_end,boxes:[{t,left,top,width,
    height}]}; ``regions``: the page boxes or time ranges a span covers."""

    number: int
    entity_type: str
    score: float
    source: str = Field(description="analyzer | manual | face | plate")
    reason: str = Field(description="legal-basis code, e.g. KZ-PDL-art.8")
    decision: Decision
    text: str | None = None
    target: dict[str, Any]
    regions: list[dict[str, Any]] = []
    note: str | None = None


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
    number: int
    decision: Decision


class DecisionsUpdate(BaseModel):
    """Decisions by proposal number; ``default`` decides every other pending proposal."""

    decisions: list[DecisionItem] = []
    default: Decision | None = None
    mode: str | None = Field(default=None, description="text rendering: placeholder | mask")


class DecisionUpdate(BaseModel):
    decision: Decision


class ManualTarget(BaseModel):
    target: dict[str, Any]
    entity_type: str = "MANUAL"
    reason: str | None = None
    note: str | None = Field(default=None, max_length=500)


class ManualCreate(BaseModel):
    """Reviewer-drawn spans, page boxes, video boxes over a time range, or time ranges."""

    items: list[ManualTarget] = Field(min_length=1)


class RedactAll(BaseModel):
    """Hide every occurrence of a string in the analysed text."""

    text: str = Field(min_length=1, max_length=500)
    entity_type: str = "MANUAL"
    reason: str | None = None
