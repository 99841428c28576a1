"""Evidence requests to victims and witnesses: request, its uploads, quarantined files;
source kind `citizen`

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import evidence.types

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE sourcekind ADD VALUE IF NOT EXISTS 'CITIZEN'")
    op.create_table(
        "evidence_request",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("person_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("asked_for", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("show_case_number", sa.Boolean(), nullable=False),
        sa.Column("max_files", sa.Integer(), nullable=False),
        sa.Column("max_file_bytes", sa.BigInteger(), nullable=False),
        sa.Column("max_total_bytes", sa.BigInteger(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("files_received", sa.Integer(), nullable=False),
        sa.Column("bytes_received", sa.BigInteger(), nullable=False),
        sa.Column("emailed", sa.Boolean(), nullable=False),
        sa.Column("created_at", evidence.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", evidence.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_at", evidence.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", evidence.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_index(
        op.f("ix_evidence_request_case_id"), "evidence_request", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_evidence_request_token_hash"), "evidence_request", ["token_hash"], unique=True
    )
    op.create_table(
        "citizen_upload",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", evidence.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", evidence.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["evidence_request.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_citizen_upload_request_id"), "citizen_upload", ["request_id"], unique=False
    )
    op.create_table(
        "submission",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("request_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("original_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("received_at", evidence.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=False),
        sa.Column("leaf_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum("QUARANTINED", "ACCEPTED", "REJECTED", name="submissionstate"),
            nullable=False,
        ),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("decided_at", evidence.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("item_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["evidence_request.id"],
        ),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["blob.sha256"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_submission_case_id"), "submission", ["case_id"], unique=False)
    op.create_index(op.f("ix_submission_request_id"), "submission", ["request_id"], unique=False)
    op.create_index(op.f("ix_submission_sha256"), "submission", ["sha256"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_submission_sha256"), table_name="submission")
    op.drop_index(op.f("ix_submission_request_id"), table_name="submission")
    op.drop_index(op.f("ix_submission_case_id"), table_name="submission")
    op.drop_table("submission")
    op.drop_index(op.f("ix_citizen_upload_request_id"), table_name="citizen_upload")
    op.drop_table("citizen_upload")
    op.drop_index(op.f("ix_evidence_request_token_hash"), table_name="evidence_request")
    op.drop_index(op.f("ix_evidence_request_case_id"), table_name="evidence_request")
    op.drop_table("evidence_request")
    # Dropping the table leaves PostgreSQL's enum type behind; the next upgrade makes it
    # again. ('CITIZEN' stays in sourcekind: PostgreSQL cannot remove an enum label, and
    # the upgrade adds it only if missing.)
    sa.Enum(name="submissionstate").drop(op.get_bind(), checkfirst=True)
