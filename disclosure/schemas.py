"""API shapes of the disclosure package."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

# Items in one disclosure or tranche request.
MAX_ITEMS = 2_000


class DisclosureCreate(BaseModel):
    """`POST /cases/{case_id}/disclosures`."""

    recipient: str = Field(max_length=64, description="username of a defence account")
    items: list[Annotated[str, Field(max_length=64)]] = Field(
        min_length=1, max_length=MAX_ITEMS, description="ids of items selected for disclosure"
    )
    expires_at: AwareDatetime | None = Field(default=None, description="access ends at")
    note: str = Field(default="", max_length=2000)


class TrancheCreate(BaseModel):
    """`POST /disclosures/{id}/tranches`: what to add and what to withdraw."""

    add: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=MAX_ITEMS
    )
    withdraw: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=MAX_ITEMS
    )
    note: str = Field(default="", max_length=2000)


class FlagUpdate(BaseModel):
    """`POST /items/{id}/disclosure-flags`; omitted fields keep their value."""

    do_not_disclose: bool | None = None
    disclosable_original: bool | None = None
    reason: str = Field(default="", max_length=500)


class FlagPublic(BaseModel):
    item_id: str
    do_not_disclose: bool
    disclosable_original: bool
    reason: str
    set_at: datetime


class EntryPublic(BaseModel):
    """A disclosed file. `source_id`/`item_id` are shown to the prosecution only.

    `state` is `ready` (readable at `served_id`), `preparing` (its watermarked copy is
    being made by a job: `served_id`, `sha256` and `size` are null until then) or
    `failed` (the copy could not be made; the prosecution can queue it again).
    `entry_id` names the file in every state: `.../items/{entry_id}/content` serves it
    once ready and answers 409 with `Retry-After` before.
    """

    entry_id: str
    state: Literal["ready", "preparing", "failed"] = "ready"
    served_id: str | None
    name: str
    sha256: str | None
    size: int | None
    media_type: str
    added_in: int
    withdrawn_in: int | None = None
    source_id: str | None = None
    item_id: str | None = None
    watermarked: bool = False
    error: str | None = Field(default=None, description="why preparation failed (prosecution)")


class TranchePublic(BaseModel):
    number: int
    added: list[str]
    withdrawn: list[str]
    note: str
    created_at: datetime


class DisclosurePublic(BaseModel):
    id: str
    case_id: str
    recipient: str
    note: str
    status: str
    tranches: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    first_received_at: datetime | None = None
    first_opened_at: datetime | None = None
    items: list[EntryPublic] = Field(default_factory=list)
    preparing: int = Field(default=0, description="files whose watermarked copy is not ready")
    history: list[TranchePublic] = Field(default_factory=list)


class KeyCreate(BaseModel):
    public_key: str = Field(
        max_length=128, description="Ed25519 public key, 32 bytes, hex or base64"
    )


class KeyPublic(BaseModel):
    id: str
    public_key: str
    created_at: datetime


class SignatureCreate(BaseModel):
    signature: str = Field(
        max_length=256, description="Ed25519 signature of the receipt statement, hex/base64"
    )


class ReceiptPublic(BaseModel):
    id: str
    disclosure_id: str
    what: str
    item_id: str | None
    sha256: str
    size: int
    downloaded_at: datetime
    statement: str
    signed: bool
    signature: str | None
    key: str | None = None
    signed_at: datetime | None


class NotePublic(BaseModel):
    id: str
    item_id: str | None
    text: str
    created_at: datetime


class NoteCreate(BaseModel):
    text: str = Field(min_length=1, max_length=10000)
    item_id: str | None = Field(default=None, max_length=64)


class NotificationPublic(BaseModel):
    id: str
    kind: str
    disclosure_id: str | None
    message: str
    created_at: datetime
    read_at: datetime | None
