"""Ledger tables. Insert-only: no code path updates or deletes these rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, LargeBinary
from sqlmodel import Field, SQLModel


class LedgerEntry(SQLModel, table=True):
    """One custody event: leaf `idx` of the Merkle log, exactly the bytes that were hashed."""

    __tablename__ = "ledger_entry"
    __table_args__ = (Index("ix_ledger_entry_subject_idx", "subject", "idx"),)

    idx: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    leaf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    leaf_hash: bytes = Field(sa_column=Column(LargeBinary(32), nullable=False))
    subject: str = Field(max_length=80)
    prev_hash: bytes | None = Field(default=None, sa_column=Column(LargeBinary(32)))
    action: str = Field(max_length=64, index=True)
    item_id: str | None = Field(default=None, max_length=36, index=True)
    case_id: str | None = Field(default=None, max_length=36, index=True)
    appended_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
