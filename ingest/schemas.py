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


# Seconds of media: about 11.5 days, longer than any recording we hold.
MAX_SECONDS = 1_000_000.0


class Word(BaseModel):
    word: str = Field(max_length=200)
    start: float = Field(ge=0, le=MAX_SECONDS)
    end: float = Field(ge=0, le=MAX_SECONDS)
    probability: float | None = Field(default=None, ge=0, le=1)


class Segment(BaseModel):
    start: float = Field(ge=0, le=MAX_SECONDS)
    end: float = Field(ge=0, le=MAX_SECONDS)
    text: str = Field(max_length=10_000)
    words: list[Word] = Field(default_factory=list, max_length=5_000)


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

    segments: list[Segment] = Field(min_length=1, max_length=50_000)
    language: str | None = Field(default=None, max_length=16)
    verified: bool = False
    base_version: int | None = Field(
        default=None,
        ge=0,
        le=2**31,
        description="the version edited; refused if it is no longer the latest",
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


HitKind = Literal["transcript", "ocr", "pdf-text", "text", "document", "chat"]

SEARCH_SYNTAX = (
    'Words in any form and order, all required (ranked); "exact phrase"; a OR b (also '
    "ИЛИ, НЕМЕСЕ); -exclude; prefix*; phone numbers however written. Case, ё/е and "
    "Kazakh letters typed as Russian ones (қ/к, ғ/г, ә/а, ...) do not matter; names also "
    "find similar spellings and transliterations (Ерубаев, Yerubayev), ranked last."
)


class SearchHit(BaseModel):
    item_id: str
    kind: HitKind
    snippet: str = Field(description="the best part of the text, matching words in [brackets]")
    highlights: list[list[int]] = Field(
        default_factory=list,
        description="[start, end) of each matching word in `snippet` (inside its brackets)",
    )
    locator: dict[str, Any] = Field(
        description='{"start","end"} seconds, {"page"} (and "part" of a long page), or '
        '{"message","position","sent_at"}'
    )
    rank: float
    sender: str | None = Field(default=None, description="who sent the chat message")
    fuzzy: bool = Field(
        default=False, description="found only through a similar name (ranked after the rest)"
    )


class SearchResults(BaseModel):
    q: str
    hits: list[SearchHit]
