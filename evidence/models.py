"""Core tables: user, api key, auth token, case, membership, blob, item, upload session."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from evidence.types import UTCDateTime


def new_id() -> str:
    """Random identifiers: URLs cannot be guessed or counted."""
    return str(uuid.uuid4())


def _ts(nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UTCDateTime(), nullable=nullable),
    )


class Role(StrEnum):
    OFFICER = "officer"
    INVESTIGATOR = "investigator"
    PROSECUTOR = "prosecutor"
    DEFENCE = "defence"
    COURT = "court"
    AUDITOR = "auditor"
    ADMIN = "admin"


class SourceKind(StrEnum):
    BODYCAM = "bodycam"
    PHONE = "phone"
    CCTV = "cctv"
    DOCUMENT = "document"
    PHOTO = "photo"
    AUDIO = "audio"
    OTHER = "other"


class ItemKind(StrEnum):
    ORIGINAL = "original"
    DERIVATIVE = "derivative"
    CHILD = "child"


class User(SQLModel, table=True):
    __tablename__ = "user"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(default="", max_length=200)
    role: Role = Field(max_length=16)
    password_hash: str = Field(max_length=200)
    totp_secret: str | None = Field(default=None, max_length=64)
    failed_logins: int = 0
    locked_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()


class ApiKey(SQLModel, table=True):
    """A device (bodycam dock) key that acts for one officer."""

    __tablename__ = "api_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=36)
    device: str = Field(max_length=120)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = _ts()
    revoked_at: datetime | None = _ts(nullable=True)


class AuthToken(SQLModel, table=True):
    """A short-lived bearer token; only its hash is stored, so a database leak grants nothing."""

    __tablename__ = "auth_token"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=36)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    revoked_at: datetime | None = _ts(nullable=True)


class Case(SQLModel, table=True):
    __tablename__ = "case"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    number: str = Field(max_length=15, unique=True, index=True)
    title: str = Field(max_length=300)
    status: str = Field(default="open", max_length=16)
    created_by: str = Field(foreign_key="user.id", max_length=36)
    created_at: datetime = _ts()


class CaseMember(SQLModel, table=True):
    __tablename__ = "case_member"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=36)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=36)
    role: Role = Field(max_length=16)
    added_by: str = Field(foreign_key="user.id", max_length=36)
    added_at: datetime = _ts()


class Blob(SQLModel, table=True):
    """Bytes, stored once, named by their SHA-256."""

    __tablename__ = "blob"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    media_type: str = Field(max_length=120)
    storage_key: str = Field(max_length=200)
    created_at: datetime = _ts()


class Item(SQLModel, table=True):
    """What people talk about: an original upload, a derivative or an unpacked child."""

    __tablename__ = "item"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=36)
    sha256: str = Field(foreign_key="blob.sha256", index=True, max_length=64)
    kind: ItemKind = Field(default=ItemKind.ORIGINAL, max_length=16)
    derivative_kind: str | None = Field(default=None, max_length=32)
    parent_id: str | None = Field(default=None, foreign_key="item.id", index=True, max_length=36)
    derivation: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    source_kind: SourceKind = Field(default=SourceKind.OTHER, max_length=16)
    device: str | None = Field(default=None, max_length=120)
    captured_at: datetime | None = _ts(nullable=True)
    collected_at: datetime | None = _ts(nullable=True)
    collected_by: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    original_name: str = Field(max_length=255)
    original_path: str | None = Field(default=None, max_length=1024)
    uploaded_by: str = Field(foreign_key="user.id", max_length=36)
    job_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = _ts()


class UploadSession(SQLModel, table=True):
    """A resumable upload in progress; its bytes wait in the spool until finalised."""

    __tablename__ = "upload_session"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=36)
    user_id: str = Field(foreign_key="user.id", max_length=36)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    received: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    expected_sha256: str | None = Field(default=None, max_length=64)
    item_metadata: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
