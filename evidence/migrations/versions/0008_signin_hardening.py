"""Sign-in hardening: temporary, growing account locks (user.locked_until, lock_count);
token kinds (api | web) and enrolment-only web sessions; device keys with a scope
(upload by default), an expiry, their last use and who issued them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import evidence.types
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_SCOPE = sa.Enum("UPLOAD", "OFFICER", name="keyscope")
TOKEN_KIND = sa.Enum("API", "WEB", name="tokenkind")


def upgrade() -> None:
    bind = op.get_bind()
    KEY_SCOPE.create(bind, checkfirst=True)
    TOKEN_KIND.create(bind, checkfirst=True)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", evidence.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("lock_count", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("auth_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", TOKEN_KIND, nullable=False, server_default="API"))
        batch_op.add_column(
            sa.Column("enrol_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        # Keys issued before scopes existed become upload-only: that is what docks do.
        batch_op.add_column(sa.Column("scope", KEY_SCOPE, nullable=False, server_default="UPLOAD"))
        batch_op.add_column(
            sa.Column(
                "created_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True
            )
        )
        batch_op.add_column(sa.Column("expires_at", evidence.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", evidence.types.UTCDateTime(timezone=True), nullable=True))
    # Locks from before were permanent until an administrator cleared them: keep them so.
    op.execute(
        "UPDATE \"user\" SET locked_until = '9999-12-31 00:00:00+00:00' "
        "WHERE locked_at IS NOT NULL"
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("lock_count", server_default=None)
    with op.batch_alter_table("auth_token", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.alter_column("enrol_only", server_default=None)
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.alter_column("scope", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("created_by")
        batch_op.drop_column("scope")
    with op.batch_alter_table("auth_token", schema=None) as batch_op:
        batch_op.drop_column("enrol_only")
        batch_op.drop_column("kind")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("lock_count")
        batch_op.drop_column("locked_until")
    bind = op.get_bind()
    TOKEN_KIND.drop(bind, checkfirst=True)
    KEY_SCOPE.drop(bind, checkfirst=True)
