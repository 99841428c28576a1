"""API shapes of evidence requests (staff side and the person's link)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from evidence.citizen_models import RequestState, SubmissionState

Language = Literal["kk", "ru", "en"]


class RequestCreate(BaseModel):
    person_name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    language: Language = Field(default="kk", description="the message's and e-mail's language")
    message: str = Field(default="", max_length=2000, description="empty: the standard text")
    asked_for: str = Field(default="", max_length=1000, description="what is asked for")
    expires_in_days: int = Field(default=3, ge=1, le=30)
    max_files: int = Field(default=16, ge=1, le=100)
    max_file_bytes: int | None = Field(default=None, ge=1, le=2**53, description="default 2 GiB")
    max_total_bytes: int | None = Field(default=None, ge=1, le=2**53, description="default 8 GiB")
    show_case_number: bool = Field(default=False, description="the ЕРДР number on the receipt")


class RequestPublic(BaseModel):
    id: str
    case_id: str
    reference: str
    person_name: str
    phone: str | None
    email: str | None
    language: str
    message: str
    asked_for: str
    state: RequestState
    files_received: int
    bytes_received: int
    max_files: int
    max_file_bytes: int
    max_total_bytes: int
    show_case_number: bool
    emailed: bool
    created_at: datetime
    expires_at: datetime
    opened_at: datetime | None
    revoked_at: datetime | None


class RequestCreated(RequestPublic):
    link: str = Field(description="the link to send (shown once: only its hash is kept)")


class SubmissionPublic(BaseModel):
    id: str
    request_id: str
    request_reference: str
    original_name: str
    description: str
    size: int
    sha256: str
    media_type: str
    received_at: datetime
    ledger_index: int
    state: SubmissionState
    reason: str | None
    item_id: str | None
    decided_at: datetime | None


class RejectBody(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class LinkPublic(BaseModel):
    """What the person's page shows: never the person's contact, never case details
    beyond the number when the investigator chose to show it."""

    reference: str
    case_number: str | None
    message: str
    asked_for: str
    expires_at: datetime
    max_files: int
    max_file_bytes: int
    max_total_bytes: int
    files_received: int
    bytes_received: int


class CitizenUploadCreate(BaseModel):
    filename: str = Field(max_length=255)
    size: int = Field(ge=1, le=2**53)
    sha256: str = Field(max_length=64, description="computed on the device before sending")
    description: str = Field(default="", max_length=2000)


class CitizenUploadPublic(BaseModel):
    id: str
    size: int
    offset: int
    expires_at: datetime


class FinalizeBody(BaseModel):
    sha256: str = Field(max_length=64)


class FileReceived(BaseModel):
    name: str
    size: int
    sha256: str
    received_at: datetime
    ledger_index: int


class ReceiptCheck(BaseModel):
    note: str = Field(max_length=200_000, description="the receipt's signed note")
