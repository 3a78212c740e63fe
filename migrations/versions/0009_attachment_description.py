"""Attachments get a short description, the alt text of a photo

Revision ID: 0009_attachment_description
Revises: 0008_reset_throttle
Create Date: 2026-11-29 18:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_attachment_description"
down_revision = "0008_reset_throttle"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attachment") as batch_op:
        batch_op.add_column(
            sa.Column("description", sa.String(length=200), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("attachment") as batch_op:
        batch_op.drop_column("description")
