"""Redaction tables: the analysed source of an item, plan versions and their proposals.

A plan version is immutable once superseded: every change (a decision, a manual box,
"redact all occurrences") writes a new version that copies the proposals, so the plan a
prosecutor approved is exactly the one that was rendered, and earlier versions remain
for the exemption log. Proposals keep a stable ``number`` across versions.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from evidence.models import new_id
from evidence.types import UTCDateTime


# Enum classes carry the package prefix: PostgreSQL names its enum types after them, and
# evidence.models already owns "sourcekind".
def _ts(nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ..., sa_column=Column(UTCDateTime(), nullable=nullable)
    )


class RedactionPlanStatus(StrEnum):
    """Lifecycle of a plan version.

    Fast items go straight to ``draft``; video is analysed by a ``redact`` job
    (``analysing`` → ``draft``) and rendered by a ``render`` job after approval
    (``rendering`` → ``approved``). ``failed`` carries its reason in ``error``: the
    analysis failed (no approval yet) or the rendering failed (``approved_at`` is set;
    approving again retries it).
    """

    DRAFT = "draft"
    APPROVED = "approved"
    SUPERSEDED = "superseded"
    ANALYSING = "analysing"
    RENDERING = "rendering"
    FAILED = "failed"


class RedactionDecision(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class RedactionProposalSource(StrEnum):
    ANALYZER = "analyzer"
    MANUAL = "manual"
    FACE = "face"
    PLATE = "plate"


class RedactionSourceKind(StrEnum):
    """What was analysed: plain text, OCR/text-layer pages, a transcript, or pixels only."""

    TEXT = "text"
    PAGES = "pages"
    TRANSCRIPT = "transcript"
    MEDIA = "media"


class RedactionSource(SQLModel, table=True):
    """The text an analysis ran on, with the geometry that maps its characters back.

    ``words`` holds one entry per word: ``start``/``end`` character offsets into ``text``
    and either a page box (page, left, top, width, height) or a time range (t0, t1).
    ``media`` keeps facts the renderers need (media type, page sizes and dpi, duration).
    """

    __tablename__ = "redaction_source"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    item_id: str = Field(foreign_key="item.id", index=True, max_length=36)
    kind: RedactionSourceKind = Field(max_length=16)
    language: str = Field(default="auto", max_length=8)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    words: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    media: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = _ts()


class RedactionPlan(SQLModel, table=True):
    """One version of the redaction plan of an item."""

    __tablename__ = "redaction_plan"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    item_id: str = Field(foreign_key="item.id", index=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=36)
    source_id: str = Field(foreign_key="redaction_source.id", max_length=36)
    version: int
    status: RedactionPlanStatus = Field(default=RedactionPlanStatus.DRAFT, max_length=16)
    mode: str = Field(default="placeholder", max_length=16)  # text: placeholder | mask
    audio: str = Field(default="bleep", max_length=16)  # bleep | mute
    entities: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    created_by: str = Field(foreign_key="user.id", max_length=36)
    created_at: datetime = _ts()
    change: str | None = Field(default=None, max_length=500)
    approved_by: str | None = Field(default=None, foreign_key="user.id", max_length=36)
    approved_at: datetime | None = _ts(nullable=True)
    derivative_id: str | None = Field(default=None, foreign_key="item.id", max_length=36)
    # For audio/video with a transcript: the redacted transcript (JSON), also "redacted".
    transcript_id: str | None = Field(default=None, foreign_key="item.id", max_length=36)
    residual: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    releasable: bool = False
    # Why the background analysis or rendering failed (status ``failed``).
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class RedactionProposal(SQLModel, table=True):
    """One thing to hide: what, where, how sure, who proposed it, why, and the decision.

    ``target`` is one of ``{"kind": "span", start, end}``, ``{"kind": "box", page, left,
    top, width, height}``, ``{"kind": "time", start, end}`` (seconds) or ``{"kind":
    "track", t_start, t_end, boxes: [{t, left, top, width, height}]}``; span proposals on
    pages or transcripts also carry the boxes/ranges their words cover (``regions``).
    """

    __tablename__ = "redaction_proposal"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    plan_id: str = Field(foreign_key="redaction_plan.id", index=True, max_length=36)
    number: int
    entity_type: str = Field(max_length=48)
    score: float = 1.0
    source: RedactionProposalSource = Field(max_length=16)
    reason: str = Field(max_length=64)
    decision: RedactionDecision = Field(default=RedactionDecision.PENDING, max_length=16)
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    target: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    regions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    note: str | None = Field(default=None, max_length=500)
    # The detector's own words for why it proposed this ("checksum fails"); not the
    # legal basis, which is ``reason``.
    explanation: str | None = Field(default=None, max_length=200)


PlanStatus = RedactionPlanStatus
Decision = RedactionDecision
ProposalSource = RedactionProposalSource
SourceKind = RedactionSourceKind
