"""An anonymised user is a flag, not a Finnish placeholder name, so each reader sees it in their language

Revision ID: 0012_anonymised_flag
Revises: 0011_conversation
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_anonymised_flag"
down_revision = "0011_conversation"
branch_labels = None
depends_on = None

user = sa.table(
    "user",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("email", sa.String),
    sa.column("anonymised", sa.Boolean),
)


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("anonymised", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Users anonymised before this change carry "Poistunut käyttäjä <id>" and a generated email.
    op.execute(
        user.update()
        .where(user.c.email.like("anonymised-%@invalid"))
        .values(anonymised=True, name=sa.literal("#") + sa.cast(user.c.id, sa.String))
    )


def downgrade():
    op.execute(
        user.update()
        .where(user.c.anonymised.is_(True))
        .values(name=sa.literal("Poistunut käyttäjä ") + sa.cast(user.c.id, sa.String))
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("anonymised")
