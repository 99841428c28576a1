"""role: SUPERVISOR (a supervising prosecutor, the second person of a purge)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 00:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLAlchemy stores enum members by name. On SQLite the column is a VARCHAR sized to the
# longest name (INVESTIGATOR, 12) without a CHECK constraint: SUPERVISOR fits as it is.
# On PostgreSQL the type `role` (user.role, case_member.role) needs the new label.


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # ALTER TYPE ... ADD VALUE may not share a transaction with the value's first use.
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE role ADD VALUE IF NOT EXISTS 'SUPERVISOR'")


def downgrade() -> None:
    # PostgreSQL cannot drop an enum label; supervisors' accounts become auditors (who
    # read metadata only) so that the older code can load them.
    op.execute("UPDATE case_member SET role = 'AUDITOR' WHERE role = 'SUPERVISOR'")
    op.execute('UPDATE "user" SET role = \'AUDITOR\' WHERE role = \'SUPERVISOR\'')
