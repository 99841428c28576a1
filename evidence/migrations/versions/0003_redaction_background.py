"""redaction_plan: background analysis and rendering (statuses analysing, rendering,
failed; the failure's reason in redaction_plan.error)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLAlchemy stores enum members by name. On SQLite the column is a VARCHAR sized to the
# longest name (SUPERSEDED, 10) without a CHECK constraint, so the new names fit as they
# are; on PostgreSQL the type redactionplanstatus needs the new labels.
NEW = ("ANALYSING", "RENDERING", "FAILED")
OLD = ("DRAFT", "APPROVED", "SUPERSEDED")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # ALTER TYPE ... ADD VALUE may not share a transaction with the value's first use.
        with op.get_context().autocommit_block():
            for label in NEW:
                op.execute(f"ALTER TYPE redactionplanstatus ADD VALUE IF NOT EXISTS '{label}'")
    with op.batch_alter_table("redaction_plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))


def downgrade() -> None:
    # Plans caught mid-way go back to what the old code understands: a rendering plan is
    # approved (approving again renders it), an analysing or failed one is superseded.
    op.execute("UPDATE redaction_plan SET status = 'APPROVED' WHERE status = 'RENDERING'")
    op.execute(
        "UPDATE redaction_plan SET status = 'SUPERSEDED' WHERE status IN ('ANALYSING', 'FAILED')"
    )
    with op.batch_alter_table("redaction_plan", schema=None) as batch_op:
        batch_op.drop_column("error")
    if op.get_bind().dialect.name == "postgresql":
        labels = ", ".join(f"'{label}'" for label in OLD)
        op.execute("ALTER TYPE redactionplanstatus RENAME TO redactionplanstatus_old")
        op.execute(f"CREATE TYPE redactionplanstatus AS ENUM ({labels})")
        op.execute(
            "ALTER TABLE redaction_plan ALTER COLUMN status TYPE redactionplanstatus "
            "USING status::text::redactionplanstatus"
        )
        op.execute("DROP TYPE redactionplanstatus_old")
