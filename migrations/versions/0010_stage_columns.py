"""Stage times on each improvement: entered its stage, first started, completed; indexes

Revision ID: 0010_stage_columns
Revises: 0009_attachment_description
Create Date: 2026-11-29 18:40:00

The columns are filled from the cards' created/moved events, by the same rules as
lean.boards.services.refresh_stage_times; from then on the moves keep them.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_stage_columns"
down_revision = "0009_attachment_description"
branch_labels = None
depends_on = None

STARTED = "('plan', 'do', 'check', 'act', 'done')"


def _backfill() -> None:
    if op.get_bind().dialect.name == "postgresql":
        entered = "COALESCE(event.data ->> 'to', event.data ->> 'stage')"
    else:
        entered = "COALESCE(json_extract(event.data, '$.to'), json_extract(event.data, '$.stage'))"

    def moment(aggregate: str, stages: str | None) -> str:
        condition = f" AND {entered} IN {stages}" if stages else ""
        return (
            f"(SELECT {aggregate}(event.at) FROM event WHERE event.subject_type = 'improvement'"
            " AND event.subject_id = improvement.id AND event.kind IN ('created', 'moved')"
            f"{condition})"
        )

    done = moment("max", "('done')")
    op.execute(
        "UPDATE improvement SET"
        f" stage_entered_at = COALESCE({moment('max', None)}, improvement.created_at),"
        f" first_started_at = {moment('min', STARTED)},"
        " completed_at = CASE WHEN improvement.stage = 'done'"
        f" THEN {done} END"
    )


def upgrade():
    # Plain ALTER TABLE statements, no batch copy: SQLite cannot drop and recreate the
    # improvement table while other tables' foreign keys point at its rows. SQLite adds a
    # NOT NULL column only with a default, so it gets one (overwritten by the backfill).
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "improvement",
        sa.Column(
            "stage_entered_at",
            sa.DateTime(timezone=True),
            nullable=not sqlite,
            server_default=sa.text("'1970-01-01 00:00:00.000000'") if sqlite else None,
        ),
    )
    op.add_column("improvement", sa.Column("first_started_at", sa.DateTime(timezone=True)))
    op.add_column("improvement", sa.Column("completed_at", sa.DateTime(timezone=True)))
    _backfill()
    if not sqlite:
        op.alter_column("improvement", "stage_entered_at", nullable=False)
    op.create_index("ix_improvement_completed", "improvement", ["team_id", "completed_at"])
    # The card page finds the kaizen a card was promoted from.
    op.create_index("ix_kaizen_entry_promoted_to_id", "kaizen_entry", ["promoted_to_id"])


def downgrade():
    op.drop_index("ix_kaizen_entry_promoted_to_id", table_name="kaizen_entry")
    op.drop_index("ix_improvement_completed", table_name="improvement")
    op.drop_column("improvement", "completed_at")
    op.drop_column("improvement", "first_started_at")
    op.drop_column("improvement", "stage_entered_at")
