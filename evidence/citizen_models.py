"""Evidence requests to victims and witnesses: a one-time link, its uploads, its files.

An investigator or prosecutor sends a request (`evidence_request`) to a person; the link
holds a random token whose SHA-256 alone is stored. The person's files arrive through a
resumable upload (`citizen_upload`, the same protocol as staff uploads) and wait in
quarantine (`submission`) — stored bytes, not evidence of the case — until a case member
accepts each one (it becomes an original item with source kind `citizen`) or rejects it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, LargeBinary
from sqlmodel import Field, SQLModel

from evidence.models import new_id
from evidence.types import UTCDateTime


def _ts(nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UTCDateTime(), nullable=nullable),
    )


class RequestState(StrEnum):
    SENT = "sent"
    OPENED = "opened"
    RECEIVED = "files received"
    EXPIRED = "expired"
    REVOKED = "revoked"


class SubmissionState(StrEnum):
    QUARANTINED = "quarantined"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class EvidenceRequest(SQLModel, table=True):
    """A request for files sent to one person; the link works until it expires, is
    revoked or its limits are used up."""

    __tablename__ = "evidence_request"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=36)
    reference: str = Field(max_length=16, unique=True)  # shown to the person, on receipts
    created_by: str = Field(foreign_key="user.id", max_length=36)
    # Personal data of the person asked: shown to case members only.
    person_name: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    language: str = Field(default="kk", max_length=8)
    message: str = Field(default="", max_length=2000)
    asked_for: str = Field(default="", max_length=1000)
    show_case_number: bool = False
    max_files: int = 16
    max_file_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    max_total_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    token_hash: str = Field(max_length=64, unique=True, index=True)
    files_received: int = 0
    bytes_received: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    emailed: bool = False
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    opened_at: datetime | None = _ts(nullable=True)
    revoked_at: datetime | None = _ts(nullable=True)
    revoked_by: str | None = Field(default=None, max_length=36)


class CitizenUpload(SQLModel, table=True):
    """A resumable upload through a request's link; the SHA-256 the person's browser
    computed is declared when it begins, and the bytes must match it."""

    __tablename__ = "citizen_upload"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    request_id: str = Field(foreign_key="evidence_request.id", index=True, max_length=36)
    filename: str = Field(max_length=255)
    description: str = Field(default="", max_length=2000)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    received: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(max_length=64)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    # As `UploadSession`: parts in the object store, hash state and head in the row.
    store_state: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    hash_state: str | None = Field(default=None, max_length=300)
    head: bytes | None = Field(default=None, sa_column=Column(LargeBinary))


class Submission(SQLModel, table=True):
    """A file received through a request, in quarantine until accepted or rejected."""

    __tablename__ = "submission"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    request_id: str = Field(foreign_key="evidence_request.id", index=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=36)
    sha256: str = Field(foreign_key="blob.sha256", index=True, max_length=64)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    media_type: str = Field(max_length=120)
    original_name: str = Field(max_length=255)
    description: str = Field(default="", max_length=2000)
    received_at: datetime = _ts()
    ledger_index: int = Field(sa_column=Column(BigInteger, nullable=False))
    leaf_hash: str = Field(max_length=64)
    state: SubmissionState = Field(default=SubmissionState.QUARANTINED, max_length=16)
    decided_by: str | None = Field(default=None, max_length=36)
    decided_at: datetime | None = _ts(nullable=True)
    reason: str | None = Field(default=None, max_length=1000)
    item_id: str | None = Field(default=None, foreign_key="item.id", max_length=36)
