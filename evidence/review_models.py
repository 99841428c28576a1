"""Review tables: tags, item tags, notes and clips (migrated with the core tables)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Float, ForeignKey, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from evidence.models import Case, Item, User, new_id
from evidence.types import UTCDateTime

log = logging.getLogger(__name__)


def _fk(column: Any, *, index: bool = True, nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(
            String(36), ForeignKey(column, ondelete="CASCADE"), index=index, nullable=nullable
        ),
    )


def _ts() -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=False))


class Tag(SQLModel, table=True):
    """A label used inside one case ("suspect", "weapon", "кілт сөз")."""

    __tablename__ = "tag"
    __table_args__ = (UniqueConstraint("case_id", "name"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: str = _fk(Case.__table__.c.id)  # type: ignore[attr-defined]
    name: str = Field(max_length=64)
    created_by: str = _fk(User.__table__.c.id, index=False)  # type: ignore[attr-defined]
    created_at: datetime = _ts()


class ItemTag(SQLModel, table=True):
    __tablename__ = "item_tag"
    __table_args__ = (UniqueConstraint("item_id", "tag_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    item_id: str = _fk(Item.__table__.c.id)  # type: ignore[attr-defined]
    tag_id: str = _fk(Tag.__table__.c.id)  # type: ignore[attr-defined]
    added_by: str = _fk(User.__table__.c.id, index=False)  # type: ignore[attr-defined]
    added_at: datetime = _ts()


class Note(SQLModel, table=True):
    """A remark on an item, optionally at a time range (seconds) or on a region (x, y, w, h
    as fractions of the frame or page, so they survive a proxy's smaller resolution)."""

    __tablename__ = "note"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    item_id: str = _fk(Item.__table__.c.id)  # type: ignore[attr-defined]
    case_id: str = _fk(Case.__table__.c.id)  # type: ignore[attr-defined]
    author_id: str = _fk(User.__table__.c.id, index=False)  # type: ignore[attr-defined]
    body: str = Field(max_length=4000)
    start: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    end: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    page: int | None = None
    region: str | None = Field(default=None, max_length=100)  # "x,y,w,h" fractions
    private: bool = False
    created_at: datetime = _ts()


class Clip(SQLModel, table=True):
    """A bookmarked time range of an audio or video item."""

    __tablename__ = "clip"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    item_id: str = _fk(Item.__table__.c.id)  # type: ignore[attr-defined]
    case_id: str = _fk(Case.__table__.c.id)  # type: ignore[attr-defined]
    author_id: str = _fk(User.__table__.c.id, index=False)  # type: ignore[attr-defined]
    title: str = Field(max_length=200)
    start: float = Field(sa_column=Column(Float, nullable=False))
    end: float = Field(sa_column=Column(Float, nullable=False))
    created_at: datetime = _ts()
