"""withheld_salt: the salts of withheld inputs' commitments in disclosure manifests

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import evidence.types
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "withheld_salt",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("disclosure_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("item_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("salt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", evidence.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["disclosure_id"], ["disclosure.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("disclosure_id", "item_id"),
    )
    with op.batch_alter_table("withheld_salt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_withheld_salt_disclosure_id"), ["disclosure_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("withheld_salt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_withheld_salt_disclosure_id"))
    op.drop_table("withheld_salt")
