"""Retention tables: the loaded retention table, per-case and per-item retention, legal
holds, two-person purge requests, and what the object store was last told.

Nothing here is ever deleted: a purged item keeps its `item`, `blob` and `item_retention`
rows as a tombstone (hash, size, name, dates, approvals); holds are released, not removed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from evidence.models import new_id
from evidence.types import UTCDateTime


def _ts(nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UTCDateTime(), nullable=nullable),
    )


class RetentionConfigRow(SQLModel, table=True):
    """One loaded retention table; the newest row is in force (older ones are history)."""

    __tablename__ = "retention_config"

    id: int | None = Field(default=None, primary_key=True)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    digest: str = Field(max_length=64)
    source: str = Field(max_length=500)
    loaded_by: str | None = Field(default=None, foreign_key="user.id", max_length=36)
    loaded_at: datetime = _ts()


class CaseRetention(SQLModel, table=True):
    """A case's category, legal basis, purpose and the lifecycle dates its clocks use."""

    __tablename__ = "case_retention"

    case_id: str = Field(primary_key=True, foreign_key="case.id", max_length=36)
    category: str | None = Field(default=None, max_length=64)
    legal_basis: str | None = Field(default=None, max_length=64)
    legal_basis_text: str | None = Field(default=None, max_length=2000)
    purpose: str | None = Field(default=None, max_length=64)
    purpose_text: str | None = Field(default=None, max_length=2000)
    closed_at: datetime | None = _ts(nullable=True)
    verdict_at: datetime | None = _ts(nullable=True)
    appeal_ended_at: datetime | None = _ts(nullable=True)
    updated_at: datetime | None = _ts(nullable=True)


class ItemRetention(SQLModel, table=True):
    """An item's own retention: an optional override of the case's category (with its
    reason) and of basis and purpose, the computed date, and its purge (tombstone)."""

    __tablename__ = "item_retention"
    __table_args__ = (
        # `dalel retention due`: dates passed, not purged, found by an index range scan.
        Index(
            "ix_item_retention_due",
            "retain_until",
            postgresql_where=text("purged_at IS NULL"),
            sqlite_where=text("purged_at IS NULL"),
        ),
    )

    item_id: str = Field(primary_key=True, foreign_key="item.id", max_length=36)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=36)
    category: str | None = Field(default=None, max_length=64)
    category_reason: str | None = Field(default=None, max_length=2000)
    legal_basis: str | None = Field(default=None, max_length=64)
    legal_basis_text: str | None = Field(default=None, max_length=2000)
    purpose: str | None = Field(default=None, max_length=64)
    purpose_text: str | None = Field(default=None, max_length=2000)
    # None: kept indefinitely (an indefinite category, or a clock not started yet).
    retain_until: datetime | None = _ts(nullable=True)
    config_id: int | None = Field(default=None, foreign_key="retention_config.id")
    purge_id: str | None = Field(default=None, foreign_key="purge_request.id", max_length=36)
    purging_at: datetime | None = _ts(nullable=True)  # bytes are being deleted
    purged_at: datetime | None = _ts(nullable=True)


class LegalHold(SQLModel, table=True):
    """A hold on a whole case (`item_id` None) or one item; active until released."""

    __tablename__ = "legal_hold"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=36)
    item_id: str | None = Field(default=None, foreign_key="item.id", index=True, max_length=36)
    reason: str = Field(max_length=2000)
    placed_by: str = Field(foreign_key="user.id", max_length=36)
    placed_at: datetime = _ts()
    released_by: str | None = Field(default=None, foreign_key="user.id", max_length=36)
    released_at: datetime | None = _ts(nullable=True)
    release_reason: str | None = Field(default=None, max_length=2000)


class PurgeState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"  # approved: the purge job deletes and records
    REJECTED = "rejected"
    DONE = "done"


class PurgeRequest(SQLModel, table=True):
    """A proposal to purge items of one case, and the second person's decision on it."""

    __tablename__ = "purge_request"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=36)
    state: PurgeState = Field(default=PurgeState.PROPOSED, max_length=16)
    reason: str = Field(max_length=2000)
    proposed_by: str = Field(foreign_key="user.id", max_length=36)
    proposed_at: datetime = _ts()
    decided_by: str | None = Field(default=None, foreign_key="user.id", max_length=36)
    decided_at: datetime | None = _ts(nullable=True)
    decision_reason: str | None = Field(default=None, max_length=2000)
    finished_at: datetime | None = _ts(nullable=True)
    error: str | None = Field(default=None, max_length=2000)


class PurgeItem(SQLModel, table=True):
    """One item named by a purge request."""

    __tablename__ = "purge_item"

    purge_id: str = Field(primary_key=True, foreign_key="purge_request.id", max_length=36)
    item_id: str = Field(primary_key=True, foreign_key="item.id", index=True, max_length=36)
    # Why it is in the request: named by the proposer, or following its original.
    via: str | None = Field(default=None, foreign_key="item.id", max_length=36)
    outcome: str | None = Field(default=None, max_length=300)  # purged | kept: why
    done_at: datetime | None = _ts(nullable=True)


class ObjectLock(SQLModel, table=True):
    """What the object store was last told about a blob (retention date, legal hold), so
    applying retention after a change only touches objects whose lock must move."""

    __tablename__ = "object_lock"

    sha256: str = Field(primary_key=True, foreign_key="blob.sha256", max_length=64)
    retain_until: datetime | None = _ts(nullable=True)
    legal_hold: bool = False
    synced_at: datetime = _ts()
