"""disclosure_entry.served_id nullable (a watermarked copy still being prepared by a
job) and disclosure_entry.position (order of selection within a tranche)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("disclosure_entry", schema=None) as batch_op:
        batch_op.alter_column(
            "served_id",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=36),
            nullable=True,
        )
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("disclosure_entry", schema=None) as batch_op:
        batch_op.alter_column("position", server_default=None)


def downgrade() -> None:
    # Entries still being prepared have nothing to serve: drop them before tightening.
    op.execute("DELETE FROM disclosure_entry WHERE served_id IS NULL")
    with op.batch_alter_table("disclosure_entry", schema=None) as batch_op:
        batch_op.drop_column("position")
        batch_op.alter_column(
            "served_id",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=36),
            nullable=False,
        )
