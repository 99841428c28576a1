"""API shapes (request and response bodies)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, field_validator

from evidence.models import ItemKind, KeyScope, Role, SourceKind
from evidence.validation import check_aware, check_relative_path, check_sha256

# Identifiers in paths are UUIDs; anything longer is refused before it reaches a query.
IdPath = Annotated[str, Path(min_length=1, max_length=64)]


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class UserCreate(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)
    role: Role
    full_name: str = Field(default="", max_length=200)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    full_name: str
    role: Role
    locked: bool = False
    two_factor: bool = False  # an authenticator is enrolled


class ApiKeyCreate(BaseModel):
    username: str = Field(max_length=64, description="the officer the device acts for")
    device: str = Field(max_length=120, description="device id or serial, e.g. a bodycam dock")
    scope: KeyScope = Field(
        default=KeyScope.UPLOAD,
        description="`upload`: find the case and send files, nothing else; `officer`: "
        "everything the officer may do",
    )
    expires_in_days: int | None = Field(
        default=None, ge=0, le=3650, description="default `DALEL_API_KEY_TTL_DAYS`; 0: never"
    )


class ApiKeyInfo(BaseModel):
    id: str
    username: str = Field(description="the officer the device acts for")
    device: str
    scope: KeyScope
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="to within five minutes")
    revoked_at: datetime | None


class ApiKeyPublic(ApiKeyInfo):
    api_key: str = Field(description="shown once; send it as `X-API-Key` or a bearer token")


class CaseCreate(BaseModel):
    number: str = Field(max_length=32, description="ЕРДР registration number: 15 digits")
    title: str = Field(max_length=300)


class CasePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    number: str
    title: str
    status: str
    created_at: datetime


class MemberCreate(BaseModel):
    username: str = Field(max_length=64)
    role: Role | None = Field(default=None, description="defaults to the account's role")


class MemberPublic(BaseModel):
    username: str
    full_name: str
    role: Role
    added_at: datetime


class ItemCreate(BaseModel):
    """Metadata an officer gives with an upload (multipart fields or upload session)."""

    source_kind: SourceKind = SourceKind.OTHER
    device: str | None = Field(default=None, max_length=120)
    captured_at: datetime | None = None
    collected_at: datetime | None = None
    collected_by: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=2000)
    original_path: str | None = Field(
        default=None, max_length=1024, description="relative path in the source"
    )
    source_modified_at: datetime | None = Field(
        default=None, description="the file's modification time at its source (an extraction)"
    )

    @field_validator("captured_at", "collected_at", "source_modified_at")
    @classmethod
    def _aware(cls, value: datetime | None, info: Any) -> datetime | None:
        return check_aware(value, info.field_name)

    @field_validator("original_path")
    @classmethod
    def _relative(cls, value: str | None) -> str | None:
        return check_relative_path(value)


class ItemPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    kind: ItemKind
    derivative_kind: str | None
    parent_id: str | None
    sha256: str
    size: int
    media_type: str
    source_kind: SourceKind
    device: str | None
    captured_at: datetime | None
    collected_at: datetime | None
    collected_by: str | None
    location: str | None
    description: str | None
    original_name: str
    original_path: str | None
    source_modified_at: datetime | None = None
    uploaded_by: str | None = Field(
        description="null where the caller may not see the item's provenance"
    )
    created_at: datetime
    derivation: dict[str, Any] | None = Field(
        default=None,
        description="tool, version, parameters and inputs; a disclosure's recipient sees "
        "the tool and version only (never the parent, its id or hash, place or collector)",
    )
    duplicate: bool = Field(default=False, description="these bytes were already in the case")


class UploadCreate(ItemCreate):
    filename: str = Field(max_length=255)
    size: int = Field(ge=1, le=2**53, description="total size in bytes")
    sha256: str | None = Field(
        default=None, max_length=64, description="expected SHA-256, checked at finalize"
    )

    @field_validator("sha256")
    @classmethod
    def _sha(cls, value: str | None) -> str | None:
        return check_sha256(value) if value else None


class UploadPublic(BaseModel):
    id: str
    case_id: str
    size: int
    offset: int
    expires_at: datetime


class UploadFinalize(BaseModel):
    sha256: str = Field(max_length=64, description="the client's SHA-256 of the whole file")

    @field_validator("sha256")
    @classmethod
    def _sha(cls, value: str) -> str:
        return check_sha256(value)


class CustodyEventPublic(BaseModel):
    index: int = Field(description="leaf index in the ledger")
    leaf_hash: str = Field(description="hex SHA-256(0x00 || leaf)")
    leaf: str | None = Field(
        default=None, description="base64 of the exact leaf bytes (RFC 8785 JSON)"
    )
    event: dict[str, Any] | None = Field(default=None, description="the leaf, decoded")
    inclusion_proof: list[str] = Field(description="base64 hashes, RFC 9162 §2.1.3")
    withheld: bool = Field(
        default=False,
        description="the defence's access to disclosed material: shown to auditors only; "
        "others see its leaf hash, which keeps the chain and the proof checkable",
    )


class CustodyPublic(BaseModel):
    item_id: str
    tree_size: int = Field(description="size of the checkpoint the proofs lead to")
    checkpoint: str = Field(description="C2SP signed checkpoint note with cosignatures")
    events: list[CustodyEventPublic]
