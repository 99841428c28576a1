"""Ledger tables. Insert-only: no code path updates or deletes these rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, Index, LargeBinary
from sqlmodel import Field, SQLModel


class LedgerEntry(SQLModel, table=True):
    """One custody event: leaf `idx` of the Merkle log, exactly the bytes that were hashed."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_subject_idx", "subject", "idx"),)

    # 64-bit: a log outlives any 32-bit counter.
    idx: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    leaf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    leaf_hash: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))
    subject: str = Field(max_length=80)
    prev_hash: bytes | None = Field(default=None, sa_column=Column(LargeBinary(32)))
    # Appends hold the ledger lock while every index is updated, so indexes are few:
    # items are found through `subject` ("item:<id>"), cases through `case_id`.
    action: str = Field(max_length=64)
    item_id: str | None = Field(default=None, max_length=36)
    case_id: str | None = Field(default=None, max_length=36, index=True)
    appended_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class LedgerNode(SQLModel, table=True):
    """Hash of one perfect subtree of the log: leaves [idx * 2**level, (idx + 1) * 2**level).

    Levels start at 1 (level 0 is `ledger_entry.leaf_hash`). Written once, when the last
    leaf under it is appended, so any proof or root reads O(log n) rows.
    """

    __tablename__ = "ledger_node"

    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    idx: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hash: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))


class LedgerKey(SQLModel, table=True):
    """A public key that signed checkpoints (C2SP note verifier key); kept after rotation."""

    __tablename__ = "ledger_key"

    key_id: str = Field(primary_key=True, max_length=8)  # hex of the 4-byte key hash
    name: str = Field(max_length=200)
    verifier: str = Field(max_length=400)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Checkpoint(SQLModel, table=True):
    """A signed C2SP tlog-checkpoint: the log's size and root, as one signed note."""

    __tablename__ = "checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    size: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    root_hash: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))
    note: str
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Cosignature(SQLModel, table=True):
    """A witness's C2SP tlog-cosignature on a checkpoint (the full signature line)."""

    __tablename__ = "cosignature"
    __table_args__ = (
        Index("ix_cosignature_checkpoint_key", "checkpoint_id", "key_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    checkpoint_id: int = Field(foreign_key="checkpoint.id")
    key_name: str = Field(max_length=200)
    key_id: str = Field(max_length=8)
    verifier: str = Field(max_length=400)
    signed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    line: str
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class CheckpointTimestamp(SQLModel, table=True):
    """An RFC 3161 timestamp token over a checkpoint's signed note, from a TSA."""

    __tablename__ = "checkpoint_timestamp"

    id: int | None = Field(default=None, primary_key=True)
    checkpoint_id: int = Field(foreign_key="checkpoint.id", index=True)
    tsa_url: str = Field(max_length=500)
    token: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # DER TimeStampResp
    gen_time: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Witness(SQLModel, table=True):
    """A witness an administrator registered: only its key's cosignatures are accepted.

    Removal keeps the row (`removed_at`), so who was trusted when stays on record; a name
    is active at most once at a time.
    """

    __tablename__ = "witness"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    key_id: str = Field(max_length=8)
    verifier: str = Field(max_length=400)
    added_by: str = Field(max_length=200)
    added_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    removed_by: str | None = Field(default=None, max_length=200)
    removed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class Release(SQLModel, table=True):
    """Bytes that left the building under the system's record: delivered to a disclosure's
    recipient, or written into a court or custody export.

    `ledger_idx` is the public-safe `file.released` event (no names, no case): the proof a
    public verification returns. `scope` (the disclosure, or the export's case) keeps one
    row per file and occasion; it is never shown to the public.
    """

    __tablename__ = "release"
    __table_args__ = (Index("ix_release_sha256_scope", "sha256", "scope", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    scope: str = Field(max_length=80)
    ledger_idx: int = Field(sa_column=Column(BigInteger, nullable=False))
    released_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
