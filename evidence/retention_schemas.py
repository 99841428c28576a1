"""API shapes for retention, legal holds and purges."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator

from evidence.validation import check_aware

CODE_LENGTH = 100  # codes of the retention table are short identifiers
MAX_PURGE_ITEMS = 10_000


class CodedPublic(BaseModel):
    code: str | None = Field(description="a code from the retention table")
    names: dict[str, str] = Field(description="the code's name in kk, ru and en")
    text: str | None = Field(default=None, description="free text beside the code")
    source: str = Field(description="where it is set: item, case or default")


class BasisFields(BaseModel):
    legal_basis: str | None = Field(
        default=None, max_length=CODE_LENGTH, description="code from the table's legal_bases"
    )
    legal_basis_text: str | None = Field(default=None, max_length=2000)
    purpose: str | None = Field(
        default=None, max_length=CODE_LENGTH, description="code from the table's purposes"
    )
    purpose_text: str | None = Field(default=None, max_length=2000)


class CaseRetentionUpdate(BasisFields):
    category: str | None = Field(
        default=None, max_length=CODE_LENGTH, description="None: the table's default category"
    )


class ItemRetentionUpdate(BasisFields):
    category: str | None = Field(
        default=None, max_length=CODE_LENGTH, description="None: follow the case's category"
    )
    reason: str | None = Field(
        default=None, max_length=2000, description="why (needed to change the category)"
    )


class LifecycleUpdate(BaseModel):
    """Only the fields present change; an explicit null clears a date."""

    closed_at: datetime | None = None
    verdict_at: datetime | None = None
    appeal_ended_at: datetime | None = None

    @field_validator("closed_at", "verdict_at", "appeal_ended_at")
    @classmethod
    def _aware(cls, value: datetime | None, info: Any) -> datetime | None:
        return check_aware(value, info.field_name)


class HoldCreate(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    item_id: str | None = Field(
        default=None, max_length=64, description="one item; omitted: the whole case"
    )


class HoldRelease(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class HoldPublic(BaseModel):
    id: str
    case_id: str
    item_id: str | None
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str | None = None
    released_at: datetime | None = None
    release_reason: str | None = None


class PurgeInfoPublic(BaseModel):
    purge_id: str
    purging_at: datetime | None
    purged_at: datetime | None
    reason: str
    proposed_by: str
    approved_by: str | None
    approved_at: datetime | None


class ItemRetentionPublic(BaseModel):
    item_id: str
    category: CodedPublic
    category_reason: str | None
    legal_basis: CodedPublic
    purpose: CodedPublic
    retain_until: datetime | None = Field(description="null: kept indefinitely for now")
    holds: list[HoldPublic]
    purge: PurgeInfoPublic | None
    storage_until: datetime | None = Field(description="the lock last set in object storage")
    storage_hold: bool | None


class CaseRetentionPublic(BaseModel):
    case_id: str
    category: CodedPublic
    legal_basis: CodedPublic
    purpose: CodedPublic
    closed_at: datetime | None
    verdict_at: datetime | None
    appeal_ended_at: datetime | None
    holds: list[HoldPublic]
    counts: dict[str, int]
    next_date: datetime | None


class DueCasePublic(BaseModel):
    case_id: str
    number: str
    title: str
    items: int
    earliest: datetime


class DueItemPublic(BaseModel):
    id: str
    name: str
    kind: str
    derivative_kind: str | None
    sha256: str
    retain_until: datetime


class PurgeCreate(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    items: list[Annotated[str, Field(max_length=64)]] | None = Field(
        default=None, max_length=MAX_PURGE_ITEMS, description="item ids; omitted: all due items"
    )


class PurgeDecision(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class PurgeItemPublic(BaseModel):
    item_id: str
    via: str | None = Field(description="the original it follows; null when named")
    outcome: str | None
    done_at: datetime | None


class PurgePublic(BaseModel):
    id: str
    case_id: str
    state: str
    reason: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    finished_at: datetime | None
    error: str | None
    items: list[PurgeItemPublic] = []


class RetentionTablePublic(BaseModel):
    id: int | None = Field(description="the loaded table's id; null: the shipped default")
    digest: str
    table: dict[str, Any]
