"""Stateless resumable uploads (issue 21): an upload's parts state, running SHA-256 and
first bytes live in its row (staff and citizen uploads), not in a host's spool folder.

Sessions open during the upgrade have no state (their bytes were spooled on one host):
they answer 404 and expire as abandoned; their clients start them again. The spool
folder `$DALEL_DATA_DIR/uploads` can be removed after the upgrade.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("upload_session", "citizen_upload")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("store_state", sa.JSON(), nullable=True))
            batch_op.add_column(
                sa.Column(
                    "hash_state", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True
                )
            )
            batch_op.add_column(sa.Column("head", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("head")
            batch_op.drop_column("hash_state")
            batch_op.drop_column("store_state")
