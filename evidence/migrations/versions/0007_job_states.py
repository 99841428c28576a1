"""job.state gains `cancelled` (stopped by a person) and `not_configured` (the server
lacks what the stage needs, e.g. a speech model)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("QUEUED", "RUNNING", "DONE", "FAILED")
NEW = (*OLD, "CANCELLED", "NOT_CONFIGURED")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # PostgreSQL 12+ adds enum values inside a transaction (unused until it commits).
        for value in NEW[len(OLD) :]:
            op.execute(f"ALTER TYPE jobstate ADD VALUE IF NOT EXISTS '{value}'")
        return
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.alter_column(
            "state",
            existing_type=sa.Enum(*OLD, name="jobstate"),
            type_=sa.Enum(*NEW, name="jobstate"),
            existing_nullable=False,
        )


def downgrade() -> None:
    # The two new states become `failed` (a re-run starts them again).
    op.execute("UPDATE job SET state = 'FAILED' WHERE state IN ('CANCELLED', 'NOT_CONFIGURED')")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE jobstate RENAME TO jobstate_old")
        op.execute("CREATE TYPE jobstate AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED')")
        op.execute(
            "ALTER TABLE job ALTER COLUMN state TYPE jobstate USING state::text::jobstate"
        )
        op.execute("DROP TYPE jobstate_old")
        return
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.alter_column(
            "state",
            existing_type=sa.Enum(*NEW, name="jobstate"),
            type_=sa.Enum(*OLD, name="jobstate"),
            existing_nullable=False,
        )
