"""redaction_proposal.explanation: the detector's reason for a proposal

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("redaction_proposal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("explanation", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("redaction_proposal", schema=None) as batch_op:
        batch_op.drop_column("explanation")
