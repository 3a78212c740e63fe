"""Moving in: organizations' sign-on providers and the people they sign in, invitations that
can be taken back, imported cards that are not imported twice, imported comments' writers

Revision ID: 0018_sign_on_and_imports
Revises: 0017_standup_position
Create Date: 2026-12-07 03:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0018_sign_on_and_imports"
down_revision = "0017_standup_position"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_on_provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("discovery_url", sa.String(length=500), nullable=False),
        sa.Column("allowed_issuers", sa.Text(), server_default="", nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret_encrypted", sa.Text(), nullable=False),
        sa.Column(
            "token_auth_method",
            sa.String(length=30),
            server_default="client_secret_basic",
            nullable=False,
        ),
        sa.Column("domains", sa.Text(), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_sign_on_provider_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_on_provider")),
        sa.UniqueConstraint(
            "organization_id", "name", name=op.f("uq_sign_on_provider_organization_id_name")
        ),
    )
    op.create_index(
        op.f("ix_sign_on_provider_organization_id"), "sign_on_provider", ["organization_id"]
    )
    op.create_table(
        "sign_on_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["sign_on_provider.id"],
            name=op.f("fk_sign_on_identity_provider_id_sign_on_provider"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_sign_on_identity_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_on_identity")),
        sa.UniqueConstraint(
            "provider_id", "subject", name=op.f("uq_sign_on_identity_provider_id_subject")
        ),
    )
    op.create_index(op.f("ix_sign_on_identity_user_id"), "sign_on_identity", ["user_id"])
    # Plain ADD COLUMNs (no batch): SQLite keeps each table and the triggers of its search.
    op.add_column(
        "organization",
        sa.Column("passwords_allowed", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column(
        "one_time_link", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("improvement", sa.Column("import_key", sa.String(length=100), nullable=True))
    op.create_index(
        "uq_improvement_team_import_key", "improvement", ["team_id", "import_key"], unique=True
    )
    op.add_column(
        "card_comment",
        sa.Column("original_author", sa.String(length=200), server_default="", nullable=False),
    )


def downgrade():
    # SQLite drops a column in place since 3.35, so no table is rebuilt.
    op.drop_column("card_comment", "original_author")
    op.drop_index("uq_improvement_team_import_key", table_name="improvement")
    op.drop_column("improvement", "import_key")
    op.drop_column("one_time_link", "revoked_at")
    op.drop_column("organization", "passwords_allowed")
    op.drop_index(op.f("ix_sign_on_identity_user_id"), table_name="sign_on_identity")
    op.drop_table("sign_on_identity")
    op.drop_index(op.f("ix_sign_on_provider_organization_id"), table_name="sign_on_provider")
    op.drop_table("sign_on_provider")
