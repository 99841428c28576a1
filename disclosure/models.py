"""Disclosure tables: disclosures, tranches, entries, item flags, receipts, keys,
notifications and the defence's private notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from evidence.models import new_id
from evidence.types import UTCDateTime


def _ts(nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UTCDateTime(), nullable=nullable),
    )


class Disclosure(SQLModel, table=True):
    """Material of one case disclosed to one defence lawyer, in numbered tranches."""

    __tablename__ = "disclosure"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="case.id", index=True, max_length=36)
    recipient_id: str = Field(foreign_key="user.id", index=True, max_length=36)
    created_by: str = Field(foreign_key="user.id", max_length=36)
    note: str = Field(default="", max_length=2000)
    tranches: int = 0
    created_at: datetime = _ts()
    expires_at: datetime | None = _ts(nullable=True)
    revoked_at: datetime | None = _ts(nullable=True)
    revoked_by: str | None = Field(default=None, max_length=36)
    first_received_at: datetime | None = _ts(nullable=True)
    first_opened_at: datetime | None = _ts(nullable=True)


class DisclosureTranche(SQLModel, table=True):
    """Tranche N: what was added and withdrawn since tranche N-1."""

    __tablename__ = "disclosure_tranche"
    __table_args__ = (UniqueConstraint("disclosure_id", "number"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    disclosure_id: str = Field(foreign_key="disclosure.id", index=True, max_length=36)
    number: int
    note: str = Field(default="", max_length=2000)
    added: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    withdrawn: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    created_by: str = Field(foreign_key="user.id", max_length=36)
    created_at: datetime = _ts()


class DisclosureEntry(SQLModel, table=True):
    """One selected item: what the prosecutor chose, what is disclosed, what is served.

    `source_id` is the item the prosecutor selected (usually the original);
    `item_id` the item disclosed in its place (approved redaction, or the original when
    marked disclosable); `served_id` the per-recipient watermarked derivative (or
    `item_id` when the media type takes no watermark). Only `served_id` is readable.
    `served_id` is None while the watermarked copy is being prepared by its `wmark` job
    (`Job.subject` is this entry's id): nothing of the entry is readable until then.
    """

    __tablename__ = "disclosure_entry"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    disclosure_id: str = Field(foreign_key="disclosure.id", index=True, max_length=36)
    source_id: str = Field(foreign_key="item.id", max_length=36)
    item_id: str = Field(foreign_key="item.id", max_length=36)
    served_id: str | None = Field(default=None, foreign_key="item.id", index=True, max_length=36)
    added_in: int
    withdrawn_in: int | None = None
    position: int = 0  # order of selection within its tranche (listings keep it)


class DisclosureFlag(SQLModel, table=True):
    """Per-item disclosure decisions made by the prosecution."""

    __tablename__ = "disclosure_flag"

    item_id: str = Field(foreign_key="item.id", primary_key=True, max_length=36)
    do_not_disclose: bool = False
    disclosable_original: bool = False
    reason: str = Field(default="", max_length=500)
    set_by: str = Field(foreign_key="user.id", max_length=36)
    set_at: datetime = _ts()


class ReceiptKey(SQLModel, table=True):
    """A defence lawyer's Ed25519 public key for signing receipts."""

    __tablename__ = "receipt_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=36)
    public_key: str = Field(max_length=64)  # hex, 32 bytes
    created_at: datetime = _ts()
    revoked_at: datetime | None = _ts(nullable=True)


class Receipt(SQLModel, table=True):
    """Proof of delivery: what (hash, size) was downloaded, by whom, when."""

    __tablename__ = "receipt"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    disclosure_id: str = Field(foreign_key="disclosure.id", index=True, max_length=36)
    recipient_id: str = Field(foreign_key="user.id", max_length=36)
    item_id: str | None = Field(default=None, max_length=36)  # None: the whole bundle
    what: str = Field(max_length=16)  # "item" or "bundle"
    sha256: str = Field(max_length=64)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    downloaded_at: datetime = _ts()
    key_id: str | None = Field(default=None, max_length=36)
    signature: str | None = Field(default=None, max_length=128)  # hex, 64 bytes
    signed_at: datetime | None = _ts(nullable=True)


class Notification(SQLModel, table=True):
    """An in-app message for one user (the prosecutor who made a disclosure)."""

    __tablename__ = "notification"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=36)
    kind: str = Field(max_length=32)
    disclosure_id: str | None = Field(default=None, max_length=36)
    message: str = Field(max_length=1000)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = _ts()
    read_at: datetime | None = _ts(nullable=True)
    emailed: bool = False


class DefenceNote(SQLModel, table=True):
    """The defence's own notes: readable only by their author."""

    __tablename__ = "defence_note"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    disclosure_id: str = Field(foreign_key="disclosure.id", index=True, max_length=36)
    author_id: str = Field(foreign_key="user.id", index=True, max_length=36)
    item_id: str | None = Field(default=None, max_length=36)
    text: str = Field(max_length=10000)
    created_at: datetime = _ts()


class NotificationAddress(SQLModel, table=True):
    """Where a user's notifications are e-mailed (set by the user)."""

    __tablename__ = "notification_address"

    user_id: str = Field(foreign_key="user.id", primary_key=True, max_length=36)
    email: str = Field(max_length=254)


class WithheldSalt(SQLModel, table=True):
    """The salt of a withheld input's commitment in one disclosure's manifest.

    Recipients see `SHA-256("dalel-withheld/v1\\n" ‖ salt ‖ sha256)` of an input they do
    not receive (an original, an un-watermarked redaction), never its plain hash; the
    salt stays here and is revealed to a court on order (recorded in custody).
    """

    __tablename__ = "withheld_salt"
    __table_args__ = (UniqueConstraint("disclosure_id", "item_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    disclosure_id: str = Field(foreign_key="disclosure.id", index=True, max_length=36)
    item_id: str = Field(foreign_key="item.id", max_length=36)
    salt: str = Field(max_length=64)  # hex
    created_at: datetime = _ts()
