"""Device keys issued before keys could expire get an expiry (issue 12: every device key
expires after a configurable period; the trial's dock key never would have)

Keys from before migration 0008 have neither an issuer (`created_by`) nor an expiry;
every key issued since has its issuer, and no expiry only when asked for (`0: never`).
The old ones expire `DALEL_API_KEY_TTL_DAYS` (default 365) after this upgrade, not after
their issue, so no dock in the field stops at once.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 17:00:00
"""

import os
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

import evidence.types

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

API_KEY = sa.table(
    "api_key",
    sa.column("created_by", sa.String),
    sa.column("expires_at", evidence.types.UTCDateTime()),
    sa.column("revoked_at", evidence.types.UTCDateTime()),
)


def upgrade() -> None:
    days = int(os.environ.get("DALEL_API_KEY_TTL_DAYS") or 365)
    if days <= 0:  # the deployment wants keys that never expire
        return
    op.get_bind().execute(
        API_KEY.update()
        .where(
            API_KEY.c.created_by.is_(None),
            API_KEY.c.expires_at.is_(None),
            API_KEY.c.revoked_at.is_(None),
        )
        .values(expires_at=datetime.now(UTC) + timedelta(days=days))
    )


def downgrade() -> None:
    # The expiry stays: a key that expires is no less safe on the older schema.
    pass
