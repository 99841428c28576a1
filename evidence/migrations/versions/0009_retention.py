"""retention: the loaded retention table, case and item retention, legal holds, purge
requests, and the object-lock state last sent to storage; every existing item gets its
retention row (dates are computed by `dalel retention apply`)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:27:44
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import evidence.types

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('object_lock',
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('retain_until', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('legal_hold', sa.Boolean(), nullable=False),
    sa.Column('synced_at', evidence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['blob.sha256'], ),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('retention_config',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('loaded_by', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('loaded_at', evidence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['loaded_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('case_retention',
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('legal_basis', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('legal_basis_text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('purpose_text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('closed_at', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verdict_at', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('appeal_ended_at', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_table('purge_request',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('state', sa.Enum('PROPOSED', 'APPROVED', 'REJECTED', 'DONE', name='purgestate'), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('proposed_by', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('proposed_at', evidence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('decided_at', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('finished_at', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['proposed_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('purge_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purge_request_case_id'), ['case_id'], unique=False)

    op.create_table('item_retention',
    sa.Column('item_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('category_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('legal_basis', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('legal_basis_text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('purpose_text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('retain_until', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('config_id', sa.Integer(), nullable=True),
    sa.Column('purge_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('purging_at', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('purged_at', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['config_id'], ['retention_config.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['purge_id'], ['purge_request.id'], ),
    sa.PrimaryKeyConstraint('item_id')
    )
    with op.batch_alter_table('item_retention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_retention_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_item_retention_due', ['retain_until'], unique=False, postgresql_where=sa.text('purged_at IS NULL'), sqlite_where=sa.text('purged_at IS NULL'))

    op.create_table('legal_hold',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('case_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('item_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('placed_by', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('placed_at', evidence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('released_by', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('released_at', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('release_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['placed_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['released_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_hold_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_legal_hold_item_id'), ['item_id'], unique=False)

    op.create_table('purge_item',
    sa.Column('purge_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('item_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('done_at', evidence.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], ),
    sa.ForeignKeyConstraint(['purge_id'], ['purge_request.id'], ),
    sa.ForeignKeyConstraint(['via'], ['item.id'], ),
    sa.PrimaryKeyConstraint('purge_id', 'item_id')
    )
    with op.batch_alter_table('purge_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purge_item_item_id'), ['item_id'], unique=False)

    # Items that exist already: kept indefinitely until `dalel retention apply` dates them.
    op.execute("INSERT INTO item_retention (item_id, case_id) SELECT id, case_id FROM item")


def downgrade() -> None:
    with op.batch_alter_table('purge_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purge_item_item_id'))

    op.drop_table('purge_item')
    with op.batch_alter_table('legal_hold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_hold_item_id'))
        batch_op.drop_index(batch_op.f('ix_legal_hold_case_id'))

    op.drop_table('legal_hold')
    with op.batch_alter_table('item_retention', schema=None) as batch_op:
        batch_op.drop_index('ix_item_retention_due', postgresql_where=sa.text('purged_at IS NULL'), sqlite_where=sa.text('purged_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_item_retention_case_id'))

    op.drop_table('item_retention')
    with op.batch_alter_table('purge_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purge_request_case_id'))

    op.drop_table('purge_request')
    op.drop_table('case_retention')
    op.drop_table('retention_config')
    op.drop_table('object_lock')
    sa.Enum(name='purgestate').drop(op.get_bind(), checkfirst=True)
