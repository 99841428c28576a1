"""Ingest tables: media facts, transcripts, text pages, chat messages, archive
findings and the search index. Evidence-derived rows point at vault items by id.
(The job table belongs to the job runtime: `ingest.runtime.models`.)"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DDL, JSON, BigInteger, Column, Index, Integer, Text, UniqueConstraint, event
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn
from sqlmodel import Field, SQLModel

from evidence.models import new_id
from evidence.types import json_field, utc_field


class MediaInfo(SQLModel, table=True):
    """What the content is (by bytes, not name) and what its metadata says."""

    __tablename__ = "media_info"

    item_id: str = Field(primary_key=True, foreign_key="item.id", max_length=36)
    media_type: str = Field(max_length=120)
    kind: str = Field(max_length=32)
    extension: str = Field(default="", max_length=32)
    extension_mismatch: bool = False
    mismatch_reason: str | None = Field(default=None, max_length=500)
    detection: dict[str, Any] | None = json_field()
    probe: dict[str, Any] | None = json_field()
    probe_error: str | None = Field(default=None, max_length=2000)
    c2pa: dict[str, Any] | None = json_field()
    created_at: datetime = utc_field()


class TranscriptOrigin(StrEnum):
    MACHINE = "machine"
    REVIEWED = "reviewed"


class Transcript(SQLModel, table=True):
    """A version of the transcript of an audio/video item; edits add versions."""

    __tablename__ = "transcript"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    item_id: str = Field(foreign_key="item.id", index=True, max_length=36)
    version: int
    origin: TranscriptOrigin = Field(max_length=16)
    language: str | None = Field(default=None, max_length=16)
    duration: float | None = None
    segments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    verified: bool = False
    edited_by: str | None = Field(default=None, foreign_key="user.id", max_length=36)
    derivative_id: str | None = Field(default=None, foreign_key="item.id", max_length=36)
    derivation: dict[str, Any] | None = json_field()
    created_at: datetime = utc_field()


class TextPage(SQLModel, table=True):
    """One page of text of an image or PDF item, with word boxes (redaction needs them)."""

    __tablename__ = "text_page"
    __table_args__ = (UniqueConstraint("item_id", "page"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    item_id: str = Field(foreign_key="item.id", index=True, max_length=36)
    page: int
    source: str = Field(max_length=16)  # ocr | pdf-text | text
    text: str = Field(sa_column=Column(Text, nullable=False))
    words: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    width: int = 0
    height: int = 0
    dpi: int = 0
    mean_confidence: float | None = None
    created_at: datetime = utc_field()


class ChatMessage(SQLModel, table=True):
    """A message parsed out of a chat export item (Telegram or WhatsApp)."""

    __tablename__ = "chat_message"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    item_id: str = Field(foreign_key="item.id", index=True, max_length=36)
    platform: str = Field(max_length=16)
    chat_name: str | None = Field(default=None, max_length=300)
    position: int = Field(sa_column=Column(Integer, nullable=False))
    message_id: str = Field(max_length=64)
    sender: str | None = Field(default=None, max_length=300)
    sent_at: datetime | None = utc_field(nullable=True)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    system: bool = False
    reply_to: str | None = Field(default=None, max_length=64)
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    attachment_item_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON))


class ArchiveFinding(SQLModel, table=True):
    """An archive member not extracted (or the archive refused), with the reason."""

    __tablename__ = "archive_finding"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    item_id: str = Field(foreign_key="item.id", index=True, max_length=36)
    member_path: str = Field(sa_column=Column(Text, nullable=False))
    reason: str = Field(max_length=64)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = utc_field()


class SearchEntry(SQLModel, table=True):
    """One searchable unit: a transcript segment, a page (or a part of a long one), a
    chat message. Its words' forms (`ingest.search.analyzer`) live in the PostgreSQL
    column `tsv` (added below) and in SQLite's FTS5 table `search_fts` kept by
    `ingest.search` (metadata cannot express FTS5)."""

    __tablename__ = "search_entry"
    __table_args__ = (Index("ix_search_entry_source", "item_id", "source"),)

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    case_id: str = Field(foreign_key="case.id", index=True, max_length=36)
    item_id: str = Field(foreign_key="item.id", max_length=36)
    source: str = Field(max_length=16)  # transcript | ocr | pdf-text | chat | text | document
    locator: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    text: str = Field(sa_column=Column(Text, nullable=False))
    # The language the words were analysed in (kk, ru, en); None: guessed per entry.
    language: str | None = Field(default=None, max_length=8)
    sender: str | None = Field(default=None, max_length=300)  # of a chat message
    sent_at: datetime | None = utc_field(nullable=True)  # of a chat message


# `tsv` exists on PostgreSQL only: the analysed forms, written by ingest.search as a
# tsvector literal (no text search configuration parses the text again). It is appended
# to the table after mapping, so the ORM never selects or writes it, and skipped in
# SQLite's CREATE TABLE.
_TSV = Column("tsv", TSVECTOR().with_variant(Text(), "sqlite"), nullable=True)
SearchEntry.__table__.append_column(_TSV)  # type: ignore[attr-defined]
Index("ix_search_entry_tsv", _TSV, postgresql_using="gin").ddl_if(dialect="postgresql")


class SearchTerm(SQLModel, table=True):
    """The fuzzy-name vocabulary of a case: capitalised words and chat senders' words,
    with a spelling-neutral Latin key (`ingest.search.fuzzy.key`) that a trigram index
    searches (pg_trgm here; SQLite: the FTS5 trigram table `search_fts_term`)."""

    __tablename__ = "search_term"
    __table_args__ = (UniqueConstraint("case_id", "term"),)

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    )
    case_id: str = Field(foreign_key="case.id", max_length=36)
    term: str = Field(max_length=64)
    key: str = Field(max_length=200)


Index(
    "ix_search_term_key_trgm",
    SearchTerm.__table__.c.key,  # type: ignore[attr-defined]
    postgresql_using="gin",
    postgresql_ops={"key": "gin_trgm_ops"},
).ddl_if(dialect="postgresql")
# The trigram operator class needs the extension first (trusted since PostgreSQL 13:
# a database owner may create it).
event.listen(
    SearchTerm.__table__,  # type: ignore[attr-defined]
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),  # type: ignore[no-untyped-call]  # SQLAlchemy leaves DDL() unannotated
)


@compiles(CreateColumn, "sqlite")
def _create_column_sqlite(element: CreateColumn, compiler: Any, **kw: Any) -> str | None:
    column = element.element
    if column.name == "tsv" and column.table is not None and column.table.name == "search_entry":
        return None
    return compiler.visit_create_column(element, **kw)  # type: ignore[no-any-return]
