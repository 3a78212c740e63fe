"""An open board's check also seeks the newest change outside any team of its organization

Revision ID: 0013_event_team_organization
Revises: 0012_anonymised_flag
"""

from alembic import op

revision = "0013_event_team_organization"
down_revision = "0012_anonymised_flag"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_event_team_organization", "event", ["team_id", "organization_id"])


def downgrade():
    op.drop_index("ix_event_team_organization", table_name="event")
