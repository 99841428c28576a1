"""API shapes of the ingest endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class JobPublic(BaseModel):
    id: str
    key: str
    item_id: str
    stage: str
    subject: str | None = None  # the clip of a clip export
    queue: str
    state: str
    attempts: int
    progress: float
    error: str | None
    result: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime


class Word(BaseModel):
    word: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    probability: float | None = None


class Segment(BaseModel):
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    text: str
    words: list[Word] = Field(default_factory=list)


class TranscriptPublic(BaseModel):
    item_id: str
    language: str | None
    segments: list[Segment]
    version: int
    origin: str  # machine | reviewed
    verified: bool
    edited_by: str | None
    created_at: datetime
    duration: float | None = None


class TranscriptEdit(BaseModel):
    """A reviewer's version: full segments (words optional), and the verified mark."""

    segments: list[Segment] = Field(min_length=1)
    language: str | None = Field(default=None, max_length=16)
    verified: bool = False
    base_version: int | None = Field(
        default=None, description="the version edited; refused if it is no longer the latest"
    )


class TranscribeIn(BaseModel):
    language: Literal["kk", "ru", "en"] = Field(description="the language spoken")


class TranscriptVersion(BaseModel):
    version: int
    origin: str
    verified: bool
    language: str | None
    edited_by: str | None
    derivative_id: str | None
    created_at: datetime


class WordBox(BaseModel):
    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    line: int


class TextPagePublic(BaseModel):
    page: int
    source: str  # ocr | pdf-text
    text: str
    words: list[WordBox]
    width: int
    height: int
    dpi: int
    mean_confidence: float | None


class TextPublic(BaseModel):
    item_id: str
    text: str
    pages: list[TextPagePublic]


class MessagePublic(BaseModel):
    message_id: str
    platform: str
    chat_name: str | None
    position: int
    sender: str | None
    sent_at: datetime | None
    text: str
    system: bool
    reply_to: str | None
    attachments: list[dict[str, Any]]
    attachment_item_ids: list[str]


class FindingPublic(BaseModel):
    member_path: str
    reason: str
    detail: str


class MetadataPublic(BaseModel):
    item_id: str
    media_type: str
    kind: str
    extension: str
    extension_mismatch: bool
    mismatch_reason: str | None
    probe: dict[str, Any] | None
    probe_error: str | None
    c2pa: dict[str, Any] | None
    archive_findings: list[FindingPublic]


class SearchHit(BaseModel):
    item_id: str
    kind: str = Field(description="transcript | ocr | pdf-text | chat")
    snippet: str = Field(description="matching words in [brackets]")
    locator: dict[str, Any] = Field(
        description='{"start","end"} seconds, {"page"}, or {"message","sent_at"}'
    )
    rank: float


class SearchResults(BaseModel):
    q: str
    hits: list[SearchHit]
