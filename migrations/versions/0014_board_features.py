"""The board's features: work-in-progress limits, checklists, files on cards, card templates
and calendar feeds

Revision ID: 0014_board_features
Revises: 0013_event_team_organization
Create Date: 2026-12-07 02:21:46

"""

import sqlalchemy as sa
from alembic import op

revision = "0014_board_features"
down_revision = "0013_event_team_organization"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "card_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("problem", sa.Text(), server_default="", nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("focus_area_id", sa.Integer(), nullable=True),
        sa.Column("checklist", sa.Text(), server_default="", nullable=False),
        sa.Column("recurrence", sa.String(length=10), server_default="", nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("week_of_month", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_card_template_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["focus_area_id"],
            ["focus_area.id"],
            name=op.f("fk_card_template_focus_area_id_focus_area"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_card_template_team_id_team")
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_card_template_theme_id_theme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_template")),
    )
    with op.batch_alter_table("card_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_template_team_id"), ["team_id"], unique=False)

    op.create_table(
        "over_limit_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_over_limit_day_team_id_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_over_limit_day")),
        sa.UniqueConstraint(
            "team_id", "stage", "day", name=op.f("uq_over_limit_day_team_id_stage_day")
        ),
    )
    op.create_table(
        "checklist_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("improvement_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("done", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["user.id"], name=op.f("fk_checklist_item_done_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["improvement_id"],
            ["improvement.id"],
            name=op.f("fk_checklist_item_improvement_id_improvement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_item")),
    )
    with op.batch_alter_table("checklist_item", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checklist_item_card", ["improvement_id", "position"], unique=False
        )

    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("improvement_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("is_cover", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.alter_column("kaizen_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_attachment_improvement_id"), ["improvement_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_attachment_improvement_id_improvement"),
            "improvement",
            ["improvement_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            op.f("ck_attachment_one_owner"), "(kaizen_id IS NULL) <> (improvement_id IS NULL)"
        )

    with op.batch_alter_table("improvement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_template_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("template_date", sa.Date(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_improvement_from_template_id_template_date"),
            ["from_template_id", "template_date"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_improvement_from_template_id_card_template"),
            "card_template",
            ["from_template_id"],
            ["id"],
            ondelete="SET NULL",
            use_alter=True,
        )
    _restore_card_search_triggers()

    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_wip_limit", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("do_wip_limit", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("check_wip_limit", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("act_wip_limit", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("wip_limits_hard", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_team_calendar_token"), ["calendar_token"])

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_calendar_token"), ["calendar_token"])


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")

    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_team_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")
        batch_op.drop_column("wip_limits_hard")
        batch_op.drop_column("act_wip_limit")
        batch_op.drop_column("check_wip_limit")
        batch_op.drop_column("do_wip_limit")
        batch_op.drop_column("plan_wip_limit")

    with op.batch_alter_table("improvement", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_improvement_from_template_id_card_template"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("uq_improvement_from_template_id_template_date"), type_="unique"
        )
        batch_op.drop_column("template_date")
        batch_op.drop_column("from_template_id")
    _restore_card_search_triggers()

    op.execute("DELETE FROM attachment WHERE improvement_id IS NOT NULL")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_attachment_one_owner"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_attachment_improvement_id_improvement"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_attachment_improvement_id"))
        batch_op.alter_column("kaizen_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("is_cover")
        batch_op.drop_column("improvement_id")

    with op.batch_alter_table("checklist_item", schema=None) as batch_op:
        batch_op.drop_index("ix_checklist_item_card")

    op.drop_table("checklist_item")
    op.drop_table("over_limit_day")
    with op.batch_alter_table("card_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_template_team_id"))

    op.drop_table("card_template")


# The card search's document (as migration 0011 made it; a migration must not change later).
CARD_DOCUMENT = (
    "title",
    "problem",
    "expected_effect",
    "what_was_tried",
    "measured_result",
    "standard",
)


def _restore_card_search_triggers():
    """SQLite's batch mode copies the improvement table into a new one and drops the old, and
    the triggers that keep the card search's FTS5 table in step go with it: make them again.
    (The FTS5 rows stay right: the copy keeps every id.)"""
    if op.get_bind().dialect.name != "sqlite":
        return
    new_document = " || ' ' || ".join(f"new.{column}" for column in CARD_DOCUMENT)
    insert = f"INSERT INTO improvement_search(rowid, document) VALUES (new.id, {new_document});"
    delete = "DELETE FROM improvement_search WHERE rowid = old.id;"
    triggers = {"insert": insert, "update": delete + " " + insert, "delete": delete}
    for event, body in triggers.items():
        op.execute(f"DROP TRIGGER IF EXISTS improvement_search_{event}")
        op.execute(
            f"CREATE TRIGGER improvement_search_{event} AFTER {event.upper()} ON improvement "
            f"BEGIN {body} END"
        )
