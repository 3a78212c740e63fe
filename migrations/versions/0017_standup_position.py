"""A running stand-up remembers the card its leader shows, so everyone following sees it

Revision ID: 0017_standup_position
Revises: 0016_attachment_role
Create Date: 2026-12-07 03:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017_standup_position"
down_revision = "0016_attachment_role"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no batch): SQLite keeps the table and its partial unique index.
    op.add_column("standup", sa.Column("current_position", sa.Integer(), nullable=True))


def downgrade():
    # A plain DROP COLUMN too (SQLite 3.35 and later): a batch copy of the table would rebuild
    # its partial unique index without the partial condition.
    op.drop_column("standup", "current_position")
