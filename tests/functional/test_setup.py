"""Migrations, demo data and the command line."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from lean.core.extensions import db, include_in_migrations
from lean.models import Improvement, Organization, Stage, User
from lean.models.search_indexes import SEARCH_INDEXES
from tests.conftest import make_app


def test_migrations_create_exactly_the_models_tables(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "include_object": include_in_migrations}
        )
        assert compare_metadata(context, db.metadata) == []


def test_every_search_index_is_kept_in_step_after_the_migrations(app):
    """A migration that rebuilds a table (SQLite's batch mode) drops its triggers with it: a
    search would then miss every row changed afterwards."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            indexes = set(db.session.scalars(text("SELECT indexname FROM pg_indexes")))
            assert {index.pg_index for index in SEARCH_INDEXES} <= indexes
            return
        triggers = set(
            db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        )
        expected = {
            f"{index.fts_table}_{event}"
            for index in SEARCH_INDEXES
            for event in ("insert", "update", "delete")
        }
        assert expected - triggers == set()


def test_seed_demo_builds_a_living_network(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Organization.id))) >= 3
    assert db.session.scalar(select(Organization).where(Organization.is_coordinating))
    stages = set(db.session.scalars(select(Improvement.stage)))
    assert stages == {stage.value for stage in Stage}
    themes = set(db.session.scalars(select(Improvement.theme_id)))
    assert len(themes) == 2
    assert db.session.scalar(select(func.count()).where(Improvement.blocked))
    assert db.session.scalar(select(User).where(User.email == "maija.jasen@vertaa.example"))
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "not loaded" in again.output


def test_demo_users_can_log_in_with_the_readme_password(runner, client):
    runner.invoke(args=["seed-demo"])
    response = client.post(
        "/login",
        data={"email": "kaisa.koordinaattori@vertaa.example", "password": "Vertaa-demo-2026"},
    )
    assert response.status_code == 303


def test_seed_demo_refuses_in_production(database):
    app = make_app(
        database, ENV="production", SECRET_KEY="p" * 40, BASE_URL="https://vertaa.example.fi"
    )
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "refuses to run in production" in result.output


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(
        args=["create-admin", "--email", "a@b.fi", "--name", "A", "--organization", "O"],
        input="password123\npassword123\n",
    )
    assert result.exit_code != 0
    assert db.session.scalar(select(User).where(User.email == "a@b.fi")) is None
