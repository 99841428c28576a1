"""The job table: one processing stage of one item, whatever package contributed it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from evidence.types import json_field, utc_field


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"  # someone stopped it; it may be queued again
    NOT_CONFIGURED = "not_configured"  # the server lacks what the stage needs (a model)


# States a job ends in that a new submission (or a re-run) may start again.
RESTARTABLE = frozenset({JobState.FAILED, JobState.CANCELLED, JobState.NOT_CONFIGURED})


class Job(SQLModel, table=True):
    """One processing stage of one item.

    `key` is the content-level identity "<sha256>:<stage>:<versions hash>"; `id` adds
    the item, because derivatives belong to a case and the same bytes may sit in two.
    """

    __tablename__ = "job"

    id: str = Field(primary_key=True, max_length=160)
    key: str = Field(index=True, max_length=120)
    item_id: str = Field(foreign_key="item.id", index=True, max_length=36)
    stage: str = Field(max_length=32)
    # What a per-subject stage works on besides the item (the clip of a clip export).
    subject: str | None = Field(default=None, max_length=36)
    queue: str = Field(max_length=32)
    state: JobState = Field(default=JobState.QUEUED, max_length=16)
    attempts: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    progress: float = 0.0
    result: dict[str, Any] | None = json_field()
    fingerprint: dict[str, Any] | None = json_field()
    created_at: datetime = utc_field()
    started_at: datetime | None = utc_field(nullable=True)
    finished_at: datetime | None = utc_field(nullable=True)
    updated_at: datetime = utc_field()
