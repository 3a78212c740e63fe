"""Command-line tasks: flask --app app <command>."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from lean.auth.passwords import password_problem
from lean.extensions import db
from lean.models import Organization, User


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database schema to the latest migration."""
    upgrade()
    click.echo("Database is up to date.")


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--organization", prompt=True, help="Name of the admin's organization.")
@click.password_option()
def create_admin_command(email: str, name: str, organization: str, password: str):
    """Create an installation admin (and their organization when it is new)."""
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="password")
    org = db.session.scalar(select(Organization).where(Organization.name == organization))
    if org is None:
        org = Organization(name=organization)
        db.session.add(org)
    user = User(email=email.strip().lower(), name=name, organization=org, is_admin=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Admin {user.email} created.")


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
def seed_demo_command(if_empty: bool):
    """Load the Finnish demo network (never in production)."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException("seed-demo refuses to run in production (LEAN_ENV=production).")
    if db.session.scalar(select(func.count(User.id))):
        if if_empty:
            click.echo("The database has data already; demo data not loaded.")
            return
        raise click.ClickException("The database is not empty; seed-demo needs an empty one.")
    from lean.demo import seed_demo

    seed_demo()
    click.echo("Demo data loaded. Log in as one of the demo users listed in README.md.")


@click.command("seed-scale")
@with_appcontext
@click.option("--organizations", default=16, show_default=True, type=click.IntRange(1))
@click.option("--teams-per-organization", default=30, show_default=True, type=click.IntRange(1))
@click.option("--people-per-team", default=10, show_default=True, type=click.IntRange(1))
@click.option("--cards-per-team", default=200, show_default=True, type=click.IntRange(0))
@click.option("--events-per-card", default=10, show_default=True, type=click.IntRange(1))
def seed_scale_command(
    organizations: int,
    teams_per_organization: int,
    people_per_team: int,
    cards_per_team: int,
    events_per_card: int,
):
    """Fill an empty database with DESIGN.md's scale of data, for benchmarks (not production)."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException("seed-scale refuses to run in production (LEAN_ENV=production).")
    if db.session.scalar(select(func.count(User.id))) or db.session.scalar(
        select(func.count(Organization.id))
    ):
        raise click.ClickException("The database is not empty; seed-scale needs an empty one.")
    from lean.scale import seed_scale

    seed_scale(
        organizations=organizations,
        teams_per_organization=teams_per_organization,
        people_per_team=people_per_team,
        cards_per_team=cards_per_team,
        events_per_card=events_per_card,
        echo=click.echo,
    )


@click.command("purge-deleted")
@with_appcontext
def purge_deleted_command():
    """Remove kaizens deleted longer ago than the recovery period, with their files, and files
    no attachment names (run daily)."""
    from lean.kaizen.services import purge_deleted_kaizens, remove_orphaned_files

    count = purge_deleted_kaizens()
    click.echo(f"{count} deleted kaizen entries removed for good.")
    click.echo(f"{remove_orphaned_files()} files without an attachment removed.")


def init_app(app: Flask) -> None:
    for command in (
        init_db_command,
        create_admin_command,
        seed_demo_command,
        seed_scale_command,
        purge_deleted_command,
    ):
        app.cli.add_command(command)
