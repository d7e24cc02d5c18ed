"""change log: the outbox becomes a log that every node follows from its own position

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 17:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_change')),
    sqlite_autoincrement=True,
    )
    op.create_table('search_node',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_search_node'))
    )
    # Changes not yet applied stay to be applied: every index starts at position 0.
    op.execute(
        'INSERT INTO search_change (practice_id, created_at) '
        'SELECT practice_id, created_at FROM search_outbox ORDER BY id'
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_practice_id'))
    op.drop_table('search_outbox')


def downgrade():
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_practice_id'), ['practice_id'], unique=False)
    op.execute(
        'INSERT INTO search_outbox (practice_id, created_at) '
        'SELECT practice_id, created_at FROM search_change ORDER BY id'
    )
    op.drop_table('search_node')
    op.drop_table('search_change')
