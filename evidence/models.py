"""Core tables: user, api key, auth token, case, membership, blob, item, upload session."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, LargeBinary, UniqueConstraint
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
    SUPERVISOR = "supervisor"  # a supervising prosecutor: approves purges, reads no evidence
    ADMIN = "admin"


class SourceKind(StrEnum):
    BODYCAM = "bodycam"
    PHONE = "phone"
    CCTV = "cctv"
    DOCUMENT = "document"
    PHOTO = "photo"
    AUDIO = "audio"
    CITIZEN = "citizen"  # sent by a victim or witness through a request link
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
    # Failed sign-ins since the last success or lock; the account lock is temporary
    # (`locked_until`) and grows with each lock in a row (`lock_count`).
    failed_logins: int = 0
    locked_at: datetime | None = _ts(nullable=True)
    locked_until: datetime | None = _ts(nullable=True)
    lock_count: int = 0
    # The interface language the person chose (kk, ru, en); None: the browser's.
    language: str | None = Field(default=None, max_length=8)
    # An administrator disabled the account: no sign-in, no session, no device key.
    disabled_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()


class KeyScope(StrEnum):
    """What a device key may do: `upload` (the default: find the case by its number and
    send files to it, nothing else) or `officer` (everything its officer may)."""

    UPLOAD = "upload"
    OFFICER = "officer"


class TokenKind(StrEnum):
    """Where a bearer token may be presented: `api` tokens only in an Authorization
    header, `web` tokens only as the session cookie (with CSRF protection)."""

    API = "api"
    WEB = "web"


class ApiKey(SQLModel, table=True):
    """A device (bodycam dock) key that acts for one officer."""

    __tablename__ = "api_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=36)
    device: str = Field(max_length=120)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    scope: KeyScope = Field(default=KeyScope.UPLOAD, max_length=16)
    created_by: str | None = Field(default=None, max_length=36)
    created_at: datetime = _ts()
    expires_at: datetime | None = _ts(nullable=True)
    last_used_at: datetime | None = _ts(nullable=True)
    revoked_at: datetime | None = _ts(nullable=True)


class AuthToken(SQLModel, table=True):
    """A short-lived bearer token; only its hash is stored, so a database leak grants nothing."""

    __tablename__ = "auth_token"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=36)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    kind: TokenKind = Field(default=TokenKind.API, max_length=8)
    # A web session issued before a required authenticator is enrolled: it reaches only
    # the account page and the enrolment routes until enrolment succeeds.
    enrol_only: bool = False
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
    # The file's modification time where it was collected (a phone extraction keeps it).
    source_modified_at: datetime | None = _ts(nullable=True)
    uploaded_by: str = Field(foreign_key="user.id", max_length=36)
    job_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = _ts()


class UploadSession(SQLModel, table=True):
    """A resumable upload in progress. Its state lives here, not on a host: the bytes go
    to the object store as parts (`store_state`), the running SHA-256 is saved after
    every chunk (`hash_state`, `evidence.hashstate`), and the first bytes are kept for
    the media type (`head`); any API process can take the next chunk."""

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
    # Null only on sessions begun before migration 0018 (spooled on a host): start again.
    store_state: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    hash_state: str | None = Field(default=None, max_length=300)
    head: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
