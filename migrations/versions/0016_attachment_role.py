"""A kaizen's photos are its "before" and "after" photo, or another file

Revision ID: 0016_attachment_role
Revises: 0015_comment_search
Create Date: 2026-12-07 02:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016_attachment_role"
down_revision = "0015_comment_search"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no batch): SQLite keeps the table, and with it anything built on it.
    op.add_column(
        "attachment", sa.Column("role", sa.String(length=10), nullable=False, server_default="")
    )


def downgrade():
    with op.batch_alter_table("attachment") as batch_op:
        batch_op.drop_column("role")
