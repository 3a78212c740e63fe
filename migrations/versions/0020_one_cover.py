"""At most one cover photo per card, kept by the database

Revision ID: 0020_one_cover
Revises: 0019_connect
Create Date: 2026-12-07 06:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020_one_cover"
down_revision = "0019_connect"
branch_labels = None
depends_on = None


def upgrade():
    # A card that somehow has two covers keeps the newest file as its cover.
    op.execute(
        "UPDATE attachment SET is_cover = false WHERE is_cover AND id < ("
        "SELECT max(newer.id) FROM attachment AS newer "
        "WHERE newer.improvement_id = attachment.improvement_id AND newer.is_cover)"
    )
    op.create_index(
        "uq_attachment_one_cover",
        "attachment",
        ["improvement_id"],
        unique=True,
        sqlite_where=sa.text("is_cover"),
        postgresql_where=sa.text("is_cover"),
    )


def downgrade():
    op.drop_index("uq_attachment_one_cover", table_name="attachment")
