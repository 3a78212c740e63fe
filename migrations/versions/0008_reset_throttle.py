"""Self-service password reset requests are recorded, to throttle them per account and address

Revision ID: 0008_reset_throttle
Revises: 0007_network
Create Date: 2026-11-29 18:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_reset_throttle'
down_revision = '0007_network'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=45), server_default='', nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_request'))
    )
    with op.batch_alter_table('password_reset_request', schema=None) as batch_op:
        batch_op.create_index('ix_password_reset_request_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_password_reset_request_email_at', ['email', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('password_reset_request', schema=None) as batch_op:
        batch_op.drop_index('ix_password_reset_request_email_at')
        batch_op.drop_index('ix_password_reset_request_address_at')

    op.drop_table('password_reset_request')
